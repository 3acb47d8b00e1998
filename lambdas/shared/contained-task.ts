import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, type TransferListItem, Worker, workerData } from 'node:worker_threads';
import {
  CorruptDocumentError,
  DocumentNotFoundError,
  type DocumentRejectedError,
  DocumentTooLargeError,
  EmptyDocumentError,
  EncryptedDocumentError,
  parseRejectionMessage,
  type RejectionErrorName,
  UnsupportedDocumentError,
} from './errors';

/**
 * Containment of hostile input: a parse or decode job runs in a worker thread with a V8 heap cap and a
 * time budget, and ends in a typed error when it breaks either. A parser that spins (pdf.js on some
 * files) is stopped by terminating its thread; one that allocates without bound hits the heap cap and
 * loses only its thread. Both are verdicts on the input, so both are rejections, never a stuck or
 * crashed function.
 *
 * How the worker finds its code, in every world, without a second entry file: a task is defined with
 * the URL of the module that defines it (`import.meta.url`), and its thread is started on that URL.
 * - vitest and tsx run the TypeScript sources: the URL is the task's own `.ts` module, loaded through
 *   tsx's loader (`--import tsx`).
 * - An esbuild bundle (one ESM file per function) keeps `import.meta.url` as is, so every module in it
 *   answers with the bundle's own URL: the bundled handler re-enters itself as the worker, and finds the
 *   task registered by the same code that registered it in the main thread.
 *
 * Limits and what they do not cover: the heap cap (`maxOldGenerationSizeMb`) bounds JavaScript objects
 * only; memory held by native code (libvips, canvas bitmaps) and by ArrayBuffers and WebAssembly is
 * bounded by the pixel and size limits the job checks before decoding. A crash inside native code (a
 * segfault) takes the process with it: threads share one address space; only a process would contain it.
 */

/**
 * Smallest heap cap accepted. A worker needs about 12 MiB to start at all, and below ~4 MiB V8 aborts
 * the whole process while creating the thread (a fatal error, not a catchable one).
 */
export const MIN_CONTAINED_MEMORY_MB = 16;

/**
 * How long a thread may take to load its code. Not part of a job's budget: a slow start (a cold
 * container, a busy machine) says nothing about the document, so it fails untyped and is retried.
 */
export const CONTAINED_START_TIMEOUT_MS = 15_000;

/** Heap and time a contained job may use. */
export interface ContainmentLimits {
  /** Budget of the job, from handing it to a started thread to its answer; over it the thread is killed. */
  readonly budgetMs: number;
  /** V8 old-generation heap cap of the thread, in MiB; over it the thread is killed. */
  readonly memoryMb: number;
}

/** Time kept back from a function's remaining time for what follows a contained job (writing results). */
export const DEFAULT_RESERVE_MS = 5_000;

/**
 * The budget of a contained job inside one invocation: the configured budget, cut to what the function
 * has left after a thread start and `reserveMs`, so the job is always stopped (and answered with a
 * typed error) before Lambda's own timeout would end the invocation untyped. Never below one second.
 */
export const budgetWithin = (
  configuredMs: number,
  remainingMs: number,
  reserveMs: number = DEFAULT_RESERVE_MS,
): number =>
  Math.max(1_000, Math.min(configuredMs, Math.floor(remainingMs - CONTAINED_START_TIMEOUT_MS - reserveMs)));

/** A job that runs in a contained worker thread: input and output must survive structured cloning. */
export interface ContainedTask<I, O> {
  /** Unique in the process (and in a bundle): the worker looks the task up by it. */
  readonly name: string;
  /** The URL of the module that defines the task: the worker's entry. */
  readonly moduleUrl: string;
  /** The job itself. Errors it throws come out of the runner with the same name. */
  readonly run: (input: I) => Promise<O>;
}

/** What the parent gives a thread in `workerData`. */
interface ContainedWorkerData {
  readonly docflowContainedTask: { readonly name: string; readonly moduleUrl: string };
}

/** What a thread sends back: `ready` once its code is loaded, then one answer per job. */
type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly name: string; readonly message: string };

const registry = new Map<string, ContainedTask<unknown, unknown>>();

/**
 * Defines (and registers) a contained task. Call it at the top level of the module that holds the
 * job, passing that module's `import.meta.url`, so that loading the module in a worker registers the
 * task again there. Native modules the job uses should be imported at the top of that module: on glibc
 * they must be loaded by the main thread before a worker loads them (sharp's own advice), or unloading
 * them when the worker exits breaks the next load.
 */
