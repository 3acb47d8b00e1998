import { type ChildMessage, type ProcessLimits, SandboxProcess } from './sandbox-child';
import { SANDBOX_TASK_ENV, type SandboxedTaskSpec } from './sandbox-process';

export { RESIDENT_SAMPLE_MS } from './sandbox-child';

/**
 * Containment of hostile input: a parse or decode job runs in a child process with a V8 heap cap, a
 * resident-memory cap and a time budget, and ends in a typed error when it breaks one. A parser that
 * spins (pdf.js on some files) or hangs in native code is stopped by killing its process; one that
 * allocates without bound hits a cap and loses only its process. These are verdicts on the input, so
 * they are rejections, never a stuck or crashed function.
 *
 * Why a process and not a worker thread: a thread shares its process's fate. Lambda's bootstrap starts
 * Node with `--max-old-space-size` (from the function's memory), which overrides a worker's
 * `resourceLimits` (nodejs/node#43991); one huge allocation in a worker can abort the whole process
 * (nodejs/node#47224); a crash in native code takes every thread with it. A process gets its own heap
 * flags on its own command line, and whatever kills it kills only it.
 *
 * How the process finds its code, in every world, without a second entry file: a task is defined with
 * the URL of the module that defines it (`import.meta.url`), and its process runs that file.
 * - vitest and tsx run the TypeScript sources: the file is the task's own `.ts` module, loaded through
 *   tsx's loader (`--import tsx`).
 * - An esbuild bundle (one ESM file per function) keeps `import.meta.url` as is, so every module in it
 *   answers with the bundle's own URL: the bundled handler runs itself as the sandboxed process, and
 *   finds the task registered by the same code that registered it in the function.
 * The process knows it is one by {@link SANDBOX_TASK_ENV}, which the runner sets and the process
 * removes from its environment at once.
 *
 * Limits and what they do not cover: the heap cap bounds JavaScript objects and is exact. Memory outside
 * the heap (ArrayBuffers, WebAssembly, libvips, canvas bitmaps) is bounded by the resident cap, which
 * the parent checks by sampling `/proc/<pid>/status` every {@link RESIDENT_SAMPLE_MS} ms while a job
 * runs: an allocation faster than that can overshoot it before the kill, so the pixel and size limits a
 * job checks before decoding stay the first line. Where there is no `/proc`, only the heap cap holds.
 */

/**
 * Smallest heap cap accepted. Node needs about 12 MiB of heap to start at all, and below ~4 MiB V8
 * crashes while starting (a process that could never serve a job).
 */
export const MIN_SANDBOX_MEMORY_MB = 16;

/**
 * How long a process may take to load its code. Not part of a job's budget: a slow start (a cold
 * container, a busy machine) says nothing about the document, so it fails untyped and is retried.
 */
export const SANDBOX_START_TIMEOUT_MS = 15_000;

/** Memory and time a sandboxed job may use. */
export interface SandboxLimits {
  /** Budget of the job, from handing it to a started process to its answer; over it the process is killed. */
  readonly budgetMs: number;
  /** V8 heap cap of the process (old and young generations), in MiB; over it the process dies. */
  readonly memoryMb: number;
  /**
   * Memory the process may hold outside its V8 heap beyond what it held once its code was loaded, in
   * MiB: decoded pixels, ArrayBuffers, WebAssembly memories. Over it (heap included) the process is killed.
   * @default memoryMb
   */
  readonly nativeMemoryMb?: number;
}

/** Time kept back from a function's remaining time for what follows a sandboxed job (writing results). */
export const DEFAULT_RESERVE_MS = 5_000;

/**
 * The budget of a sandboxed job inside one invocation: the configured budget, cut to what the function
 * has left after a process start and `reserveMs`, so the job is always stopped (and answered with a
 * typed error) before Lambda's own timeout would end the invocation untyped. Never below one second.
 */
export const budgetWithin = (
  configuredMs: number,
  remainingMs: number,
  reserveMs: number = DEFAULT_RESERVE_MS,
): number =>
  Math.max(1_000, Math.min(configuredMs, Math.floor(remainingMs - SANDBOX_START_TIMEOUT_MS - reserveMs)));

