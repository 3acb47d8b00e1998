import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SegmentSink } from '../xray/trace-header';
import { settingsQuery } from './asset-modules';
import { bootstrapArguments } from './bootstrap';
import {
  exited,
  FunctionError,
  FunctionStartError,
  functionNotFound,
  initTimedOut,
  killedBySignal,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  outOfMemory,
  requestTooLarge,
  responseTooLarge,
  throttled,
  timedOut,
} from './invoke-errors';
import { epochMs, type InvokeRequest, type RuntimeMessage, toErrorPayload } from './runtime-protocol';
import {
  type InvocationRecord,
  lambdaServiceSegments,
  type Span,
  type TracingMode,
  traceInvocation,
  writeSegments,
} from './service-segments';

/** One function as the template declares it. */
export interface LocalFunction {
  readonly name: string;
  readonly arn: string;
  /**
   * The function's code: the folder of its unzipped deployment package (the asset `cdk deploy`
   * uploads), which becomes `LAMBDA_TASK_ROOT` and the working directory.
   */
  readonly codeDirectory: string;
  /** `Handler`: the module in the code folder and its export, as `index.handler`. */
  readonly handler: string;
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
  /** Budget of the Init phase (starting the runtime and loading the handler module), as Lambda's. @default 10 */
  readonly initTimeoutSeconds?: number;
  /**
   * The host's `node_modules`: the native packages an asset carries for Lambda's platform resolve to
   * the copies installed here, whose binaries run on this machine. @default the project's
   */
  readonly hostModules?: string;
  /** Packages resolved to the host's copy when an asset carries them. @default {@link HOST_PLATFORM_PACKAGES} */
  readonly hostPackages?: readonly string[];
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

const RUNTIME = new URL('./node-runtime.ts', import.meta.url);
const ASSET_HOOKS = new URL('./asset-hooks.ts', import.meta.url);
const PROJECT_MODULES = join(import.meta.dirname, '..', '..', 'node_modules');

/** The host variables an environment keeps; everything else comes from the function's configuration. */
const HOST_VARIABLES = ['PATH', 'TMPDIR'] as const;

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIED_ARN = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+):[A-Za-z0-9$_-]+$/;

