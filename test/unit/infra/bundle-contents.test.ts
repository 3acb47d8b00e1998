import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { aliasesOf } from '../../../bench/bundles';
import { bundlingOptions, entryOf, PROJECT_ROOT } from '../../../infra/constructs/docflow-function';
import { gte } from '../../../lambdas/shared/runtime/semver-sdk-v2-only';
import { CDK_BUNDLE_OPTIONS } from '../../support/cdk-bundle-options';

const SEMVER_STAND_IN = 'lambdas/shared/runtime/semver-sdk-v2-only.ts';
const XRAY_SDK_V2_PATCHER = 'node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js';

/** The starter's bundle as the CDK app builds it, aliases included, with esbuild's metafile. */
const starterBundle = async (): Promise<Metafile> => {
  const result = await build({
    ...CDK_BUNDLE_OPTIONS,
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [join(PROJECT_ROOT, entryOf('starter'))],
    alias: aliasesOf(bundlingOptions([]).esbuildArgs),
    outfile: join(PROJECT_ROOT, 'cdk.out', 'bundle-contents-test', 'index.mjs'),
    write: false,
    metafile: true,
  });
  return result.metafile;
};

const importersOf = (metafile: Metafile, input: string): string[] =>
  Object.entries(metafile.inputs)
    .filter(([, { imports }]) => imports.some((imported) => imported.path === input))
    .map(([path]) => path);

const functionSources = (): string[] =>
  readdirSync(join(PROJECT_ROOT, 'lambdas'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(PROJECT_ROOT, 'lambdas', file), 'utf8'));

describe('what goes into a function’s bundle', () => {
  let metafile: Metafile;

  beforeAll(async () => {
    metafile = await starterBundle();
  }, 60_000);

  it('takes semver’s stand-in instead of semver, imported by the X-Ray SDK’s SDK v2 patcher alone', () => {
    // Assess
    const semverFiles = Object.keys(metafile.inputs).filter((input) =>
      input.includes('node_modules/semver/'),
    );
    expect(semverFiles).toEqual([]);
    expect(importersOf(metafile, SEMVER_STAND_IN)).toEqual([XRAY_SDK_V2_PATCHER]);
  });

  it('keeps the X-Ray SDK’s segment in AsyncLocalStorage (the cls-hooked fork), not in cls-hooked’s async hooks', () => {
    // Assess
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((input) => input.includes('node_modules/cls-hooked/'))).toEqual([]);
    expect(inputs.some((input) => input.includes('node_modules/@farmersdog/cls-hooked/'))).toBe(true);
  });

  it('leaves DynamoDB out of a function that does not call it', () => {
    // Assess
    expect(Object.keys(metafile.inputs).filter((input) => input.includes('dynamodb'))).toEqual([]);
  });
});

describe('the SDK v2 patcher, semver’s one user in the bundles', () => {
  it('calls semver only inside captureAWS, which patches a whole SDK v2', () => {
    // Prepare
    const source = readFileSync(join(PROJECT_ROOT, XRAY_SDK_V2_PATCHER), 'utf8');
    const start = source.indexOf('var captureAWS = function captureAWS(');
    const end = source.indexOf('var captureAWSClient = function captureAWSClient(');

    // Assess
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const calls = [...source.matchAll(/\bsemver\.\w+/g)].map((match) => match.index);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((at) => at > start && at < end)).toBe(true);
  });

  it('is never called: no function patches SDK v2, and SDK v2 is not a dependency', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };

    // Assess
    expect(functionSources().filter((source) => /\bcaptureAWS(Client)?\(/.test(source))).toEqual([]);
    expect({ ...manifest.dependencies, ...manifest.devDependencies }).not.toHaveProperty('aws-sdk');
  });

  it('would fail loudly through the stand-in if it were', () => {
    // Act + Assess
    expect(() => gte()).toThrow(/semver is not bundled/);
  });
});