/** A job that runs in a sandboxed process: input and output must survive structured cloning. */
export interface SandboxedTask<I, O> {
  /** Unique in the process (and in a bundle): the sandboxed process looks the task up by it. */
  readonly name: string;
  /** The URL of the module that defines the task: the sandboxed process's entry. */
  readonly moduleUrl: string;
  /** The job itself. Errors it throws come out of the runner with the same name. */
  readonly run: (input: I) => Promise<O>;
}

const registry = new Map<string, SandboxedTask<unknown, unknown>>();

/**
 * Defines (and registers) a sandboxed task. Call it at the top level of the module that holds the
 * job, passing that module's `import.meta.url`, so that loading the module in a sandboxed process
 * registers the task again there. A module that defines a task must not act when imported (start a
 * server, read stdin): its sandboxed process imports it too.
 */
export const defineSandboxedTask = <I, O>(
  moduleUrl: string,
  name: string,
  run: (input: I) => Promise<O>,
): SandboxedTask<I, O> => {
  const existing = registry.get(name);
  if (existing && existing.moduleUrl !== moduleUrl) {
    throw new Error(`sandboxed task ${name} is defined twice: in ${existing.moduleUrl} and ${moduleUrl}`);
  }
  const task: SandboxedTask<I, O> = { name, moduleUrl, run };
  registry.set(name, task as SandboxedTask<unknown, unknown>);
  return task;
};

const validateLimits = ({ memoryMb, budgetMs, nativeMemoryMb }: Partial<SandboxLimits>): void => {
  if (memoryMb !== undefined && (!Number.isInteger(memoryMb) || memoryMb < MIN_SANDBOX_MEMORY_MB)) {
    throw new RangeError(`a sandboxed job needs at least ${MIN_SANDBOX_MEMORY_MB} MiB, got ${memoryMb}`);
  }
  if (nativeMemoryMb !== undefined && (!Number.isInteger(nativeMemoryMb) || nativeMemoryMb < 0)) {
    throw new RangeError(
      `a sandboxed job's memory outside its heap must be 0 MiB or more, got ${nativeMemoryMb}`,
    );
  }
  if (budgetMs !== undefined && (!Number.isInteger(budgetMs) || budgetMs < 1)) {
    throw new RangeError(`a sandboxed job needs a positive time budget, got ${budgetMs} ms`);
  }
};

const processLimits = (
  memoryMb: number,
  nativeMemoryMb: number | undefined,
  startTimeoutMs: number = SANDBOX_START_TIMEOUT_MS,
): ProcessLimits => ({ memoryMb, nativeMemoryMb: nativeMemoryMb ?? memoryMb, startTimeoutMs });

/**
 * Runs one job in a fresh child process under `limits` and stops the process afterwards: nothing the
 * input leaves behind (a bloated heap, a grown WebAssembly memory, a stray timer) meets another input.
 *
 * Errors:
 * - the job's own errors keep their name: rejections (`CorruptDocumentError`, …) come back as their
 *   class, anything else as an `Error` with the same `name` and message (a system fault, retried);
 * - over the time budget: `CorruptDocumentError` (a parser that does not finish on a bounded input is
 *   stuck on the input);
 * - over the heap cap or the resident cap: `DocumentTooLargeError`;
 * - the process dies some other way while the job runs (an uncaught error in a library's callback, an
 *   exit, a signal): `CorruptDocumentError`;
 * - the process cannot start (a packaging fault, a heap cap too small to load the code, a start over
 *   {@link SANDBOX_START_TIMEOUT_MS}): the start error, untyped, so the state machine retries it;
 * - input that cannot be cloned: the serializer's error, untyped.
 */
export const runSandboxed = async <I, O>(
  task: SandboxedTask<I, O>,
  input: I,
  limits: SandboxLimits,
): Promise<O> => {
  validateLimits(limits);
  const sandbox = new SandboxProcess(
    task as SandboxedTask<unknown, unknown>,
    processLimits(limits.memoryMb, limits.nativeMemoryMb),
  );
  try {
    return (await sandbox.run(input, limits.budgetMs)) as O;
  } finally {
    sandbox.terminate();
  }
};

/**
 * Share of a process's native allowance (`nativeMemoryMb`) that its jobs may leave behind, resident,
 * before it is replaced: the rest of the allowance stays for the next document.
 */
export const MAX_GROWTH_SHARE = 0.25;

