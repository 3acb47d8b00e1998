import { randomBytes } from 'node:crypto';
import type { Block, JobStatus, Warning } from '@aws-sdk/client-textract';
import { TextractError } from './errors';

/** Where the document of a job lives. */
export interface S3Location {
  readonly bucket: string;
  readonly name: string;
  readonly version?: string;
}

/** What a text-detection job was started with. */
export interface JobRequest {
  readonly location: S3Location;
  readonly jobTag?: string;
  readonly notificationTopicArn?: string;
}

/** The outcome of a finished job. */
export interface JobResult {
  readonly status: Exclude<JobStatus, 'IN_PROGRESS'>;
  readonly statusMessage?: string;
  readonly pages: number;
  readonly blocks: readonly Block[];
  readonly warnings: readonly Warning[];
}

export interface Job {
  readonly jobId: string;
  readonly request: JobRequest;
  readonly createdAt: number;
  result?: JobResult;
}

export interface JobRegistryOptions {
  /** Jobs in progress (queued or running) at once; more get `LimitExceededException`. @default 2 */
  readonly maxActiveJobs?: number;
  /** Jobs running at once; the others wait in order. @default 1 */
  readonly concurrency?: number;
  /** Finished jobs kept for `Get…` calls; the oldest are forgotten first. @default 500 */
  readonly maxRetainedJobs?: number;
}

/** Runs one job to its result; `signal` aborts between pages when the service stops. */
export type JobRunner = (job: Job, signal: AbortSignal) => Promise<JobResult>;

/**
 * The in-process job queue of the local Textract: idempotent starts by `ClientRequestToken`, a cap on
 * jobs in progress (Textract's concurrent-job quota), FIFO execution in the background, and the
 * results kept in memory for paging.
 */
export class JobRegistry {
  readonly #jobs = new Map<string, Job>();
  readonly #tokens = new Map<string, { jobId: string; fingerprint: string }>();
  readonly #queue: Job[] = [];
  readonly #running = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #maxActive: number;
  readonly #concurrency: number;
  readonly #maxRetained: number;
  readonly #run: JobRunner;
  readonly #onFinished: (job: Job) => Promise<void>;

  constructor(run: JobRunner, onFinished: (job: Job) => Promise<void>, options: JobRegistryOptions = {}) {
    this.#run = run;
    this.#onFinished = onFinished;
    this.#maxActive = options.maxActiveJobs ?? 2;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#maxRetained = options.maxRetainedJobs ?? 500;
  }

  get(jobId: string): Job | undefined {
    return this.#jobs.get(jobId);
  }

  /** The job an earlier start with this token created, or undefined when the token is new. */
  byToken(token: string, fingerprint: string): Job | undefined {
    const known = this.#tokens.get(token);
    if (!known) return undefined;
    if (known.fingerprint !== fingerprint) {
      throw new TextractError(
        'IdempotentParameterMismatchException',
        'The ClientRequestToken was already used with different parameters',
      );
    }
    return this.#jobs.get(known.jobId);
  }

  /** Queues a new job, or throws `LimitExceededException` when too many are in progress. */
  start(request: JobRequest, token?: { value: string; fingerprint: string }): Job {
    if (this.#abort.signal.aborted) throw new TextractError('InternalServerError', 'The service is stopping');
    const active = [...this.#jobs.values()].filter((job) => !job.result).length;
    if (active >= this.#maxActive) {
      throw new TextractError(
        'LimitExceededException',
        `Too many jobs in progress: the limit of concurrent jobs (${this.#maxActive}) is reached`,
      );
    }
    // Textract job ids are 64 hex characters.
    const job: Job = { jobId: randomBytes(32).toString('hex'), request, createdAt: Date.now() };
    this.#jobs.set(job.jobId, job);
    if (token) this.#tokens.set(token.value, { jobId: job.jobId, fingerprint: token.fingerprint });
    this.#queue.push(job);
    this.#pump();
    return job;
  }

  /** Stops taking jobs, aborts the running ones between pages and waits for them to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#queue.length = 0;
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    while (this.#running.size < this.#concurrency && !this.#abort.signal.aborted) {
      const job = this.#queue.shift();
      if (!job) return;
      const running: Promise<void> = this.#execute(job).finally(() => {
        this.#running.delete(running);
        this.#pump();
      });
      this.#running.add(running);
    }
  }

  async #execute(job: Job): Promise<void> {
    // Let the start call return its JobId before any work happens, as Textract does.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      job.result = await this.#run(job, this.#abort.signal);
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      job.result = {
        status: 'FAILED',
        statusMessage: `InternalServerError: ${error instanceof Error ? error.message : String(error)}`,
        pages: 0,
        blocks: [],
        warnings: [],
      };
    }
    this.#forgetOldJobs();
    await this.#onFinished(job);
  }

  #forgetOldJobs(): void {
    const finished = [...this.#jobs.values()].filter((job) => job.result);
    for (const job of finished.slice(0, Math.max(0, finished.length - this.#maxRetained))) {
      this.#jobs.delete(job.jobId);
      for (const [token, known] of this.#tokens) if (known.jobId === job.jobId) this.#tokens.delete(token);
    }
  }
}
