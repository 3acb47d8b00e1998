import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DocflowFunction,
  ESM_REQUIRE_BANNER,
  entryOf,
  NATIVE_PACKAGES,
  PROJECT_ROOT,
} from '../../../infra/constructs/docflow-function';
import { LIMIT_SETTINGS } from '../../../lambdas/shared/documents/limits';
import { CDK_BUNDLE_OPTIONS } from '../../support/cdk-bundle-options';
import { cdkJsonContext } from '../../support/docflow-app';
import { docflowFunctionsOf, synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

/** The package an import path belongs to (`pdfjs-dist/legacy/build/pdf.mjs` → `pdfjs-dist`). */
const packageOf = (path: string): string => {
  const parts = path.split('/');
  return path.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? path);
};

const sourcesOf = (name: string): string[] => {
  const folder = join(PROJECT_ROOT, 'lambdas', name);
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(folder, file), 'utf8'));
};

/** The variables a function's own sources read through requireEnv, intEnv or readLimits. */
const variablesRead = (name: string): string[] => {
  const sources = sourcesOf(name).join('\n');
  const read = [...sources.matchAll(/(?:requireEnv|intEnv)\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1] as string);
  if (sources.includes('readLimits(')) read.push(...Object.values(LIMIT_SETTINGS).map((s) => s.env));
  return [...new Set(read)];
};

const numericVariablesRead = (name: string): string[] =>
  [
    ...sourcesOf(name)
      .join('\n')
      .matchAll(/intEnv\(\s*'([A-Z0-9_]+)'/g),
  ].map((m) => m[1] as string);

describe('a real bundle (the starter)', () => {
  let assetDir: string;

  beforeAll(() => {
    // Prepare: bundling on (the default), as `cdk synth` runs it.
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'BundleTest');
    const starter = new DocflowFunction(stack, 'Starter', {
      name: 'starter',
      memorySize: 256,
      timeout: Duration.seconds(30),
      metricsNamespace: 'docflow',
      logRetention: RetentionDays.ONE_WEEK,
      environment: { STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:sm' },
    });

    // Act
    const assembly = app.synth();

    const cfn = starter.function.node.defaultChild as CfnFunction;
    const code =
      Template.fromStack(stack).toJSON().Resources[stack.resolve(stack.getLogicalId(cfn))].Properties.Code;
    assetDir = join(assembly.directory, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
  }, 120_000);

  it('is one ES module, with the require shim for CommonJS dependencies first', () => {
    // Assess
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bas handler\b/);
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
  });

  it('is minified', () => {
    // Assess
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    const lines = code.split('\n');
    expect(code.length / lines.length).toBeGreaterThan(1000);
    // Local names are mangled: the starter's own function name is gone.
    expect(code).not.toContain('startDocuments');
  });

  it('has a source map of the TypeScript sources, without their contents', () => {
    // Assess
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as {
      version: number;
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(map.version).toBe(3);
    expect(map.sources.some((source) => source.endsWith('lambdas/starter/handler.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('bundles the AWS SDK client it uses instead of relying on the runtime copy', () => {
    // Assess
    const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.includes('node_modules/@aws-sdk/client-sfn/'))).toBe(true);
  });
});

describe('every function’s bundle', () => {
  const docflow = synthesizeBeforeAll();
  let functions: DocflowFunction[];
  /** Per function: the bundle built with the options CDK uses, and esbuild's metafile of it. */
  const bundles = new Map<string, { file: string; metafile: Metafile }>();

  beforeAll(async () => {
    functions = docflowFunctionsOf(docflow.stack);
    for (const fn of functions) {
      // Beside a node_modules link, so that the external native packages resolve as in the asset.
      const dir = mkdtempSync(join(tmpdir(), `docflow-bundle-${fn.name}-`));
      symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
      const file = join(dir, 'index.mjs');
      const result = await build({
        ...CDK_BUNDLE_OPTIONS,
        entryPoints: [join(PROJECT_ROOT, fn.entry)],
        write: false,
        metafile: true,
        outfile: file,
      });
      for (const output of result.outputFiles) writeFileSync(output.path, output.contents);
      bundles.set(fn.name, { file, metafile: result.metafile });
    }
  }, 180_000);

  const bundleOf = (fn: DocflowFunction) => {
    const bundle = bundles.get(fn.name);
    if (!bundle) throw new Error(`no bundle of ${fn.name}`);
    return bundle;
  };

  it('covers every handler under lambdas/: none is written and left out of the stack', () => {
    // Prepare
    const handlers = readdirSync(join(PROJECT_ROOT, 'lambdas')).filter((dir) =>
      existsSync(join(PROJECT_ROOT, entryOf(dir))),
    );

    // Assess
    expect(functions.map((fn) => fn.name).sort()).toEqual(handlers.sort());
  });

  it('imports no native package its function does not install, and leaves nothing else unbundled', () => {
    for (const fn of functions) {
      // Act
      const externals = Object.values(bundleOf(fn).metafile.outputs)
        .flatMap((output) => output.imports)
        .filter((imported) => imported.external && !isBuiltin(imported.path))
        .map((imported) => packageOf(imported.path));

      // Assess
      const unexpected = externals.filter((name) => !(NATIVE_PACKAGES as readonly string[]).includes(name));
      expect(unexpected, fn.name).toEqual([]);
      const missing = externals.filter((name) => !(fn.nativePackages as readonly string[]).includes(name));
      expect(missing, `${fn.name} imports native packages it does not install`).toEqual([]);
    }
  });

  it('loads under Node: the module initialises without a CommonJS-in-ESM error', {
    timeout: 120_000,
  }, async () => {
    for (const fn of functions) {
      // Prepare
      const env = {
        PATH: process.env.PATH ?? '',
        ...Object.fromEntries(variablesRead(fn.name).map((name) => [name, 'x'.repeat(64)])),
        ...Object.fromEntries(numericVariablesRead(fn.name).map((name) => [name, '300'])),
        ...Object.fromEntries(Object.values(LIMIT_SETTINGS).map((s) => [s.env, String(s.default)])),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        // Any AWS call made while loading fails at once instead of leaving the machine.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      };

      // Act
      const outcome = await promisify(execFile)(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(pathToFileURL(bundleOf(fn).file).href)});`,
        ],
        { env, timeout: 60_000 },
      ).then(
        () => ({ ok: true, stderr: '' }),
        (error: { stderr?: string }) => ({ ok: false, stderr: String(error.stderr) }),
      );

      // Assess
      expect(outcome.stderr.slice(0, 2000), fn.name).not.toMatch(
        /ReferenceError|SyntaxError|Dynamic require|ERR_MODULE_NOT_FOUND|Cannot find (module|package)/,
      );
      expect(
        outcome.ok || /ECONNREFUSED/.test(outcome.stderr),
        `${fn.name}: ${outcome.stderr.slice(-2000)}`,
      ).toBe(true);
    }
  });

  it('gets every environment variable its handler reads', () => {
    for (const fn of functions) {
      // Prepare
      const read = variablesRead(fn.name);
      const variables = docflow.environmentOf(fn);

      // Assess: AWS_* variables are set by the Lambda runtime itself.
      for (const name of read.filter((n) => !n.startsWith('AWS_'))) {
        expect(variables, `${fn.name} reads ${name}`).toHaveProperty(name);
      }
    }
  });
});