export interface SandboxPoolOptions {
  /** Heap cap of each process, in MiB. */
  readonly memoryMb: number;
  /** See {@link SandboxLimits.nativeMemoryMb}. @default memoryMb */
  readonly nativeMemoryMb?: number;
  /** Processes kept started between jobs. @default 1 */
  readonly idleProcesses?: number;
  /**
   * Jobs a process serves before it is replaced (a failed job always retires its process, and so does
   * one after which the process holds more than {@link MAX_GROWTH_SHARE} of its native allowance
   * beyond its start). Starting one costs ~1 s of CPU (the whole bundle, pdf.js, sharp). @default 250
   */
  readonly maxJobsPerProcess?: number;
  /**
   * Start a process when the pool is made, so the first job does not wait for one: in a Lambda
   * environment this happens in the Init phase, where the pools are made at module scope.
   * @default true in a Lambda execution environment (`AWS_LAMBDA_FUNCTION_NAME` is set), never in a
   * sandboxed process itself (it loads the same bundle, and would start its own)
   */
  readonly prestart?: boolean;
  /** @default SANDBOX_START_TIMEOUT_MS */
  readonly startTimeoutMs?: number;
}

/**
 * Runs jobs of one task in reused child processes, with {@link runSandboxed}'s limits and errors. A
 * process serves the next job only after a job that succeeded; one that failed in any way (its own
 * error, the budget, a memory cap, a crash) is replaced. Starting a process costs more than most jobs
 * (it loads sharp, pdf.js, and in a bundle the whole function), so a warm Lambda container pays it once,
 * not per document, while a hostile document still never shares a process with the next one.
 */
export class SandboxPool<I, O> {
  readonly #task: SandboxedTask<unknown, unknown>;
  readonly #limits: ProcessLimits;
  readonly #idleProcesses: number;
  readonly #maxJobsPerProcess: number;
  readonly #idle: SandboxProcess[] = [];
  /**
   * A process retired for its age alone, after a job that succeeded: it takes jobs while its successor
   * (in {@link #idle}) starts, so that no job waits for a start the pool saw coming.
   */
  #retiring: SandboxProcess | undefined;
  #closed = false;

