import {
  type EnvironmentSettings,
  ExecutionEnvironment,
  type InvocationReport,
} from './execution-environment';
import type { LocalFunction } from './local-function';
import type { InvokeRequest } from './runtime-protocol';

export type PendingRequest = Pick<
  InvokeRequest,
  'requestId' | 'payload' | 'invokedFunctionArn' | 'traceHeader'
>;

export interface PoolSettings extends EnvironmentSettings {
  /** Environments at most, busy or idle. */
  readonly limit: number;
  readonly idleTimeoutMs: number;
}

/**
 * How long an invocation waits for a busy environment to free up before it starts one of its own,
 * as a share of the function's last Init duration: at half, waiting never costs more than half a
 * cold start, and a function whose invocations are shorter than that never starts a second.
 */
const WAIT_SHARE_OF_INIT = 0.5;
/** The wait before any Init of the function has been measured. */
const FIRST_WAIT_MS = 250;

interface Waiter {
  resolve(env: ExecutionEnvironment): void;
  reject(error: Error): void;
  /** Set while the waiter may still start an environment of its own when it fires. */
  timer?: NodeJS.Timeout;
}

/**
 * The execution environments of one function: warm ones are reused, at most `limit` at once.
 *
 * Unlike Lambda, which starts a new environment for every request that finds none idle, an
 * invocation first waits briefly for a busy one (see {@link WAIT_SHARE_OF_INIT}). On a laptop a new
 * environment is not free capacity: it takes a core for its Init and 100–200 MB for as long as it
 * lives, while the cores are already busy with the ones running. A burst of short invocations is
 * served by fewer environments, sooner; long ones still get up to `limit` environments.
 */
export class FunctionPool {
  readonly fn: LocalFunction;
  readonly #settings: PoolSettings;
  readonly #all = new Set<ExecutionEnvironment>();
  /** Most recently used last: Lambda routes to the warmest environment. */
  #idle: ExecutionEnvironment[] = [];
  readonly #waiters: Waiter[] = [];
  #lastInitMs: number | undefined;
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
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the Lambda runner is closed'));
    }
    await Promise.all([...this.#all].map((env) => env.terminate()));
    this.#all.clear();
    this.#idle = [];
  }

  #acquire(): Promise<ExecutionEnvironment> {
    if (this.#closed) return Promise.reject(new Error('the Lambda runner is closed'));
    this.#forgetDead();
    const warm = this.#idle.pop();
    if (warm) return Promise.resolve(warm);
    if (this.#all.size === 0) return Promise.resolve(this.#create());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (this.#all.size < this.#settings.limit) {
        waiter.timer = setTimeout(() => this.#startFor(waiter), this.#waitMs());
      }
      this.#waiters.push(waiter);
    });
  }

  /** A waiter that no environment freed up for in time gets one of its own, if the limit allows. */
  #startFor(waiter: Waiter): void {
    waiter.timer = undefined;
    const at = this.#waiters.indexOf(waiter);
    if (at < 0 || this.#closed) return;
    this.#forgetDead();
    if (this.#all.size >= this.#settings.limit) return;
    this.#waiters.splice(at, 1);
    waiter.resolve(this.#create());
  }

  #waitMs(): number {
    return this.#lastInitMs === undefined ? FIRST_WAIT_MS : this.#lastInitMs * WAIT_SHARE_OF_INIT;
  }

  #release(env: ExecutionEnvironment): void {
    if (env.dead) this.#all.delete(env);
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
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
    void env.initialized().then(() => {
      this.#lastInitMs = env.initDurationMs ?? this.#lastInitMs;
    });
    return env;
  }
}
