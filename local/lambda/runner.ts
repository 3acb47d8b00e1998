import { randomUUID } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_MODULES, projectCacheFolder } from '../project-cache';
import type { SegmentSink } from '../xray/trace-header';
import { settingsQuery } from './asset-modules';
import { FunctionPool } from './function-pool';
import {
  FunctionError,
  FunctionStartError,
  functionNotFound,
  MAX_REQUEST_BYTES,
  requestTooLarge,
  throttled,
} from './invoke-errors';
import { lambdaVariables } from './lambda-variables';
import { type LocalFunction, validateFunction } from './local-function';
import { buildRuntimeFiles, type RuntimeFiles } from './runtime-files';
import { epochMs } from './runtime-protocol';
import {
  type InvocationRecord,
  lambdaServiceSegments,
  traceInvocation,
  writeSegments,
} from './service-segments';

export type { LocalFunction } from './local-function';

export interface InvokeOptions {
  /** The caller's X-Ray header (`Root=…;Parent=…;Sampled=…`); without one, Lambda starts a trace. */
  readonly traceHeader?: string;
}

export interface LambdaRunnerOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * Variables every function sees beneath its own: what AWS gives an execution environment from
   * outside the template, here the credentials and the local endpoints (`AWS_ENDPOINT_URL_*`).
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Execution environments per function when it has no lower reserved concurrency. @default the CPU count */
  readonly maxConcurrencyPerFunction?: number;
  /** An idle environment is stopped after this long, as Lambda reclaims idle ones. @default 300 */
  readonly idleTimeoutSeconds?: number;
  /** Budget of the Init phase (starting the runtime and loading the handler module), as Lambda's. @default 10 */
  readonly initTimeoutSeconds?: number;
  /**
   * The host's `node_modules`: the native packages an asset carries for Lambda's platform resolve to
   * the copies installed here, whose binaries run on this machine. @default the project's
   */
  readonly hostModules?: string;
  /** Packages resolved to the host's copy when an asset carries them. @default {@link HOST_PLATFORM_PACKAGES} */
  readonly hostPackages?: readonly string[];
  /**
   * Where Node's compile cache of the bundles is kept, so that only the first process of a bundle
   * compiles it. @default a folder in the system's temporary folder
   */
  readonly compileCacheDirectory?: string;
  /** The X-Ray daemon functions send their segments to (`AWS_XRAY_DAEMON_ADDRESS`). @default the SDK's 127.0.0.1:2000 */
  readonly xrayDaemonAddress?: string;
  /**
   * Where the segments the Lambda service writes for sampled invocations go (`AWS::Lambda`,
   * `AWS::Lambda::Function`). @default nowhere: nothing is written
   */
  readonly segments?: SegmentSink;
}

/**
 * The packages docflow's assets carry with binaries for Lambda's platform (linux-arm64): sharp (with
 * libvips) and @napi-rs/canvas. pdf.js, tesseract.js and their data are the same on every platform
 * and run from the asset as they are.
 */
export const HOST_PLATFORM_PACKAGES = ['sharp', '@napi-rs/canvas'] as const;

/**
 * Where the runtime is built (`runtime-files.ts`): beside the packages, where tools keep their caches,
 * so that a fresh data folder does not build it again (esbuild's sync API leaves a 20 MB service
 * process behind for the life of the process that calls it).
 */
const RUNTIME_CACHE = projectCacheFolder('lambda-runtime');

const QUALIFIED_ARN = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+):[A-Za-z0-9$_-]+$/;

/**
 * Runs Lambda functions locally the way Lambda runs them: each execution environment is a Node
 * process started as Lambda's Node.js runtime starts one (`bootstrap.ts`: the heap sized from the
 * memory, Lambda's variables, the asset folder as task root), running the function's bundle from its
 * asset and nothing else (`asset-modules.ts`). Its timeout is enforced from outside: a hung or
 * runaway function is killed and reported as `Sandbox.Timedout`, one out of heap as
 * `Runtime.OutOfMemory`. Environments stay warm and are reused; each function runs at most
 * `min(reservedConcurrency, maxConcurrencyPerFunction)` invocations at once and queues the rest
 * (`function-pool.ts`). Events and results cross as JSON, as through Lambda's API.
 */
