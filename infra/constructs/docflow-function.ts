import { join } from 'node:path';
import { type Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENTRY_METADATA_KEY } from '../keys';

/**
 * Packages that carry native binaries or data files read from disk. esbuild cannot bundle them: they
 * are external in every bundle and installed into the asset, for the Lambda platform, of each
 * function that declares them. libheif-js could be bundled, but only as its build with the 1.4 MB of
 * WebAssembly inlined as 2 MB of base64 JavaScript; installed, its other build reads `libheif.wasm`.
 */
export const NATIVE_PACKAGES = [
  'sharp',
  '@napi-rs/canvas',
  'pdfjs-dist',
  'tesseract.js',
  '@tesseract.js-data/eng',
  'libheif-js',
] as const;

export type NativePackage = (typeof NATIVE_PACKAGES)[number];

/** The repository root: entries, package.json and package-lock.json are resolved from here. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** Where a function's handler lives, relative to the repository root. */
export const entryOf = (name: string): string => `lambdas/${name}/handler.ts`;

/**
 * Gives CommonJS dependencies inside the ES module bundle what Node gives a CommonJS module: esbuild's
 * `require` shim looks for a `require` in scope (else "Dynamic require of … is not supported"), and
 * Emscripten output such as libheif-js (heic-decode) reads `__dirname` when it starts.
 */
export const ESM_REQUIRE_BANNER = [
  "import { createRequire as __docflowCreateRequire } from 'node:module';",
  "import { fileURLToPath as __docflowFileUrlToPath } from 'node:url';",
  'const require = __docflowCreateRequire(import.meta.url);',
  'const __filename = __docflowFileUrlToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ');

export interface DocflowFunctionProps {
  /** The function's folder under lambdas/; its entry is `lambdas/<name>/handler.ts`, exporting `handler`. */
  readonly name: string;
  /** Memory in MiB. Required: every function states what it needs. */
  readonly memorySize: number;
  /** Required: every function states how long it may run. */
  readonly timeout: Duration;
  /** The Powertools metrics namespace (POWERTOOLS_METRICS_NAMESPACE). */
  readonly metricsNamespace: string;
  /** How long the function's log group keeps events. */
  readonly logRetention: logs.RetentionDays;
  /**
   * The function's own configuration, added to the Powertools variables.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Native and data packages the handler imports; they are installed into the asset for linux-arm64.
   * @default - none
   */
  readonly nativePackages?: readonly NativePackage[];
  /**
   * Size of /tmp in MiB.
   * @default - Lambda's default, 512 MiB
   */
  readonly ephemeralStorageMiB?: number;
  /**
   * @default - no description
   */
  readonly description?: string;
  /**
   * Where Lambda keeps the events of asynchronous invocations that failed after its retries. Only for
   * functions invoked asynchronously (an EventBridge target); the others' callers retry and dead-letter.
   * @default - none
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A docflow Lambda function with every default in one place: Node.js 24 on ARM64, active tracing, its
 * own log group with retention, its own role, Powertools variables, and an ESM bundle (minified, with
 * source maps) whose native packages are installed for the Lambda platform.
 */
export class DocflowFunction extends Construct {
  /** The Lambda function. */
  readonly function: lambda.Function;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;
  /** The entry, relative to the repository root. */
  readonly entry: string;
  /** The function's folder name, also its Powertools service name. */
  readonly name: string;
  /** The native packages installed into its asset. */
  readonly nativePackages: readonly NativePackage[];

  constructor(scope: Construct, id: string, props: DocflowFunctionProps) {
    super(scope, id);
    validate(props);
    this.name = props.name;
    this.entry = entryOf(props.name);
    this.nativePackages = [...new Set(props.nativePackages ?? [])];

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role instead of Lambda's default, which attaches AWSLambdaBasicExecutionRole: that
    // managed policy may write to every log group of the account.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the docflow ${props.name} function`,
    });
    this.logGroup.grantWrite(role);

