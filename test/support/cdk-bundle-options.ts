import type { BuildOptions } from 'esbuild';
import { ESM_REQUIRE_BANNER, NATIVE_PACKAGES } from '../../infra/constructs/docflow-function';

/**
 * esbuild's options for a function's bundle as the CDK app builds it (`bundlingOptions` in
 * infra/constructs/docflow-function.ts): one minified ES module for Node 24 with the require shim
 * first, every native package external. Tests add the entry points, the output and a source map.
 */
export const CDK_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: [...NATIVE_PACKAGES],
  logLevel: 'silent',
} as const satisfies BuildOptions;