export const defineContainedTask = <I, O>(
  moduleUrl: string,
  name: string,
  run: (input: I) => Promise<O>,
): ContainedTask<I, O> => {
  const existing = registry.get(name);
  if (existing && existing.moduleUrl !== moduleUrl) {
    throw new Error(`contained task ${name} is defined twice: in ${existing.moduleUrl} and ${moduleUrl}`);
  }
  const task: ContainedTask<I, O> = { name, moduleUrl, run };
  registry.set(name, task as ContainedTask<unknown, unknown>);
  return task;
};

const REJECTIONS: Record<RejectionErrorName, new (detail: string) => DocumentRejectedError> = {
  EmptyDocumentError,
  UnsupportedDocumentError,
  CorruptDocumentError,
  EncryptedDocumentError,
  DocumentTooLargeError,
  DocumentNotFoundError,
};

/** Rebuilds an error that crossed the thread boundary: rejections as their class, others by name. */
const reviveError = (name: string, message: string): Error => {
  if (Object.hasOwn(REJECTIONS, name)) {
    return new REJECTIONS[name as RejectionErrorName](parseRejectionMessage(message).detail);
  }
  return Object.assign(new Error(message), { name });
};

/** Only the sources are TypeScript: a bundle is JavaScript and needs no loader. */
const execArgvFor = (moduleUrl: string): string[] | undefined => {
  if (!new URL(moduleUrl).pathname.endsWith('.ts')) return undefined;
  // Resolved lazily: a bundle never gets here, and has no tsx to resolve.
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
};

const validateLimits = ({ memoryMb, budgetMs }: Partial<ContainmentLimits>): void => {
  if (memoryMb !== undefined && (!Number.isInteger(memoryMb) || memoryMb < MIN_CONTAINED_MEMORY_MB)) {
    throw new RangeError(`a contained job needs at least ${MIN_CONTAINED_MEMORY_MB} MiB, got ${memoryMb}`);
  }
  if (budgetMs !== undefined && (!Number.isInteger(budgetMs) || budgetMs < 1)) {
    throw new RangeError(`a contained job needs a positive time budget, got ${budgetMs} ms`);
  }
};

interface PendingJob {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One worker thread serving one task, one job at a time. It dies (and fails what it was doing with a
 * typed error) when a job overruns its budget, exhausts the heap cap, or crashes the thread. It serves
 * another job only after one that succeeded: a job that failed, even cleanly, may have left its decoder
 * broken (an Emscripten module that aborted stays aborted), and the next document must not pay for it.
 */
class ContainedThread {
  readonly #task: ContainedTask<unknown, unknown>;
  readonly #memoryMb: number;
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  #pending: PendingJob | undefined;
  #busy = false;
  #dead = false;
  #failed = false;
  #jobs = 0;