    const options: lambda.FunctionOptions = {
      ...(props.description === undefined ? {} : { description: props.description }),
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageMiB === undefined
        ? {}
        : { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMiB) }),
      ...(props.deadLetterQueue === undefined ? {} : { deadLetterQueue: props.deadLetterQueue }),
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      },
    };
    this.function = new NodejsFunction(this, 'Function', {
      ...options,
      runtime: lambda.Runtime.NODEJS_24_X,
      entry: join(PROJECT_ROOT, this.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: bundlingOptions(this.nativePackages),
    });
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA_KEY, this.entry);
  }
}

const validate = (props: DocflowFunctionProps): void => {
  if (!/^[a-z][a-z0-9-]*$/.test(props.name))
    throw new Error(`function name must be kebab-case: ${props.name}`);
  if (!Number.isInteger(props.memorySize) || props.memorySize < 128 || props.memorySize > 10_240) {
    throw new Error(`memory size of ${props.name} must be 128–10240 mib, got ${props.memorySize}`);
  }
  const seconds = props.timeout.toSeconds();
  if (seconds < 1 || seconds > 900) {
    throw new Error(`timeout of ${props.name} must be 1–900 seconds, got ${seconds}`);
  }
  const storage = props.ephemeralStorageMiB;
  if (storage !== undefined && (!Number.isInteger(storage) || storage < 512 || storage > 10_240)) {
    throw new Error(`ephemeral storage of ${props.name} must be 512–10240 mib, got ${storage}`);
  }
};

/**
 * npm's platform settings for installing native packages into an asset: the Lambda platform (linux,
 * arm64, glibc) whatever machine synthesizes. Local bundling passes the bundling environment to every
 * step, so `npm ci` sees them as `npm_config_*` variables. Install scripts stay off: the packages ship
 * prebuilt binaries as platform-specific optional dependencies, and nothing needs building.
 */
export const NPM_LAMBDA_PLATFORM = {
  npm_config_os: 'linux',
  npm_config_cpu: 'arm64',
  npm_config_libc: 'glibc',
  npm_config_ignore_scripts: 'true',
} as const;

/**
 * The SDK's default credential chain, replaced in the bundles by its environment link only: the one
 * Lambda answers (lambdas/shared/runtime/environment-credentials.ts).
 */
export const CREDENTIAL_CHAIN_ALIAS = {
  '--alias:@aws-sdk/credential-provider-node': './lambdas/shared/runtime/environment-credentials.ts',
} as const;

/**
 * `semver`, which the X-Ray SDK imports only for its AWS SDK v2 patcher, replaced in the bundles by a
 * `gte` that throws (lambdas/shared/runtime/semver-sdk-v2-only.ts): the functions never patch SDK v2,
 * so no bundle can call it, and 28 KB of semver stay out of every bundle (docs/decisions.md 56).
 */
export const SEMVER_ALIAS = {
  '--alias:semver': './lambdas/shared/runtime/semver-sdk-v2-only.ts',
} as const;

/**
 * `cls-hooked`, where the X-Ray SDK keeps the current segment, replaced in the bundles by its maintained
 * fork built on `AsyncLocalStorage` (the same API). cls-hooked's `async_hooks` hook with destroy
 * tracking ran JavaScript at the creation, start, end and collection of every promise: ~7 % of a
 * burst's CPU in the functions went to that bookkeeping alone (docs/decisions.md 60).
 */
export const CONTEXT_STORAGE_ALIAS = {
  '--alias:cls-hooked/context': '@farmersdog/cls-hooked',
} as const;

/**
 * esbuild options: one minified ES module with a source map (without the sources, to keep the asset
 * small). The AWS SDK is bundled rather than taken from the runtime, so the deployed code runs the
 * exact SDK version the tests ran, with only the credential provider Lambda uses. Every native package
 * stays external; those the function declares are installed by CDK (`npm ci` against the project
 * lockfile) for the Lambda platform.
 */
export const bundlingOptions = (nativePackages: readonly NativePackage[]): BundlingOptions => ({
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  externalModules: [...NATIVE_PACKAGES],
  esbuildArgs: { ...CREDENTIAL_CHAIN_ALIAS, ...SEMVER_ALIAS, ...CONTEXT_STORAGE_ALIAS },
  ...(nativePackages.length === 0
    ? {}
    : { nodeModules: [...nativePackages], environment: { ...NPM_LAMBDA_PLATFORM } }),
});
