import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { bootstrapArguments } from './bootstrap';
import {
  exited,
  FunctionError,
  initTimedOut,
  killedBySignal,
  MAX_RESPONSE_BYTES,
  outOfMemory,
  responseTooLarge,
  timedOut,
} from './invoke-errors';
import type { LocalFunction } from './local-function';
import {
  epochMs,
  type InvokeRequest,
  type RunnerMessage,
  type RuntimeMessage,
  toErrorPayload,
} from './runtime-protocol';
import type { Span } from './service-segments';

/** How an invocation ended, with the phases an execution environment went through for it. */
export type InvocationReport = (
  | { readonly ok: true; readonly result: string }
  | { readonly ok: false; readonly error: Error }
) & {
  /** The Init phase: only on the environment's first invocation. */
  readonly initialization?: Span;
  readonly invocation?: Span;
  readonly overhead?: Span;
};

/** How the environments of one function start. */
export interface EnvironmentSettings {
  /** The runtime's JavaScript (`node-runtime.ts` built). */
  readonly runtime: string;
  readonly initTimeoutMs: number;
  /** The function's variables ({@link lambdaVariables}). */
  readonly env: Readonly<Record<string, string>>;
  /** The `--import` URL of the built asset-hooks with this function's settings. */
  readonly hooks: string;
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
 * How long an environment stays parked before it is told to give back memory: long enough that a
 * busy function is not collected between two invocations of a burst.
 */
const SETTLE_MS = 2_000;

/**
 * One process running one function, one invocation at a time, in its own process group (so a kill
 * takes the threads' and children's work with it). Once dead, never reused.
 */
export class ExecutionEnvironment {
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
  #settleTimer: NodeJS.Timeout | undefined;
  #ready = false;
  #dead = false;
  #stderrTail = '';
  #current: Invocation | undefined;

  constructor(fn: LocalFunction, settings: EnvironmentSettings) {
    this.#timeoutMs = fn.timeoutSeconds * 1000;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    this.#child = fork(settings.runtime, [], {
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

  /** How long the Init phase took, in ms; undefined until it is over. */
  get initDurationMs(): number | undefined {
    return this.#initEndedAt === undefined ? undefined : this.#initEndedAt - this.#initStartedAt;
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
    clearTimeout(this.#settleTimer);
    this.#keepsProcessAlive(true);
    const { promise, resolve } = Promise.withResolvers<InvocationReport>();
    this.#current = { request, resolve };
    if (this.#ready) this.#send();
    return promise;
  }

  /**
   * Between invocations: does not keep the process alive, gives back memory once it has been idle a
   * moment, and is reclaimed after `idleMs`.
   */
  park(idleMs: number): void {
    this.#keepsProcessAlive(false);
    this.#idleTimer = setTimeout(() => void this.terminate(), idleMs);
    this.#idleTimer.unref();
    this.#settleTimer = setTimeout(() => this.#post({ type: 'parked' }), Math.min(SETTLE_MS, idleMs));
    this.#settleTimer.unref();
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

  #post(message: RunnerMessage): void {
    if (!this.#dead && this.#child.connected) this.#child.send(message);
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
    clearTimeout(this.#settleTimer);
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