  constructor(task: ContainedTask<unknown, unknown>, memoryMb: number, startTimeoutMs: number) {
    this.#task = task;
    this.#memoryMb = memoryMb;
    const data: ContainedWorkerData = {
      docflowContainedTask: { name: task.name, moduleUrl: task.moduleUrl },
    };
    const execArgv = execArgvFor(task.moduleUrl);
    this.#worker = new Worker(new URL(task.moduleUrl), {
      workerData: data,
      ...(execArgv === undefined ? {} : { execArgv }),
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    this.#ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.terminate();
        reject(new Error(`the ${task.name} thread did not start within ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      const started = (message: WorkerMessage): void => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        this.#worker.off('message', started);
        this.#worker.off('error', failedToStart);
        this.#worker.off('exit', exitedBeforeStart);
        this.#worker.on('message', (answer: WorkerMessage) => this.#answer(answer));
        this.#worker.on('error', (error: Error & { code?: string }) => this.#crashed(error));
        this.#worker.on('exit', (code) => this.#exited(code));
        resolve();
      };
      // Not the document's fault (a packaging fault, a heap cap too small for the code): untyped.
      const failedToStart = (error: Error): void => {
        clearTimeout(timer);
        this.#dead = true;
        reject(error);
      };
      const exitedBeforeStart = (code: number): void => {
        clearTimeout(timer);
        this.#dead = true;
        reject(new Error(`the ${task.name} thread exited (code ${code}) before it started`));
      };
      this.#worker.on('message', started);
      this.#worker.once('error', failedToStart);
      this.#worker.once('exit', exitedBeforeStart);
    });
    // Nobody may be waiting yet; the rejection is delivered to whoever runs a job on this thread.
    this.#ready.catch(() => undefined);
  }

  /** Whether the thread can take another job. */
  get usable(): boolean {
    return !this.#dead && !this.#busy && !this.#failed;
  }

  get jobs(): number {
    return this.#jobs;
  }

  /** Runs one job; the thread must be {@link usable}. */
  async run(input: unknown, budgetMs: number, transfer: readonly TransferListItem[]): Promise<unknown> {
    if (!this.usable) throw new Error(`the ${this.#task.name} thread is busy or stopped`);
    this.#busy = true;
    this.#jobs += 1;
    this.#worker.ref();
    try {
      await this.#ready;
      return await new Promise<unknown>((resolve, reject) => {
        // Throws (and rejects this promise) for input that cannot be cloned, before anything is pending.
        this.#worker.postMessage(input, transfer);
        const timer = setTimeout(() => {
          this.#fail(
            new CorruptDocumentError(
              `${this.#task.name} exceeded its ${budgetMs} ms budget; the document may be malformed or hostile`,
            ),
          );
        }, budgetMs);
        this.#pending = { resolve, reject, timer };
      });
    } finally {
      this.#busy = false;
      // An idle thread must not keep the process alive (a CLI, a test run, a Lambda between invocations).
      this.#worker.unref();
    }
  }

  /** Stops the thread; a pending job fails. Not awaited: a thread stuck in native code ends when it returns. */
  terminate(): void {
    this.#dead = true;
    void this.#worker.terminate().catch(() => undefined);
  }

  #settle(): PendingJob | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) clearTimeout(pending.timer);
    return pending;
  }

  #answer(message: WorkerMessage): void {
    if (message.type === 'result') {
      this.#settle()?.resolve(message.value);
    } else if (message.type === 'error') {
      this.#failed = true;
      this.#settle()?.reject(reviveError(message.name, message.message));
    }
  }

  /** Kills the thread and fails its job with `error`. */
  #fail(error: Error): void {
    this.terminate();
    this.#settle()?.reject(error);
  }

  #crashed(error: Error & { code?: string }): void {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.#fail(
        new DocumentTooLargeError(
          `${this.#task.name} needed more than its ${this.#memoryMb} MiB of memory; the document may be hostile`,
        ),
      );
    } else {
      // An error thrown outside the job's promise chain (a library's callback) or by the thread itself.
      this.#fail(new CorruptDocumentError(`${this.#task.name} crashed: ${error.message}`));
    }
  }

  #exited(code: number): void {
    this.#fail(new CorruptDocumentError(`${this.#task.name} stopped (exit code ${code}) before it answered`));
  }
}

/**
 * Runs one job in a fresh worker thread under `limits` and stops the thread afterwards: nothing the
 * input leaves behind (a bloated heap, a grown WebAssembly memory, a stray timer) meets another input.
 *
 * Errors:
 * - the job's own errors keep their name: rejections (`CorruptDocumentError`, …) come back as their
 *   class, anything else as an `Error` with the same `name` and message (a system fault, retried);
 * - over the time budget: `CorruptDocumentError` (a parser that does not finish on a bounded input is
 *   stuck on the input);
 * - over the heap cap: `DocumentTooLargeError`;
 * - the thread dies some other way while the job runs (an uncaught error in a library's callback, an
 *   exit): `CorruptDocumentError`;
 * - the thread cannot start (a packaging fault, a heap cap too small to load the code, a start over
 *   {@link CONTAINED_START_TIMEOUT_MS}): the start error, untyped, so the state machine retries it.
 */
export const runContained = async <I, O>(
  task: ContainedTask<I, O>,
  input: I,
  limits: ContainmentLimits,
  transfer: readonly TransferListItem[] = [],
): Promise<O> => {
  validateLimits(limits);
  const thread = new ContainedThread(
    task as ContainedTask<unknown, unknown>,
    limits.memoryMb,
    CONTAINED_START_TIMEOUT_MS,
  );
  try {
    return (await thread.run(input, limits.budgetMs, transfer)) as O;
  } finally {
    thread.terminate();
  }
};