export class LambdaRunner {
  readonly #region: string;
  readonly #environment: Readonly<Record<string, string>>;
  readonly #maxConcurrency: number;
  readonly #idleTimeoutMs: number;
  readonly #initTimeoutMs: number;
  readonly #hostModules: string;
  readonly #hostPackages: readonly string[];
  readonly #xrayDaemonAddress: string | undefined;
  readonly #segments: SegmentSink | undefined;
  readonly #runtimeFiles: RuntimeFiles;
  readonly #compileCache: string;
  readonly #byName = new Map<string, FunctionPool>();
  readonly #byArn = new Map<string, FunctionPool>();
  readonly #prewarming: Promise<void>[] = [];
  #closed = false;

  constructor(options: LambdaRunnerOptions = {}) {
    this.#region = options.region ?? 'us-east-1';
    this.#environment = options.environment ?? {};
    this.#maxConcurrency = options.maxConcurrencyPerFunction ?? availableParallelism();
    this.#idleTimeoutMs = (options.idleTimeoutSeconds ?? 300) * 1000;
    this.#initTimeoutMs = (options.initTimeoutSeconds ?? 10) * 1000;
    this.#hostModules = options.hostModules ?? PROJECT_MODULES;
    this.#hostPackages = options.hostPackages ?? HOST_PLATFORM_PACKAGES;
    this.#xrayDaemonAddress = options.xrayDaemonAddress;
    this.#segments = options.segments;
    if (!Number.isSafeInteger(this.#maxConcurrency) || this.#maxConcurrency < 1) {
      throw new Error('maxConcurrencyPerFunction must be a positive integer');
    }
    this.#runtimeFiles = buildRuntimeFiles(RUNTIME_CACHE);
    this.#compileCache = options.compileCacheDirectory ?? join(tmpdir(), 'docflow-lambda-compile-cache');
  }

  /**
   * Adds a function. Its environments start on demand, or, with `prewarm`, one starts at once (see
   * {@link prewarm}; {@link started} reports how that went).
   */
  register(fn: LocalFunction, options: { readonly prewarm?: boolean } = {}): void {
    validateFunction(fn);
    if (this.#byName.has(fn.name)) throw new Error(`function ${fn.name} is already registered`);
    const pool = new FunctionPool(fn, {
      limit: Math.min(fn.reservedConcurrency ?? Number.POSITIVE_INFINITY, this.#maxConcurrency),
      idleTimeoutMs: this.#idleTimeoutMs,
      initTimeoutMs: this.#initTimeoutMs,
      runtime: this.#runtimeFiles.runtime,
      env: lambdaVariables(fn, {
        region: this.#region,
        environment: this.#environment,
        xrayDaemonAddress: this.#xrayDaemonAddress,
      }),
      hooks: `${this.#runtimeFiles.hooksUrl}?${settingsQuery({
        taskRoot: fn.codeDirectory,
        hostModules: this.#hostModules,
        hostPackages: this.#hostPackages,
        compileCache: this.#compileCache,
      })}`,
    });
    this.#byName.set(fn.name, pool);
    this.#byArn.set(fn.arn, pool);
    if (options.prewarm) {
      const started = this.prewarm(fn.name);
      // Awaited by started(); a close() before that is not an error of the function.
      started.catch(() => {});
      this.#prewarming.push(started);
    }
  }

  /**
   * Resolves once every environment registered with `prewarm` has initialized; rejects with the
   * {@link FunctionStartError} of the first function that could not (its module is missing a package,
   * its handler is not exported, …), so a broken bundle fails a deployment, not its first invocation.
   */
  async started(): Promise<void> {
    await Promise.all(this.#prewarming);
  }

  /**
   * Starts one execution environment of the function and waits for its Init phase, as Lambda's
   * proactive initialization does; the environment then waits warm for the first invocation. Rejects
   * with a {@link FunctionStartError} when the function cannot start (`Runtime.ImportModuleError` for
   * a module its asset does not carry, `Runtime.HandlerNotFound`, …). A function with reserved
   * concurrency 0 starts none.
   */
  async prewarm(nameOrArn: string): Promise<void> {
    if (this.#closed) throw new Error('the Lambda runner is closed');
    const pool = this.#pool(nameOrArn);
    try {
      await pool.prewarm();
    } catch (error) {
      throw error instanceof FunctionError ? new FunctionStartError(pool.fn.name, error) : error;
    }
  }

  /** How many invocations of the function can run at once (the rest queue). */
  concurrencyOf(nameOrArn: string): number {
    return this.#pool(nameOrArn).limit;
  }

  /**
   * Invokes a function synchronously (RequestResponse) and resolves with its JSON result. Rejects
   * with a {@link FunctionError} named by the Lambda `errorType` when the function fails (its own
   * error, `Sandbox.Timedout`, `Runtime.OutOfMemory`, …) and with a `Lambda.*` error when the
   * service refuses the call (unknown function, payload over 6 MB, reserved concurrency 0).
   *
   * A sampled invocation (see {@link traceInvocation}) writes Lambda's own segments to the sink.
   */
  async invoke(nameOrArn: string, payload: unknown, options: InvokeOptions = {}): Promise<unknown> {
    if (this.#closed) throw new Error('the Lambda runner is closed');
    const receivedAt = epochMs();
    const pool = this.#pool(nameOrArn);
    const trace = traceInvocation(pool.fn.tracing ?? 'PassThrough', options.traceHeader || undefined);
    const requestId = randomUUID();
    const record = (run: Omit<InvocationRecord, 'requestId' | 'receivedAt' | 'respondedAt'>): void => {
      if (!this.#segments || !trace.sampled) return;
      const documents = lambdaServiceSegments(pool.fn, trace.sampled, {
        ...run,
        requestId,
        receivedAt,
        respondedAt: epochMs(),
      });
      writeSegments(this.#segments, documents, (error) =>
        console.warn(`local Lambda: could not write a segment of ${pool.fn.name}: ${String(error)}`),
      );
    };
    if (pool.limit === 0) {
      record({ outcome: { kind: 'throttled' } });
      throw throttled();
    }
    const json = payload === undefined ? '{}' : JSON.stringify(payload);
    if (Buffer.byteLength(json) > MAX_REQUEST_BYTES) throw requestTooLarge();
    const report = await pool.run({
      requestId,
      payload: json,
      invokedFunctionArn: nameOrArn.startsWith('arn:') ? nameOrArn : pool.fn.arn,
      traceHeader: trace.header,
    });
    const phases = {
      ...(report.initialization ? { initialization: report.initialization } : {}),
      ...(report.invocation ? { invocation: report.invocation } : {}),
      ...(report.overhead ? { overhead: report.overhead } : {}),
    };
    if (!report.ok) {
      // An environment stopped by close() is the runner's doing, not an outcome Lambda would record.
      if (report.error instanceof FunctionError)
        record({ ...phases, outcome: { kind: 'function-error', error: report.error.toJSON() } });
      throw report.error;
    }
    record({ ...phases, outcome: { kind: 'success' } });
    return JSON.parse(report.result) as unknown;
  }

  /** Stops every execution environment; invocations still queued are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#byName.values()].map((pool) => pool.close()));
  }

  #pool(nameOrArn: string): FunctionPool {
    const pool =
      this.#byName.get(nameOrArn) ??
      this.#byArn.get(nameOrArn) ??
      this.#byArn.get(nameOrArn.replace(QUALIFIED_ARN, '$1'));
    if (!pool) throw functionNotFound(nameOrArn);
    return pool;
  }
}
