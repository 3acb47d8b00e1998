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
  type SandboxedTaskSpec,
  sandboxEnv,
  sandboxExecArgv,
} from './sandbox-process';
import type { SandboxedTask } from './sandboxed-task';

/**
 * One sandboxed process seen from its parent: started, handed jobs one at a time, watched for its
 * budget and memory, and judged by how it died. `sandboxed-task.ts` runs jobs on it, once or pooled.
 */

/** How often a running job's resident memory is sampled. */
export const RESIDENT_SAMPLE_MS = 50;

/**
 * What a sandboxed process sends back: `ready` once its code is loaded, then one answer per job;
 * `crashed` when an error escapes every job (a library's callback), just before it exits.
 */
export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly name: string; readonly message: string }
  | { readonly type: 'crashed'; readonly name: string; readonly message: string };

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

export interface ProcessLimits {
  readonly memoryMb: number;
  readonly nativeMemoryMb: number;
  readonly startTimeoutMs: number;
}

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

/**
 * One child process serving one task, one job at a time. It dies (and fails what it was doing with a
 * typed error) when a job overruns its budget, exhausts a memory cap, or crashes the process. It serves
 * another job only after one that succeeded: a job that failed, even cleanly, may have left its decoder
 * broken (an Emscripten module that aborted stays aborted), and the next document must not pay for it.
 */
export class SandboxProcess {
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
  #started = false;
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
        this.#started = true;
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

  /** Whether its code is loaded: a job given now starts at once. */
  get started(): boolean {
    return this.#started;
  }

  /** Settles once the process has started (or failed to: a job given to it would fail the same way). */
  whenStarted(): Promise<void> {
    return this.#ready.catch(() => undefined);
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