export interface ContainedPoolOptions {
  /** Heap cap of each thread, in MiB. */
  readonly memoryMb: number;
  /** Threads kept started between jobs. @default 1 */
  readonly idleThreads?: number;
  /** Jobs a thread serves before it is replaced, bounding what jobs leave behind in it. @default 25 */
  readonly maxJobsPerThread?: number;
  /** @default CONTAINED_START_TIMEOUT_MS */
  readonly startTimeoutMs?: number;
}

/**
 * Runs jobs of one task in reused worker threads, with {@link runContained}'s limits and errors. A thread
 * serves the next job only after a job that succeeded; one that failed in any way (its own error, the
 * budget, the heap cap, a crash) is replaced. Starting a thread costs more than most jobs (it loads
 * sharp, pdf.js, and in a bundle the whole function), so a warm Lambda container pays it once, not per
 * document, while a hostile document still never shares a thread with the next one.
 */
export class ContainedPool<I, O> {
  readonly #task: ContainedTask<unknown, unknown>;
  readonly #memoryMb: number;
  readonly #idleThreads: number;
  readonly #maxJobsPerThread: number;
  readonly #startTimeoutMs: number;
  readonly #idle: ContainedThread[] = [];
  #closed = false;

  constructor(task: ContainedTask<I, O>, options: ContainedPoolOptions) {
    validateLimits({ memoryMb: options.memoryMb });
    this.#task = task as ContainedTask<unknown, unknown>;
    this.#memoryMb = options.memoryMb;
    this.#idleThreads = options.idleThreads ?? 1;
    this.#maxJobsPerThread = options.maxJobsPerThread ?? 25;
    this.#startTimeoutMs = options.startTimeoutMs ?? CONTAINED_START_TIMEOUT_MS;
  }

  /** Runs one job within `budgetMs` (see {@link runContained} for the errors). */
  async run(input: I, budgetMs: number, transfer: readonly TransferListItem[] = []): Promise<O> {
    if (this.#closed) throw new Error(`the ${this.#task.name} pool is closed`);
    validateLimits({ budgetMs });
    const thread = this.#acquire();
    try {
      return (await thread.run(input, budgetMs, transfer)) as O;
    } finally {
      this.#release(thread);
    }
  }

  /** Stops every idle thread; jobs in flight finish on theirs, which then stop. */
  close(): void {
    this.#closed = true;
    for (const thread of this.#idle.splice(0)) thread.terminate();
  }

  #acquire(): ContainedThread {
    for (let thread = this.#idle.pop(); thread; thread = this.#idle.pop()) {
      if (thread.usable) return thread;
    }
    return new ContainedThread(this.#task, this.#memoryMb, this.#startTimeoutMs);
  }

  #release(thread: ContainedThread): void {
    const keep =
      !this.#closed &&
      thread.usable &&
      thread.jobs < this.#maxJobsPerThread &&
      this.#idle.length < this.#idleThreads;
    if (keep) this.#idle.push(thread);
    else thread.terminate();
  }
}

const isContainedWorkerData = (value: unknown): value is ContainedWorkerData =>
  typeof value === 'object' && value !== null && 'docflowContainedTask' in value;

/** The worker side: runs when this module is loaded in a thread that a runner above started. */
const serveContainedTask = async (port: NonNullable<typeof parentPort>, data: ContainedWorkerData) => {
  const { name, moduleUrl } = data.docflowContainedTask;
  // The entry module (the task's module, or the whole bundle) imported this one and is still being
  // evaluated; importing it again settles once it has finished, with every task registered.
  await import(moduleUrl);
  const task = registry.get(name);
  if (!task) throw new Error(`contained task ${name} is not defined in ${moduleUrl}`);
  port.on('message', (input: unknown) => {
    Promise.resolve(input)
      .then(task.run)
      .then(
        (value) => port.postMessage({ type: 'result', value } satisfies WorkerMessage),
        (error: unknown) => {
          const { name: errorName, message } =
            error instanceof Error ? error : { name: 'Error', message: String(error) };
          port.postMessage({ type: 'error', name: errorName, message } satisfies WorkerMessage);
        },
      );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
};

if (!isMainThread && parentPort && isContainedWorkerData(workerData)) {
  // A failure here (a task missing from the module, an import that fails) is an unhandled rejection,
  // which ends the thread before `ready`: the runner reports a start failure.
  void serveContainedTask(parentPort, workerData);
}
