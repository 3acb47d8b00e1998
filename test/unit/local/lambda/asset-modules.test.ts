import { describe, expect, it } from 'vitest';
import { packageNameOf, settingsFromQuery, settingsQuery } from '../../../../local/lambda/asset-modules';

describe('packageNameOf', () => {
  it('names the package of a bare specifier, scoped or not, and nothing for paths and URLs', () => {
    // Assess
    expect(packageNameOf('sharp')).toBe('sharp');
    expect(packageNameOf('pdfjs-dist/legacy/build/pdf.mjs')).toBe('pdfjs-dist');
    expect(packageNameOf('@napi-rs/canvas')).toBe('@napi-rs/canvas');
    expect(packageNameOf('@napi-rs/canvas/js-binding.js')).toBe('@napi-rs/canvas');
    for (const path of ['./index.mjs', '../x', '.', '..', '/var/task/index.mjs', 'file:///x.js', 'node:fs']) {
      expect(packageNameOf(path), path).toBeUndefined();
    }
  });
});

describe('settingsQuery', () => {
  it('carries the settings through a module URL and back, special characters included', () => {
    // Prepare
    const settings = {
      taskRoot: '/work/main/cdk.out/asset.0a1b & c?d#e',
      hostModules: '/work/main/node_modules',
      hostPackages: ['sharp', '@napi-rs/canvas'],
      compileCache: '/work/main/.docflow/lambda/compile-cache',
    };

    // Act
    const url = new URL(`file:///work/main/local/lambda/asset-hooks.ts?${settingsQuery(settings)}`);

    // Assess
    expect(settingsFromQuery(url.searchParams)).toEqual(settings);
    expect(settingsFromQuery(new URLSearchParams('hostModules=/x'))).toBeUndefined();
  });
});