  constructor(task: SandboxedTask<I, O>, options: SandboxPoolOptions) {
    validateLimits({ memoryMb: options.memoryMb, nativeMemoryMb: options.nativeMemoryMb });
    this.#task = task as SandboxedTask<unknown, unknown>;
    this.#limits = processLimits(options.memoryMb, options.nativeMemoryMb, options.startTimeoutMs);
    this.#idleProcesses = options.idleProcesses ?? 1;
    this.#maxJobsPerProcess = options.maxJobsPerProcess ?? 250;
    const prestart =
      options.prestart ?? (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined && !servingSandboxedTask);
    if (prestart && this.#idleProcesses > 0) this.#idle.push(new SandboxProcess(this.#task, this.#limits));
  }

  /** Runs one job within `budgetMs` (see {@link runSandboxed} for the errors). */
  async run(input: I, budgetMs: number): Promise<O> {
    if (this.#closed) throw new Error(`the ${this.#task.name} pool is closed`);
    validateLimits({ budgetMs });
    const sandbox = this.#acquire();
    try {
      return (await sandbox.run(input, budgetMs)) as O;
    } finally {
      this.#release(sandbox);
    }
  }

  /** Stops every idle process; jobs in flight finish on theirs, which then stop. */
  close(): void {
    this.#closed = true;
    for (const sandbox of this.#idle.splice(0)) sandbox.terminate();
    this.#retire();
  }

  #acquire(): SandboxProcess {
    for (let sandbox = this.#idle.pop(); sandbox; sandbox = this.#idle.pop()) {
      if (!sandbox.usable) continue;
      const retiring = this.#retiring;
      if (!sandbox.started && retiring?.usable) {
        // The successor is still starting: its predecessor takes this job.
        this.#idle.push(sandbox);
        this.#retiring = undefined;
        return retiring;
      }
      this.#retire();
      return sandbox;
    }
    return new SandboxProcess(this.#task, this.#limits);
  }

  #release(sandbox: SandboxProcess): void {
    const healthy =
      !this.#closed &&
      sandbox.usable &&
      // Kept below the resident cap by a margin, so that leftovers never make an innocent document TOO_LARGE.
      sandbox.grownMb <= this.#limits.nativeMemoryMb * MAX_GROWTH_SHARE;
    const room = this.#idle.length < this.#idleProcesses;
    if (healthy && sandbox.jobs < this.#maxJobsPerProcess) {
      if (room) this.#idle.push(sandbox);
      else sandbox.terminate();
      return;
    }
    // Replaced: by a process that starts now, not when the next job comes.
    const successor =
      this.#idle.find((idle) => !idle.started) ?? (room && !this.#closed ? this.#spawn() : undefined);
    if (!healthy || !successor || this.#retiring) {
      sandbox.terminate();
      return;
    }
    this.#retiring = sandbox;
    void successor.whenStarted().then(() => {
      if (this.#retiring === sandbox && sandbox.usable) this.#retire();
    });
  }

  #spawn(): SandboxProcess {
    const sandbox = new SandboxProcess(this.#task, this.#limits);
    this.#idle.push(sandbox);
    return sandbox;
  }

  /**
   * Stops the retiring process. One running a job is not retiring (#acquire took it out): it is
   * judged again when that job is released.
   */
  #retire(): void {
    const retiring = this.#retiring;
    this.#retiring = undefined;
    if (retiring?.usable) retiring.terminate();
  }
}

/**
 * The pool class of one task, made with the heap cap alone: a port's adapter extends it and adds the
 * port's method, which runs the job within the budget its input carries
 * (`class SandboxedThumbnailRenderer extends sandboxPoolOf(THUMBNAIL_TASK) implements ThumbnailRenderer`).
 * `options` are the task's own, the same wherever it runs (a task few documents need starts no
 * process ahead: `{ prestart: false }`).
 */
export const sandboxPoolOf = <I, O>(
  task: SandboxedTask<I, O>,
  options: Pick<SandboxPoolOptions, 'prestart'> = {},
) =>
  class extends SandboxPool<I, O> {
    constructor(limits: Pick<SandboxLimits, 'memoryMb'>) {
      super(task, { ...options, memoryMb: limits.memoryMb });
    }
  };

/** Sends a message to the parent, then calls `after` (also when the channel is gone). */
const sendToParent = (message: ChildMessage, after?: () => void): void => {
  try {
    process.send?.(message, undefined, undefined, () => after?.());
  } catch (error) {
    // An answer that cannot be cloned: the job's fault, reported as its error.
    if (message.type !== 'result') throw error;
    const { name, message: text } = error as Error;
    sendToParent({ type: 'error', name, message: text }, after);
  }
};

/** Name and message of anything thrown (an Error's own are not enumerable: they must be copied). */
const describe = (error: unknown): { name: string; message: string } =>
  error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };

/** The sandbox side: runs when this module is loaded in a process that a runner above started. */
const serveSandboxedTask = async ({ name, moduleUrl }: SandboxedTaskSpec): Promise<void> => {
  // The parent is gone (its process ended, or it stopped this one): nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (error) => {
    console.error(error);
    sendToParent({ type: 'crashed', ...describe(error) }, () => process.exit(70));
  });
  // The entry module (the task's module, or the whole bundle) imported this one and is still being
  // evaluated; importing it again settles once it has finished, with every task registered.
  await import(moduleUrl);
  const task = registry.get(name);
  if (!task) throw new Error(`sandboxed task ${name} is not defined in ${moduleUrl}`);
  process.on('message', (input: unknown) => {
    Promise.resolve(input)
      .then(task.run)
      .then(
        (value) => sendToParent({ type: 'result', value }),
        (error: unknown) => sendToParent({ type: 'error', ...describe(error) }),
      );
  });
  sendToParent({ type: 'ready' });
};

const sandboxSpec = process.env[SANDBOX_TASK_ENV];
/** Whether this process is a sandboxed one, serving a task for its parent. */
const servingSandboxedTask = sandboxSpec !== undefined && process.send !== undefined;
if (servingSandboxedTask) {
  // Not passed on to what this process may start itself.
  delete process.env[SANDBOX_TASK_ENV];
  // A failure here (a task missing from the module, an import that fails) is an uncaught error,
  // reported as `crashed` before `ready`: the runner reports a start failure.
  void serveSandboxedTask(JSON.parse(sandboxSpec as string) as SandboxedTaskSpec);
}
