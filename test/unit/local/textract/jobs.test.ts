import { describe, expect, it } from 'vitest';
import { TextractError } from '../../../../local/textract/errors';
import { type Job, JobRegistry, type JobResult, type JobRunner } from '../../../../local/textract/jobs';

const request = { location: { bucket: 'bucket', name: 'doc.pdf' } };
const succeeded: JobResult = { status: 'SUCCEEDED', pages: 1, blocks: [], warnings: [] };

/** A runner whose jobs finish only when the test says so. */
const controlledRunner = () => {
  const pending = new Map<string, (result: JobResult) => void>();
  const started: string[] = [];
  const run: JobRunner = (job) =>
    new Promise<JobResult>((resolve) => {
      started.push(job.jobId);
      pending.set(job.jobId, resolve);
    });
  const finish = (jobId: string, result: JobResult = succeeded): void => pending.get(jobId)?.(result);
  return { run, started, finish };
};

const finishedJobs = () => {
  const finished: Job[] = [];
  const waiters: Array<() => void> = [];
  return {
    finished,
    onFinished: async (job: Job) => {
      finished.push(job);
      for (const wake of waiters.splice(0)) wake();
    },
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
};

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('JobRegistry', () => {
  it('returns a 64-hex job id at once and runs the job in the background', async () => {
    // Prepare
    const runner = controlledRunner();
    const done = finishedJobs();
    const jobs = new JobRegistry(runner.run, done.onFinished);

    // Act
    const job = jobs.start(request);
    const startedBeforeReturn = runner.started.length;
    await tick();
    const finishing = done.next();
    runner.finish(job.jobId);
    await finishing;

    // Assess
    expect(job.jobId).toMatch(/^[0-9a-f]{64}$/);
    expect(startedBeforeReturn).toBe(0);
    expect(jobs.get(job.jobId)?.result).toEqual(succeeded);
    expect(done.finished.map((finished) => finished.jobId)).toEqual([job.jobId]);
  });

  it('refuses a job beyond the in-progress quota with LimitExceededException, and accepts one after', async () => {
    // Prepare
    const runner = controlledRunner();
    const done = finishedJobs();
    const jobs = new JobRegistry(runner.run, done.onFinished, { maxActiveJobs: 2, concurrency: 2 });
    const first = jobs.start(request);
    jobs.start(request);

    // Act
    const refused = (() => {
      try {
        jobs.start(request);
      } catch (error) {
        return error;
      }
    })();
    await tick();
    const finishing = done.next();
    runner.finish(first.jobId);
    await finishing;
    const accepted = jobs.start(request);

    // Assess
    expect(refused).toBeInstanceOf(TextractError);
    expect((refused as TextractError).name).toBe('LimitExceededException');
    expect(jobs.get(accepted.jobId)?.result).toBeUndefined();
  });

  it('runs jobs one at a time, in the order they were started', async () => {
    // Prepare
    const runner = controlledRunner();
    const done = finishedJobs();
    const jobs = new JobRegistry(runner.run, done.onFinished, { maxActiveJobs: 5, concurrency: 1 });
    const first = jobs.start(request);
    const second = jobs.start(request);

    // Act
    await tick();
    const runningAtFirst = [...runner.started];
    const finishing = done.next();
    runner.finish(first.jobId);
    await finishing;
    for (let i = 0; i < 10 && runner.started.length < 2; i++) await tick();

    // Assess
    expect(runningAtFirst).toEqual([first.jobId]);
    expect(runner.started).toEqual([first.jobId, second.jobId]);
  });

  it('records a job whose runner throws as FAILED with an InternalServerError status message', async () => {
    // Prepare
    const done = finishedJobs();
    const jobs = new JobRegistry(() => Promise.reject(new Error('disk on fire')), done.onFinished);

    // Act
    const finishing = done.next();
    const job = jobs.start(request);
    await finishing;

    // Assess
    expect(jobs.get(job.jobId)?.result).toEqual({
      status: 'FAILED',
      statusMessage: 'InternalServerError: disk on fire',
      pages: 0,
      blocks: [],
      warnings: [],
    });
  });

  it('finds the job of a known ClientRequestToken, and refuses the token with other parameters', () => {
    // Prepare
    const runner = controlledRunner();
    const jobs = new JobRegistry(runner.run, async () => {});
    const job = jobs.start(request, { value: 'token', fingerprint: 'a' });

    // Act
    const same = jobs.byToken('token', 'a');
    const unknown = jobs.byToken('other', 'a');
    const mismatch = (() => {
      try {
        return jobs.byToken('token', 'b');
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(same?.jobId).toBe(job.jobId);
    expect(unknown).toBeUndefined();
    expect((mismatch as TextractError).name).toBe('IdempotentParameterMismatchException');
  });

  it('forgets the oldest finished jobs beyond its retention', async () => {
    // Prepare
    const done = finishedJobs();
    const jobs = new JobRegistry(async () => succeeded, done.onFinished, { maxRetainedJobs: 1 });

    // Act
    let finishing = done.next();
    const first = jobs.start(request, { value: 'first', fingerprint: 'x' });
    await finishing;
    finishing = done.next();
    const second = jobs.start(request);
    await finishing;

    // Assess
    expect(jobs.get(first.jobId)).toBeUndefined();
    expect(jobs.byToken('first', 'x')).toBeUndefined();
    expect(jobs.get(second.jobId)?.result?.status).toBe('SUCCEEDED');
  });

  it('aborts the running job and drops the queued ones on stop', async () => {
    // Prepare
    const signals: AbortSignal[] = [];
    const done = finishedJobs();
    const jobs = new JobRegistry(
      (_, signal) => {
        signals.push(signal);
        return new Promise<JobResult>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      done.onFinished,
      { maxActiveJobs: 5 },
    );
    const running = jobs.start(request);
    const queued = jobs.start(request);
    await tick();

    // Act
    await jobs.stop();

    // Assess
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(jobs.get(running.jobId)?.result).toBeUndefined();
    expect(jobs.get(queued.jobId)?.result).toBeUndefined();
    expect(done.finished).toEqual([]);
  });
});
