import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleDigest, projectSourcesOf } from '../../../../local/deploy/function-bundles';

describe('what a function bundle is made from', () => {
  let project: string;
  const write = (file: string, contents: string): void => {
    mkdirSync(dirname(join(project, file)), { recursive: true });
    writeFileSync(join(project, file), contents);
  };
  const starter = { name: 'starter', nativePackages: [] } as const;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'docflow-bundle-inputs-'));
    write('package.json', '{"name":"p"}');
    write('package-lock.json', '{"lockfileVersion":3}');
    write(
      'lambdas/starter/handler.ts',
      [
        "import { start } from './start';",
        "import type { Ref } from '../shared/ref';",
        "export { helper } from '../shared/helper';",
        "import '../shared/side-effect';",
        "const lazy = () => import('../shared/lazy');",
        "import { z } from 'zod';",
      ].join('\n'),
    );
    write('lambdas/starter/start.ts', "import data from './data.json';\nexport const start = data;");
    write('lambdas/starter/data.json', '{}');
    write('lambdas/shared/ref.ts', 'export interface Ref { id: string }');
    write('lambdas/shared/helper/index.ts', 'export const helper = 1;');
    write('lambdas/shared/side-effect.ts', 'globalThis.x = 1;');
    write('lambdas/shared/lazy.ts', 'export default 2;');
    write('lambdas/shared/unused.ts', 'export const unused = 3;');
    write('lambdas/api/handler.ts', 'export const handler = 4;');
  });

  afterEach(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('follows every relative import of the entry, of any form, and nothing else', () => {
    // Act
    const sources = projectSourcesOf(project, 'lambdas/starter/handler.ts');

    // Assess
    expect(sources).toEqual([
      'lambdas/shared/helper/index.ts',
      'lambdas/shared/lazy.ts',
      'lambdas/shared/ref.ts',
      'lambdas/shared/side-effect.ts',
      'lambdas/starter/data.json',
      'lambdas/starter/handler.ts',
      'lambdas/starter/start.ts',
    ]);
  });

  it('changes with a file the entry reaches, the lockfile or the native packages, not with another function', () => {
    // Prepare
    const before = bundleDigest(project, starter);

    // Act
    write('lambdas/api/handler.ts', 'export const handler = 5;');
    write('lambdas/shared/unused.ts', 'export const unused = 6;');
    const unrelated = bundleDigest(project, starter);
    write('lambdas/shared/side-effect.ts', 'globalThis.x = 2;');
    const reached = bundleDigest(project, starter);
    write('package-lock.json', '{"lockfileVersion":3,"packages":{}}');
    const locked = bundleDigest(project, starter);
    const native = bundleDigest(project, { name: 'starter', nativePackages: ['sharp'] });

    // Assess
    expect(unrelated).toBe(before);
    expect(new Set([before, reached, locked, native]).size).toBe(4);
  });
});
