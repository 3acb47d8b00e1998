import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SegmentSink } from '../xray/trace-header';
import {
  exited,
  FunctionError,
  functionNotFound,
  initTimedOut,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  outOfMemory,
  requestTooLarge,
  responseTooLarge,
  throttled,
  timedOut,
} from './invoke-errors';
import {
  type InvocationRecord,
  lambdaServiceSegments,
  type Span,
  type TracingMode,
  traceInvocation,
  writeSegments,
} from './service-segments';
import {
  epochMs,
  type InvokeRequest,
  toErrorPayload,
  type WorkerMessage,
  type WorkerSetup,
} from './worker-protocol';

/** One function as the template declares it. */
export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  /** Absolute path of the TypeScript handler module (the bundle's entry). */
  readonly entry: string;
  /** The module's export Lambda calls (`handler` in `handler.handler`). */
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Upper bound on concurrent executions; 0 throttles every invocation, as on AWS. */
  readonly reservedConcurrency?: number;
  /** The template's runtime, for `AWS_EXECUTION_ENV`. @default 'nodejs24.x' */
  readonly runtime?: string;
  /** `TracingConfig.Mode`: `Active` samples invocations that come without a decision. @default 'PassThrough' */
  readonly tracing?: TracingMode;
}

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
  /**
   * Budget for loading a handler module. Lambda gives Init 10 s; handlers here are compiled from
   * TypeScript on first load, which is slower than a bundle. @default 30
   */
  readonly initTimeoutSeconds?: number;
  /** The X-Ray daemon functions send their segments to (`AWS_XRAY_DAEMON_ADDRESS`). @default the SDK's 127.0.0.1:2000 */
  readonly xrayDaemonAddress?: string;
  /**
   * Where the segments the Lambda service writes for sampled invocations go (`AWS::Lambda`,
   * `AWS::Lambda::Function`). @default nowhere: nothing is written
   */
  readonly segments?: SegmentSink;
}

const workerUrl = new URL('./function-worker.ts', import.meta.url);
// Handlers are TypeScript with extensionless imports: tsx loads them, under `tsx` as under vitest.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The host variables a worker keeps; everything else comes from the function's configuration. */
const HOST_VARIABLES = ['PATH', 'TMPDIR'] as const;

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIED_ARN = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+):[A-Za-z0-9$_-]+$/;

/**
 * Runs Lambda handlers locally the way Lambda runs them: each execution environment is a worker
 * thread with the function's environment variables as its own `process.env`, a V8 heap capped at
 * the function's memory size and its timeout enforced from outside (a hung or runaway handler is
 * terminated and reported as `Sandbox.Timedout` / `Runtime.OutOfMemory`). Environments stay warm and
 * are reused; each function runs at most `min(reservedConcurrency, maxConcurrencyPerFunction)`
 * invocations at once and queues the rest. Events and results cross as JSON, as through Lambda's API.
 */
export class LambdaRunner {
  readonly #region: string;
  readonly #environment: Readonly<Record<string, string>>;
  readonly #maxConcurrency: number;
  readonly #idleTimeoutMs: number;
  readonly #initTimeoutMs: number;
  readonly #xrayDaemonAddress: string | undefined;
  readonly #segments: SegmentSink | undefined;
  readonly #byName = new Map<string, FunctionPool>();
  readonly #byArn = new Map<string, FunctionPool>();
  #closed = false;

