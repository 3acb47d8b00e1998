import { type ChildProcess, fork, type Serializable } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
} from '../documents/errors';
import {
  diedOfHeapExhaustion,
  errorLine,
  residentMb,
  SANDBOX_TASK_ENV,
  type SandboxedTaskSpec,
  sandboxEnv,
  sandboxExecArgv,
} from './sandbox-process';

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

/** How often a running job's resident memory is sampled. */
export const RESIDENT_SAMPLE_MS = 50;

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

/**
 * What a sandboxed process sends back: `ready` once its code is loaded, then one answer per job;
 * `crashed` when an error escapes every job (a library's callback), just before it exits.
 */
type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly name: string; readonly message: string }
  | { readonly type: 'crashed'; readonly name: string; readonly message: string };

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

const REJECTIONS: Record<RejectionErrorName, new (detail: string) => DocumentRejectedError> = {
  EmptyDocumentError,
  UnsupportedDocumentError,
  CorruptDocumentError,
  EncryptedDocumentError,
  DocumentTooLargeError,
  DocumentNotFoundError,
};

/** Rebuilds an error that crossed the process boundary: rejections as their class, others by name. */
const reviveError = (name: string, message: string): Error => {
  if (Object.hasOwn(REJECTIONS, name)) {
    return new REJECTIONS[name as RejectionErrorName](parseRejectionMessage(message).detail);
  }
  return Object.assign(new Error(message), { name });
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

/** Bytes of a sandboxed process's stderr kept to read its last words (V8's OOM report is ~3 KiB). */
const STDERR_TAIL_BYTES = 16 * 1024;

/** How long a dead process's stderr may take to drain before its death is judged without the rest. */
const STDERR_DRAIN_MS = 1_000;

interface PendingJob {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly sampler: NodeJS.Timeout | undefined;
}

interface ProcessLimits {
  readonly memoryMb: number;
  readonly nativeMemoryMb: number;
  readonly startTimeoutMs: number;
}

/**
 * One child process serving one task, one job at a time. It dies (and fails what it was doing with a
 * typed error) when a job overruns its budget, exhausts a memory cap, or crashes the process. It serves
 * another job only after one that succeeded: a job that failed, even cleanly, may have left its decoder
 * broken (an Emscripten module that aborted stays aborted), and the next document must not pay for it.
 */
class SandboxProcess {
  readonly #task: SandboxedTask<unknown, unknown>;
  readonly #limits: ProcessLimits;
  readonly #child: ChildProcess | undefined;
  readonly #ready: Promise<void>;
  #pending: PendingJob | undefined;
  #residentCapMb: number | undefined;
  #startMb: number | undefined;
  #stderrTail = '';
  #busy = false;
  #dead = false;
  #failed = false;
  #jobs = 0;

  constructor(task: SandboxedTask<unknown, unknown>, limits: ProcessLimits) {
    this.#task = task;
    this.#limits = limits;
    let child: ChildProcess;
    try {
      const spec: SandboxedTaskSpec = { name: task.name, moduleUrl: task.moduleUrl };
      child = fork(fileURLToPath(task.moduleUrl), [], {
        execArgv: sandboxExecArgv(process.execArgv, task.moduleUrl, limits.memoryMb),
        env: sandboxEnv(process.env, spec),
        // Structured clone, as between threads: typed arrays and Maps cross as themselves, not as JSON.
        serialization: 'advanced',
        // Piped, not inherited: its output reaches wherever this process's goes (a local runner's
        // thread included), and its stderr is read for the last words of a process that dies.
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    } catch (error) {
      this.#dead = true;
      this.#ready = Promise.reject(error);
      this.#ready.catch(() => undefined);
      return;
    }
    this.#child = child;
    // Until it runs a job, a process started ahead (see SandboxPool) must not keep this one alive.
    this.#ref(false);
    // Written through, not piped: a pipe per process would pile listeners on this process's stdout.
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    this.#ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.terminate();
        reject(new Error(`the ${task.name} process did not start within ${limits.startTimeoutMs} ms`));
      }, limits.startTimeoutMs);
      const started = (message: ChildMessage): void => {
        clearTimeout(timer);
        child.off('message', started);
        child.off('error', failedToStart);
        child.off('exit', exitedBeforeStart);
        if (message.type !== 'ready') {
          this.terminate();
          const why = message.type === 'crashed' ? message.message : `a ${message.type} message`;
          reject(new Error(`the ${task.name} process failed before it started: ${why}`));
          return;
        }
        const startMb = residentMb(child.pid ?? -1);
        if (startMb !== undefined) {
          this.#startMb = startMb;
          this.#residentCapMb = Math.ceil(startMb) + limits.memoryMb + limits.nativeMemoryMb;
        }
        child.on('message', (answer: ChildMessage) => this.#answer(answer));
        // The process could not be signalled or written to: a fault of the system, not of a document.
        child.on('error', (error) => this.#fail(error));
        child.on('exit', (code, signal) => this.#exited(code, signal));
        resolve();
      };
      // Not the document's fault (a packaging fault, a heap cap too small for the code): untyped.
      const failedToStart = (error: Error): void => {
        clearTimeout(timer);
        this.terminate();
        reject(error);
      };
      const exitedBeforeStart = (code: number | null, signal: NodeJS.Signals | null): void => {
        clearTimeout(timer);
        this.#dead = true;
        void this.#lastWords().then((stderr) => {
          const why = errorLine(stderr);
          reject(
            new Error(
              `the ${task.name} process exited (${exitStatus(code, signal)}) before it started${why ? `: ${why}` : ''}`,
            ),
          );
        });
      };
      child.on('message', started);
      child.once('error', failedToStart);
      child.once('exit', exitedBeforeStart);
    });
    // Nobody may be waiting yet; the rejection is delivered to whoever runs a job on this process.
    this.#ready.catch(() => undefined);
  }

  /** Whether the process can take another job. */
  get usable(): boolean {
    return !this.#dead && !this.#busy && !this.#failed;
  }

  get jobs(): number {
    return this.#jobs;
  }

  /**
   * Resident memory held now beyond what the process held once its code was loaded, in MiB: what
   * its jobs left behind. 0 where it cannot be read.
   */
  get grownMb(): number {
    const now = this.#child?.pid === undefined ? undefined : residentMb(this.#child.pid);
    return now === undefined || this.#startMb === undefined ? 0 : now - this.#startMb;
  }

  /** Runs one job; the process must be {@link usable}. */
  async run(input: unknown, budgetMs: number): Promise<unknown> {
    if (!this.usable) throw new Error(`the ${this.#task.name} process is busy or stopped`);
    this.#busy = true;
    this.#jobs += 1;
    this.#ref(true);
    try {
      await this.#ready;
      const child = this.#child as ChildProcess;
      // Last words are read for this job only.
      this.#stderrTail = '';
      return await new Promise<unknown>((resolve, reject) => {
        try {
          // A process that died while idle cannot take the job: untyped, retried, not the document's fault.
          child.send(input as Serializable, (error) => {
            if (error) this.#fail(error);
          });
        } catch (error) {
          // Input that cannot be cloned (a function): a bug of the caller, never a verdict on a document.
          this.#failed = true;
          throw error;
        }
        const timer = setTimeout(() => {
          this.#fail(
            new CorruptDocumentError(
              `${this.#task.name} exceeded its ${budgetMs} ms budget; the document may be malformed or hostile`,
            ),
          );
        }, budgetMs);
        const sampler =
          this.#residentCapMb === undefined
            ? undefined
            : setInterval(() => this.#sampleResident(child.pid ?? -1), RESIDENT_SAMPLE_MS);
        this.#pending = { resolve, reject, timer, sampler };
      });
    } finally {
      this.#busy = false;
      // An idle process must not keep this one alive (a CLI, a test run, a Lambda between invocations).
      this.#ref(false);
    }
  }

  /** Kills the process; a pending job fails. A process stuck in native code dies all the same. */
  terminate(): void {
    this.#dead = true;
    this.#child?.kill('SIGKILL');
  }

  #ref(active: boolean): void {
    const child = this.#child;
    if (!child) return;
    // The pipes are sockets, whose `ref`/`unref` the stream types do not show.
    const handles = [child, child.channel, child.stdout, child.stderr] as (
      | { ref?(): void; unref?(): void }
      | null
      | undefined
    )[];
    for (const handle of handles) {
      if (active) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  #settle(): PendingJob | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      clearInterval(pending.sampler);
    }
    return pending;
  }

  #answer(message: ChildMessage): void {
    if (message.type === 'result') {
      this.#settle()?.resolve(message.value);
    } else if (message.type === 'error') {
      this.#failed = true;
      this.#settle()?.reject(reviveError(message.name, message.message));
    } else if (message.type === 'crashed') {
      // An error thrown outside the job's promise chain (a library's callback): the process exits next.
      this.#fail(new CorruptDocumentError(`${this.#task.name} crashed: ${message.message}`));
    }
  }

  #sampleResident(pid: number): void {
    const cap = this.#residentCapMb;
    const held = residentMb(pid);
    if (cap === undefined || held === undefined || held <= cap) return;
    const { memoryMb, nativeMemoryMb } = this.#limits;
    this.#fail(
      new DocumentTooLargeError(
        `${this.#task.name} held more than ${cap} MiB of memory (its ${memoryMb} MiB heap and ${nativeMemoryMb} MiB outside it); the document may be hostile`,
      ),
    );
  }

  /** Kills the process and fails its job with `error`. */
  #fail(error: Error): void {
    this.terminate();
    this.#settle()?.reject(error);
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#dead = true;
    if (!this.#pending) return;
    void this.#lastWords().then((stderr) => {
      if (diedOfHeapExhaustion(stderr)) {
        this.#fail(
          new DocumentTooLargeError(
            `${this.#task.name} needed more than its ${this.#limits.memoryMb} MiB of memory; the document may be hostile`,
          ),
        );
      } else {
        this.#fail(
          new CorruptDocumentError(
            `${this.#task.name} stopped (${exitStatus(code, signal)}) before it answered`,
          ),
        );
      }
    });
  }

  /** The tail of the process's stderr, once it has drained (or after a short wait, if it does not). */
  #lastWords(): Promise<string> {
    const stderr = this.#child?.stderr;
    if (!stderr || stderr.readableEnded) return Promise.resolve(this.#stderrTail);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.#stderrTail);
      };
      const timer = setTimeout(done, STDERR_DRAIN_MS);
      stderr.once('end', done);
      stderr.once('close', done);
    });
  }
}

const exitStatus = (code: number | null, signal: NodeJS.Signals | null): string =>
  signal ? `signal ${signal}` : `exit code ${code}`;

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
  }

  #acquire(): SandboxProcess {
    for (let sandbox = this.#idle.pop(); sandbox; sandbox = this.#idle.pop()) {
      if (sandbox.usable) return sandbox;
    }
    return new SandboxProcess(this.#task, this.#limits);
  }

  #release(sandbox: SandboxProcess): void {
    const keep =
      !this.#closed &&
      sandbox.usable &&
      sandbox.jobs < this.#maxJobsPerProcess &&
      this.#idle.length < this.#idleProcesses &&
      // Kept below the resident cap by a margin, so that leftovers never make an innocent document TOO_LARGE.
      sandbox.grownMb <= this.#limits.nativeMemoryMb * MAX_GROWTH_SHARE;
    if (keep) this.#idle.push(sandbox);
    else sandbox.terminate();
  }
}

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