/**
 * Runs Lambda functions locally the way Lambda runs them: each execution environment is a Node
 * process started as Lambda's Node.js runtime starts one (`bootstrap.ts`: the heap sized from the
 * memory, Lambda's variables, the asset folder as task root), running the function's bundle from its
 * asset and nothing else (`asset-modules.ts`). Its timeout is enforced from outside: a hung or
 * runaway function is killed and reported as `Sandbox.Timedout`, one out of heap as
 * `Runtime.OutOfMemory`. Environments stay warm and are reused; each function runs at most
 * `min(reservedConcurrency, maxConcurrencyPerFunction)` invocations at once and queues the rest.
 * Events and results cross as JSON, as through Lambda's API.
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
    // Environments run node-runtime.ts with Node's own type stripping (Node 22.18 and later).
    if (!process.features.typescript) {
      throw new Error(
        `the local Lambda runner needs Node 24 (this is ${process.version}): run it through npm or npx`,
      );
    }
  }

  /**
   * Adds a function. Its environments start on demand, or, with `prewarm`, one starts at once (see
   * {@link prewarm}; {@link started} reports how that went).
   */
  register(fn: LocalFunction, options: { readonly prewarm?: boolean } = {}): void {
    validate(fn);
    if (this.#byName.has(fn.name)) throw new Error(`function ${fn.name} is already registered`);
    const pool = new FunctionPool(fn, {
      limit: Math.min(fn.reservedConcurrency ?? Number.POSITIVE_INFINITY, this.#maxConcurrency),
      idleTimeoutMs: this.#idleTimeoutMs,
      initTimeoutMs: this.#initTimeoutMs,
      env: this.#environmentOf(fn),
      hooks: `${ASSET_HOOKS.href}?${settingsQuery({
        taskRoot: fn.codeDirectory,
        hostModules: this.#hostModules,
        hostPackages: this.#hostPackages,
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

  /** Host basics < runner-wide variables < the function's own < the variables Lambda reserves. */
  #environmentOf(fn: LocalFunction): Record<string, string> {
    const host = Object.fromEntries(
      HOST_VARIABLES.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
    ) as Record<string, string>;
    const daemon = this.#xrayDaemonAddress;
    return {
      ...host,
      LANG: 'en_US.UTF-8',
      // The bootstrap's NODE_PATH ends with the task root; layers and /var/runtime do not exist here.
      NODE_PATH: fn.codeDirectory,
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
      // Its presence also puts aws-xray-sdk-core (and Powertools Tracer with it) in Lambda mode.
      LAMBDA_TASK_ROOT: fn.codeDirectory,
      LAMBDA_RUNTIME_DIR: import.meta.dirname,
      TZ: ':UTC',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      ...(daemon
        ? {
            AWS_XRAY_DAEMON_ADDRESS: daemon,
            _AWS_XRAY_DAEMON_ADDRESS: daemon.slice(0, daemon.lastIndexOf(':')),
            _AWS_XRAY_DAEMON_PORT: daemon.slice(daemon.lastIndexOf(':') + 1),
          }
        : {}),
      _HANDLER: fn.handler,
    };
  }
}

const validate = (fn: LocalFunction): void => {
  if (!FUNCTION_NAME.test(fn.name)) throw new Error(`invalid function name "${fn.name}"`);
  if (!isAbsolute(fn.codeDirectory)) {
    throw new Error(`function ${fn.name}: its code directory must be an absolute path`);
  }
  if (!statSync(fn.codeDirectory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`function ${fn.name}: its code directory ${fn.codeDirectory} does not exist`);
  }
  if (!/^\S+$/.test(fn.handler)) throw new Error(`function ${fn.name}: handler "${fn.handler}" is invalid`);
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
  /** The `--import` URL of asset-hooks.ts with this function's settings. */
  readonly hooks: string;
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

  async prewarm(): Promise<void> {
    if (this.limit === 0) return;
    const env = await this.#acquire();
    try {
      const failure = await env.initialized();
      if (failure) throw failure;
      env.skipInitializationReport();
    } finally {
      this.#release(env);
    }
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
  /** When it was handed to the environment (epoch ms, {@link epochMs}). */
  startedAt?: number;
}

/** V8's last words when the heap reaches `--max-old-space-size` (it then aborts the process). */
const HEAP_EXHAUSTED = 'JavaScript heap out of memory';
/** How long a dead environment's stderr may take to deliver its last lines. */
const STDERR_GRACE_MS = 250;

/**
 * One process running one function, one invocation at a time, in its own process group (so a kill
 * takes the threads' and children's work with it). Once dead, never reused.
 */
class ExecutionEnvironment {
  readonly #child: ChildProcess;
  readonly #timeoutMs: number;
  readonly #createdAt = Date.now();
  /** The Init phase, on the clock the environment reports on: from creation to the module loaded. */
  readonly #initStartedAt = epochMs();
  readonly #init = Promise.withResolvers<Error | undefined>();
  #initEndedAt: number | undefined;
  #initReported = false;
  #initTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #ready = false;
  #dead = false;
  #stderrTail = '';
  #current: Invocation | undefined;

  constructor(fn: LocalFunction, settings: PoolSettings) {
    this.#timeoutMs = fn.timeoutSeconds * 1000;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    this.#child = fork(RUNTIME, [], {
      execPath: process.execPath,
      execArgv: [...bootstrapArguments(fn.memoryMb), '--import', settings.hooks],
      cwd: fn.codeDirectory,
      env: { ...settings.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'json',
      detached: true,
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.#stderrTail = (this.#stderrTail + chunk.toString()).slice(-4096);
    });
    this.#child.on('message', (message: RuntimeMessage) => this.#onMessage(message));
    this.#child.on('error', (error) => this.#die(() => new FunctionError(toErrorPayload(error))));
    this.#child.on('exit', (code, signal) => {
      const classify = (): void => this.#die((requestId) => this.#exitError(requestId, code, signal));
      if (!this.#child.stderr || this.#child.stderr.readableEnded) return classify();
      const grace = setTimeout(classify, STDERR_GRACE_MS);
      this.#child.stderr.once('end', () => {
        clearTimeout(grace);
        classify();
      });
    });
    this.#initTimer = setTimeout(
      () => this.#die((requestId) => initTimedOut(requestId, Date.now() - this.#createdAt)),
      settings.initTimeoutMs,
    );
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Resolves when the Init phase is over: with nothing when the handler is loaded, or with why not. */
  initialized(): Promise<Error | undefined> {
    return this.#init.promise;
  }

  /**
   * An environment initialized ahead of its first invocation (Lambda's proactive initialization):
   * that invocation did not wait for the Init phase, so its trace has no `Initialization`.
   */
  skipInitializationReport(): void {
    this.#initReported = true;
  }

  /** Runs one invocation; resolves with how it ended, never rejects. */
  invoke(request: InvokeRequest): Promise<InvocationReport> {
    if (this.#dead) {
      return Promise.resolve({ ok: false, error: new Error('the execution environment is stopped') });
    }
    clearTimeout(this.#idleTimer);
    this.#keepsProcessAlive(true);
    const { promise, resolve } = Promise.withResolvers<InvocationReport>();
    this.#current = { request, resolve };
    if (this.#ready) this.#send();
    return promise;
  }

  /** Between invocations: does not keep the process alive, and is reclaimed after `idleMs`. */
  park(idleMs: number): void {
    this.#keepsProcessAlive(false);
    this.#idleTimer = setTimeout(() => void this.terminate(), idleMs);
    this.#idleTimer.unref();
  }

  async terminate(): Promise<void> {
    const exited =
      this.#child.exitCode !== null || this.#child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    // A parked environment does not hold the event loop; waiting for its exit must.
    this.#keepsProcessAlive(true);
    this.#die(() => new Error('the execution environment was stopped'));
    await exited;
  }

  #keepsProcessAlive(alive: boolean): void {
    const handles = [
      this.#child,
      this.#child.channel,
      this.#child.stderr as { ref?(): void; unref?(): void } | null,
    ];
    for (const handle of handles) {
      if (alive) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** How Lambda reports a runtime process that ended: its exit status or signal. */
  #exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): Error {
    if (signal === null) return exited(requestId, code ?? 0);
    if (this.#stderrTail.includes(HEAP_EXHAUSTED)) return outOfMemory(requestId, signal);
    return killedBySignal(requestId, signal);
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
    this.#child.send(request);
  }

  #onMessage(message: RuntimeMessage): void {
    switch (message.type) {
      case 'ready':
        clearTimeout(this.#initTimer);
        this.#initEndedAt = message.loadedAt;
        this.#ready = true;
        this.#init.resolve(undefined);
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
    if (!this.#ready) this.#init.resolve(cause(invocation?.request.requestId ?? randomUUID()));
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
    this.#kill();
  }

  /** SIGKILL to the environment's process group: its worker threads and child processes go with it. */
  #kill(): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.#child.kill('SIGKILL');
    }
  }
}