  constructor(options: LambdaRunnerOptions = {}) {
    this.#region = options.region ?? 'us-east-1';
    this.#environment = options.environment ?? {};
    this.#maxConcurrency = options.maxConcurrencyPerFunction ?? availableParallelism();
    this.#idleTimeoutMs = (options.idleTimeoutSeconds ?? 300) * 1000;
    this.#initTimeoutMs = (options.initTimeoutSeconds ?? 30) * 1000;
    this.#xrayDaemonAddress = options.xrayDaemonAddress;
    this.#segments = options.segments;
    if (!Number.isSafeInteger(this.#maxConcurrency) || this.#maxConcurrency < 1) {
      throw new Error('maxConcurrencyPerFunction must be a positive integer');
    }
  }

  /** Adds a function. Environments start lazily, on its first invocation. */
  register(fn: LocalFunction): void {
    validate(fn);
    if (this.#byName.has(fn.name)) throw new Error(`function ${fn.name} is already registered`);
    const pool = new FunctionPool(fn, {
      limit: Math.min(fn.reservedConcurrency ?? Number.POSITIVE_INFINITY, this.#maxConcurrency),
      idleTimeoutMs: this.#idleTimeoutMs,
      initTimeoutMs: this.#initTimeoutMs,
      env: this.#workerEnvironment(fn),
    });
    this.#byName.set(fn.name, pool);
    this.#byArn.set(fn.arn, pool);
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

  /** Host basics < runner-wide variables < the function's own < the variables Lambda reserves. */
  #workerEnvironment(fn: LocalFunction): Record<string, string> {
    const host = Object.fromEntries(
      HOST_VARIABLES.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
    ) as Record<string, string>;
    return {
      ...host,
      ...this.#environment,
      ...fn.environment,
      AWS_REGION: this.#region,
      AWS_DEFAULT_REGION: this.#region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(fn),
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime ?? 'nodejs24.x'}`,
      // Its presence puts aws-xray-sdk-core (and Powertools Tracer with it) in Lambda mode.
      LAMBDA_TASK_ROOT: dirname(fn.entry),
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      ...(this.#xrayDaemonAddress ? { AWS_XRAY_DAEMON_ADDRESS: this.#xrayDaemonAddress } : {}),
      _HANDLER: `${basename(fn.entry, extname(fn.entry))}.${fn.handlerExport}`,
    };
  }
}

const validate = (fn: LocalFunction): void => {
  if (!FUNCTION_NAME.test(fn.name)) throw new Error(`invalid function name "${fn.name}"`);
  if (!isAbsolute(fn.entry)) throw new Error(`function ${fn.name}: entry must be an absolute path`);
  if (!Number.isFinite(fn.timeoutSeconds) || fn.timeoutSeconds <= 0 || fn.timeoutSeconds > 900) {
    throw new Error(`function ${fn.name}: timeout must be between 1 and 900 seconds`);
  }
  if (!Number.isSafeInteger(fn.memoryMb) || fn.memoryMb < 128 || fn.memoryMb > 10_240) {
    throw new Error(`function ${fn.name}: memory must be between 128 and 10240 MB`);
  }
  const reserved = fn.reservedConcurrency;
  if (reserved !== undefined && (!Number.isSafeInteger(reserved) || reserved < 0)) {
    throw new Error(`function ${fn.name}: reserved concurrency must be a non-negative integer`);
  }
};

const logGroupOf = (fn: LocalFunction): string => `/aws/lambda/${fn.name}`;

type PendingRequest = Pick<InvokeRequest, 'requestId' | 'payload' | 'invokedFunctionArn' | 'traceHeader'>;

/** How an invocation ended, with the phases an execution environment went through for it. */
type InvocationReport = (
  | { readonly ok: true; readonly result: string }
  | { readonly ok: false; readonly error: Error }
) & {
  /** The Init phase: only on the environment's first invocation. */
  readonly initialization?: Span;
  readonly invocation?: Span;
  readonly overhead?: Span;
};

interface PoolSettings {
  readonly limit: number;
  readonly idleTimeoutMs: number;
  readonly initTimeoutMs: number;
  readonly env: Record<string, string>;
}

/** The execution environments of one function: warm ones are reused, at most `limit` at once. */
class FunctionPool {
  readonly fn: LocalFunction;
  readonly #settings: PoolSettings;
  readonly #all = new Set<ExecutionEnvironment>();
  /** Most recently used last: Lambda routes to the warmest environment. */
  #idle: ExecutionEnvironment[] = [];
  readonly #waiters: { resolve(env: ExecutionEnvironment): void; reject(error: Error): void }[] = [];
  #closed = false;

  constructor(fn: LocalFunction, settings: PoolSettings) {
    this.fn = fn;
    this.#settings = settings;
  }

  get limit(): number {
    return this.#settings.limit;
  }

  async run(request: PendingRequest): Promise<InvocationReport> {
    const env = await this.#acquire();
    try {
      return await env.invoke({ ...request, type: 'invoke', deadlineMs: 0 });
    } finally {
      this.#release(env);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error('the Lambda runner is closed'));
    await Promise.all([...this.#all].map((env) => env.terminate()));
    this.#all.clear();
    this.#idle = [];
  }

  #acquire(): Promise<ExecutionEnvironment> {
    if (this.#closed) return Promise.reject(new Error('the Lambda runner is closed'));
    this.#forgetDead();
    const warm = this.#idle.pop();
    if (warm) return Promise.resolve(warm);
    if (this.#all.size < this.#settings.limit) return Promise.resolve(this.#create());
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #release(env: ExecutionEnvironment): void {
    if (env.dead) this.#all.delete(env);
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve(env.dead ? this.#create() : env);
      return;
    }
    if (!env.dead) {
      env.park(this.#settings.idleTimeoutMs);
      this.#idle.push(env);
    }
  }

  /** Environments that crashed or were reclaimed while idle no longer count against the limit. */
  #forgetDead(): void {
    for (const env of this.#idle) if (env.dead) this.#all.delete(env);
    this.#idle = this.#idle.filter((env) => !env.dead);
  }

  #create(): ExecutionEnvironment {
    const env = new ExecutionEnvironment(this.fn, this.#settings);
    this.#all.add(env);
    return env;
  }
}

interface Invocation {
  readonly request: InvokeRequest;
  resolve(report: InvocationReport): void;
  timer?: NodeJS.Timeout;
  /** When it was handed to the worker (epoch ms, {@link epochMs}). */
  startedAt?: number;
}

/** One worker thread running one function, one invocation at a time. Once dead, never reused. */
class ExecutionEnvironment {
  readonly #worker: Worker;
  readonly #timeoutMs: number;
  readonly #createdAt = Date.now();
  /** The Init phase, on the clock the worker reports on: from creation to the module loaded. */
  readonly #initStartedAt = epochMs();
  #initEndedAt: number | undefined;
  #initReported = false;
  #initTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #ready = false;
  #dead = false;
  #current: Invocation | undefined;

  constructor(fn: LocalFunction, settings: PoolSettings) {
    this.#timeoutMs = fn.timeoutSeconds * 1000;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const setup: WorkerSetup = {
      entry: fn.entry,
      handlerExport: fn.handlerExport,
      functionName: fn.name,
      memoryMb: fn.memoryMb,
      logGroupName: logGroupOf(fn),
      logStreamName,
    };
    this.#worker = new Worker(workerUrl, {
      name: `lambda:${fn.name}`,
      workerData: setup,
      env: { ...settings.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
      execArgv: ['--import', tsxLoader],
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
    });
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.#die(outOfMemory);
      else this.#die(() => new FunctionError(toErrorPayload(error)));
    });
    this.#worker.on('exit', (code) => this.#die((requestId) => exited(requestId, code)));
    this.#initTimer = setTimeout(
      () => this.#die((requestId) => initTimedOut(requestId, Date.now() - this.#createdAt)),
      settings.initTimeoutMs,
    );
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Runs one invocation; resolves with how it ended, never rejects. */
  invoke(request: InvokeRequest): Promise<InvocationReport> {
    if (this.#dead) {
      return Promise.resolve({ ok: false, error: new Error('the execution environment is stopped') });
    }
    clearTimeout(this.#idleTimer);
    this.#worker.ref();
    const { promise, resolve } = Promise.withResolvers<InvocationReport>();
    this.#current = { request, resolve };
    if (this.#ready) this.#send();
    return promise;
  }

  /** Between invocations: does not keep the process alive, and is reclaimed after `idleMs`. */
  park(idleMs: number): void {
    this.#worker.unref();
    this.#idleTimer = setTimeout(() => void this.terminate(), idleMs);
    this.#idleTimer.unref();
  }

  async terminate(): Promise<void> {
    this.#die(() => new Error('the execution environment was stopped'));
    await this.#worker.terminate();
  }

  #send(): void {
    const invocation = this.#current;
    if (!invocation) return;
    const startedAt = Date.now();
    const request: InvokeRequest = { ...invocation.request, deadlineMs: startedAt + this.#timeoutMs };
    invocation.startedAt = epochMs();
    invocation.timer = setTimeout(
      () => this.#die((requestId) => timedOut(requestId, Date.now() - startedAt)),
      this.#timeoutMs,
    );
    this.#worker.postMessage(request);
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        clearTimeout(this.#initTimer);
        this.#initEndedAt = message.loadedAt;
        this.#ready = true;
        this.#send();
        return;
      case 'init-error':
        this.#initEndedAt = message.failedAt;
        this.#die(() => new FunctionError(message.error));
        return;
      case 'crash':
        this.#die(() => new FunctionError(message.error));
        return;
      case 'result':
        this.#settle(
          message.requestId,
          Buffer.byteLength(message.result) > MAX_RESPONSE_BYTES
            ? { ok: false, error: responseTooLarge() }
            : { ok: true, result: message.result },
          message.timing,
        );
        return;
      case 'error':
        this.#settle(
          message.requestId,
          { ok: false, error: new FunctionError(message.error) },
          message.timing,
        );
        return;
    }
  }

  #settle(
    requestId: string,
    outcome: { readonly ok: true; readonly result: string } | { readonly ok: false; readonly error: Error },
    invocation: Span,
  ): void {
    const current = this.#current;
    if (!current || current.request.requestId !== requestId) return;
    clearTimeout(current.timer);
    this.#current = undefined;
    current.resolve({
      ...outcome,
      ...this.#initializationOnce(),
      invocation,
      overhead: { startedAt: invocation.endedAt, endedAt: epochMs() },
    });
  }

  /** The Init phase belongs to the first invocation an environment serves: Lambda's cold start. */
  #initializationOnce(): { initialization?: Span } {
    if (this.#initReported) return {};
    this.#initReported = true;
    return { initialization: { startedAt: this.#initStartedAt, endedAt: this.#initEndedAt ?? epochMs() } };
  }

  /** The first cause of death wins; the invocation in progress (if any) fails with it. */
  #die(cause: (requestId: string) => Error): void {
    if (this.#dead) return;
    this.#dead = true;
    clearTimeout(this.#initTimer);
    clearTimeout(this.#idleTimer);
    const invocation = this.#current;
    this.#current = undefined;
    if (invocation) {
      clearTimeout(invocation.timer);
      invocation.resolve({
        ok: false,
        error: cause(invocation.request.requestId),
        ...this.#initializationOnce(),
        ...(invocation.startedAt === undefined
          ? {}
          : { invocation: { startedAt: invocation.startedAt, endedAt: epochMs() } }),
      });
    }
    void this.#worker.terminate();
  }
}
