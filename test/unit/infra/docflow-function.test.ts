import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundlingOptions,
  DocflowFunction,
  ESM_REQUIRE_BANNER,
  NATIVE_PACKAGES,
  PROJECT_ROOT,
} from '../../../infra/constructs/docflow-function';
import { ENTRY_METADATA_KEY } from '../../../infra/keys';
import { logicalIdOf, SKIP_BUNDLING, type TemplateResource } from '../../support/docflow-app';
import { docflowFunctionsOf, synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

/** Memory and timeout each function states, as the issue asks ("explicit per function"). */
const EXPECTED_SIZING: Record<string, { memory: number; timeout: number }> = {
  starter: { memory: 256, timeout: 30 },
  inspect: { memory: 1024, timeout: 60 },
  thumbnail: { memory: 2048, timeout: 90 },
  'extract-text': { memory: 2048, timeout: 240 },
  'index-metadata': { memory: 256, timeout: 45 },
  'textract-callback': { memory: 1024, timeout: 120 },
  api: { memory: 512, timeout: 10 },
  'record-cost': { memory: 256, timeout: 60 },
};

describe('every docflow function', () => {
  const docflow = synthesizeBeforeAll();
  let functions: DocflowFunction[];
  const cfnFunction = (fn: DocflowFunction): TemplateResource =>
    docflow.resourceOf('AWS::Lambda::Function', fn.function);

  beforeAll(() => {
    functions = docflowFunctionsOf(docflow.stack);
  });

  it('covers the eight functions of the pipeline', () => {
    // Assess
    expect(functions.map((fn) => fn.name).sort()).toEqual(Object.keys(EXPECTED_SIZING).sort());
  });

  it('runs Node.js 24 on ARM64 with active tracing', () => {
    for (const fn of functions) {
      // Assess
      expect(cfnFunction(fn).Properties, fn.name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  it('states its own memory and timeout', () => {
    for (const fn of functions) {
      const expected = EXPECTED_SIZING[fn.name];
      // Assess
      expect(cfnFunction(fn).Properties, fn.name).toMatchObject({
        MemorySize: expected?.memory,
        Timeout: expected?.timeout,
      });
    }
  });

  it('logs to its own log group with a bounded retention, not through the logRetention helper', () => {
    for (const fn of functions) {
      const logGroupId = logicalIdOf(fn.logGroup);
      // Assess
      expect(cfnFunction(fn).Properties?.LoggingConfig, fn.name).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(docflow.resourceOf('AWS::Logs::LogGroup', fn.logGroup).Properties?.RetentionInDays).toBe(30);
    }
    expect(Object.keys(docflow.template.findResources('Custom::LogRetention'))).toEqual([]);
  });

  it('sets the Powertools service name per function and the metrics namespace, and no eager source maps', () => {
    for (const fn of functions) {
      // Assess
      expect(cfnFunction(fn).Properties?.Environment, fn.name).toMatchObject({
        Variables: {
          POWERTOOLS_SERVICE_NAME: fn.name,
          POWERTOOLS_METRICS_NAMESPACE: 'docflow',
        },
      });
      // The bundle maps its stacks when one is formatted (lambdas/shared/runtime/source-mapped-stacks).
      expect(cfnFunction(fn).Properties?.Environment, fn.name).not.toHaveProperty('Variables.NODE_OPTIONS');
    }
  });

  it('has its own role that may write only to its own log group (no AWSLambdaBasicExecutionRole)', () => {
    for (const fn of functions) {
      const role = fn.function.role;
      if (!role) throw new Error(`${fn.name} has no role`);
      // Assess
      expect(
        docflow.resourceOf('AWS::IAM::Role', role).Properties?.ManagedPolicyArns,
        fn.name,
      ).toBeUndefined();
      const logStatements = docflow
        .statementsOfRole(role)
        .filter((s) => [s.Action].flat().some((action) => action.startsWith('logs:')));
      expect(logStatements, fn.name).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(fn.logGroup), 'Arn'] },
        },
      ]);
    }
  });

  it('records its entry in the template metadata, for the local cloud', () => {
    for (const fn of functions) {
      // Assess
      expect(cfnFunction(fn).Metadata?.[ENTRY_METADATA_KEY]).toBe(`lambdas/${fn.name}/handler.ts`);
    }
  });
});

describe('bundling options', () => {
  it('bundle one minified ES module with a source map and a require shim for CommonJS dependencies', () => {
    // Act
    const options = bundlingOptions([]);

    // Assess
    expect(options).toMatchObject({
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      banner: ESM_REQUIRE_BANNER,
    });
    expect(ESM_REQUIRE_BANNER).toContain('const require = __docflowCreateRequire(import.meta.url);');
    expect(ESM_REQUIRE_BANNER).toContain('const __dirname = ');
  });

  it('keep every native package external, and bundle the AWS SDK', () => {
    // Act
    const options = bundlingOptions(['sharp']);

    // Assess
    expect(options.externalModules).toEqual([...NATIVE_PACKAGES]);
    expect(options.externalModules).not.toContain('@aws-sdk/*');
  });

  it('install the declared native packages for linux-arm64 (glibc), without install scripts', () => {
    // Act
    const options = bundlingOptions(['sharp', 'pdfjs-dist']);

    // Assess
    expect(options.nodeModules).toEqual(['sharp', 'pdfjs-dist']);
    expect(options.environment).toEqual({
      npm_config_os: 'linux',
      npm_config_cpu: 'arm64',
      npm_config_libc: 'glibc',
      npm_config_ignore_scripts: 'true',
    });
  });

  it('install nothing when the function declares no native package', () => {
    // Act
    const options = bundlingOptions([]);

    // Assess
    expect(options.nodeModules).toBeUndefined();
    expect(options.environment).toBeUndefined();
  });

  it('pins every native package in package.json and the lockfile (CDK installs them with npm ci)', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };

    // Assess
    for (const name of NATIVE_PACKAGES) {
      expect(manifest.dependencies[name], name).toBeDefined();
      expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
    }
    // npm ci installs only what the lockfile lists: the Lambda platform's binaries must be in it.
    for (const binary of [
      '@img/sharp-linux-arm64',
      '@img/sharp-libvips-linux-arm64',
      '@napi-rs/canvas-linux-arm64-gnu',
    ]) {
      expect(lock.packages[`node_modules/${binary}`], binary).toMatchObject({
        os: ['linux'],
        cpu: ['arm64'],
      });
    }
  });
});

describe('DocflowFunction', () => {
  const newStack = () => new Stack(new App({ context: SKIP_BUNDLING }), 'S');
  const props = {
    memorySize: 256,
    timeout: Duration.seconds(10),
    metricsNamespace: 'ns',
    logRetention: RetentionDays.ONE_WEEK,
  };

  it.each([
    [{ memorySize: 64 }, 'memory size of starter must be 128–10240 mib, got 64'],
    [{ timeout: Duration.minutes(16) }, 'timeout of starter must be 1–900 seconds, got 960'],
    [{ ephemeralStorageMiB: 100 }, 'ephemeral storage of starter must be 512–10240 mib, got 100'],
    [{ name: 'Starter' }, 'function name must be kebab-case: Starter'],
  ])('rejects invalid props %o', (override, message) => {
    // Act + Assess
    expect(() => new DocflowFunction(newStack(), 'Fn', { ...props, name: 'starter', ...override })).toThrow(
      message,
    );
  });
});
