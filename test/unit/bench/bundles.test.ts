import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { measureOutput, packageOf } from '../../../bench/bundles';

describe('measureOutput', () => {
  it('reads the JS bytes, the native packages imported at run time and the heaviest packages', () => {
    // Prepare
    const metafile: Metafile = {
      inputs: {},
      outputs: {
        'out/index.mjs': {
          bytes: 1_200_000,
          entryPoint: 'lambdas/inspect/handler.ts',
          exports: ['handler'],
          imports: [
            { path: 'sharp', kind: 'import-statement', external: true },
            { path: 'pdfjs-dist/legacy/build/pdf.mjs', kind: 'dynamic-import', external: true },
            { path: 'node:fs', kind: 'import-statement', external: true },
          ],
          inputs: {
            'node_modules/zod/v4/core/schemas.js': { bytesInOutput: 300_000 },
            'node_modules/zod/v4/classic/schemas.js': { bytesInOutput: 150_000 },
            'node_modules/@smithy/core/dist-es/index.js': { bytesInOutput: 140_000 },
            'lambdas/inspect/handler.ts': { bytesInOutput: 2_000 },
          },
        },
        'out/index.mjs.map': { bytes: 3_000_000, imports: [], exports: [], inputs: {} },
      },
    };

    // Act
    const measured = measureOutput(metafile, 'out/index.mjs');

    // Assess
    expect(measured.jsBytes).toBe(1_200_000);
    expect(measured.nativePackages).toEqual(['pdfjs-dist', 'sharp']);
    expect(measured.heaviest.slice(0, 2)).toEqual([
      { path: 'zod', bytes: 450_000 },
      { path: '@smithy/core', bytes: 140_000 },
    ]);
  });

  it('fails on an output the metafile does not have', () => {
    // Act & Assess
    expect(() => measureOutput({ inputs: {}, outputs: {} }, 'out/index.mjs')).toThrow(/no output/);
  });
});

describe('packageOf', () => {
  it('names scoped and plain packages from an import path', () => {
    // Act & Assess
    expect(packageOf('@napi-rs/canvas/index.js')).toBe('@napi-rs/canvas');
    expect(packageOf('sharp')).toBe('sharp');
  });
});
