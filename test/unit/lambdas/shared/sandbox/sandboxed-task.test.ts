import { describe, expect, it } from 'vitest';
import {
  CorruptDocumentError,
  DocumentRejectedError,
  DocumentTooLargeError,
} from '../../../../../lambdas/shared/documents/errors';
import {
  budgetWithin,
  defineSandboxedTask,
  runSandboxed,
  SANDBOX_START_TIMEOUT_MS,
  type SandboxLimits,
  SandboxPool,
} from '../../../../../lambdas/shared/sandbox/sandboxed-task';
import { processAlive } from '../../../../../local/process-alive';
import {
  allocateAtOnce,
  allocateWithoutBound,
  echo,
  exiting,
  heapLimit,
  holdOutsideHeap,
  leaveBehind,
  processStartedAt,
  spinForever,
  throwing,
  uncaught,
  whichProcess,
} from '../../../../support/hostile-tasks';

const LIMITS: SandboxLimits = { budgetMs: 5_000, memoryMb: 128 };
/** A small heap and a budget long enough that only the heap cap can stop a job that allocates. */
const HEAP_CAPPED: SandboxLimits = { budgetMs: 8_000, memoryMb: 64 };

/** Runs a job and returns how it ended and how long that took. */
const timed = async <T>(job: () => Promise<T>) => {
  const started = performance.now();
  const outcome = await job().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error as Error }),
  );
  return { ...outcome, elapsedMs: performance.now() - started };
};

describe('runSandboxed', () => {
  it('runs the job in a child process and returns its output, binary data included', async () => {
    // Prepare
    const bytes = new Uint8Array([1, 2, 3, 250]);

    // Act
    const output = await runSandboxed(echo, { value: { bytes, label: 'x' } }, LIMITS);

    // Assess
    expect(output).toEqual({ bytes: new Uint8Array([1, 2, 3, 250]), label: 'x' });
  });

  it('kills a job that spins forever at its budget: CorruptDocumentError naming the budget', async () => {
    // Act
    const { error, elapsedMs } = await timed(() =>
      runSandboxed(spinForever, null, { budgetMs: 700, memoryMb: 64 }),
    );

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect(error?.message).toBe(
      'CORRUPT: test.spin-forever exceeded its 700 ms budget; the document may be malformed or hostile',
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(690);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it.each([
    {
      how: 'allocates without bound',
      name: 'test.allocate-without-bound',
      job: () => runSandboxed(allocateWithoutBound, null, HEAP_CAPPED),
    },
    {
      how: 'makes one huge allocation',
      name: 'test.allocate-at-once',
      job: () => runSandboxed(allocateAtOnce, { length: 100_000_000 }, HEAP_CAPPED),
    },
  ])(
    'kills a job that $how at its heap cap, and only its process: DocumentTooLargeError',
    async ({ name, job }) => {
      // Act
      const { error, elapsedMs } = await timed(job);
      const after = await runSandboxed(echo, { value: 'still here' }, LIMITS);

      // Assess
      expect(error).toBeInstanceOf(DocumentTooLargeError);
      expect(error?.message).toBe(
        `TOO_LARGE: ${name} needed more than its 64 MiB of memory; the document may be hostile`,
      );
      expect(elapsedMs).toBeLessThan(HEAP_CAPPED.budgetMs);
      expect(after).toBe('still here');
    },
  );

  it('caps the whole V8 heap of the process, young generation included, at memoryMb', async () => {
    // Act
    const limitMb = await runSandboxed(heapLimit, null, { budgetMs: 5_000, memoryMb: 96 });

    // Assess
    expect(limitMb).toBe(96);
  });

  it.runIf(process.platform === 'linux')(
    'kills a job that holds memory outside its heap past the resident cap: DocumentTooLargeError',
    async () => {
      // Act
      const { error } = await timed(() =>
        runSandboxed(holdOutsideHeap, null, { ...HEAP_CAPPED, nativeMemoryMb: 64 }),
      );

      // Assess
      expect(error).toBeInstanceOf(DocumentTooLargeError);
      expect(error?.message).toMatch(
        /^TOO_LARGE: test\.hold-outside-heap held more than \d+ MiB of memory \(its 64 MiB heap and 64 MiB outside it\); the document may be hostile$/,
      );
    },
  );

  it('keeps the class of a rejection the job throws', async () => {
    // Act
    const { error } = await timed(() => runSandboxed(throwing, { kind: 'corrupt' }, LIMITS));

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect(error?.message).toBe('CORRUPT: the test says so');
  });

  it('keeps the name of any other error, which is not a rejection (the system failed, not the input)', async () => {
    // Act
    const { error } = await timed(() => runSandboxed(throwing, { kind: 'type-error' }, LIMITS));

    // Assess
    expect(error).not.toBeInstanceOf(DocumentRejectedError);
    expect(error?.name).toBe('TypeError');
    expect(error?.message).toBe('cannot read properties of undefined');
  });

  it.each([
    { job: uncaught, message: 'CORRUPT: test.uncaught crashed: offset is out of bounds' },
    { job: exiting, message: 'CORRUPT: test.exiting stopped (exit code 3) before it answered' },
  ])(
    'answers CorruptDocumentError when the process dies under the job ($job.name)',
    async ({ job, message }) => {
      // Act
      const { error } = await timed(() => runSandboxed(job, null, LIMITS));

      // Assess
      expect(error).toBeInstanceOf(CorruptDocumentError);
      expect(error?.message).toBe(message);
    },
  );

  it('fails untyped when the process cannot even start: a packaging fault, retried, never a rejection', async () => {
    // Prepare
    const missing = defineSandboxedTask(
      new URL('./no-such-module.ts', import.meta.url).href,
      'test.missing-module',
      async () => 'unreachable',
    );

    // Act
    const { error } = await timed(() => runSandboxed(missing, null, LIMITS));

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DocumentRejectedError);
    expect(error?.message).toMatch(/no-such-module/);
  });

  it('refuses a heap cap too small to start a process (V8 would crash while starting)', async () => {
    // Act
    const { error } = await timed(() => runSandboxed(echo, { value: 1 }, { budgetMs: 1_000, memoryMb: 4 }));

    // Assess
    expect(error).toBeInstanceOf(RangeError);
    expect(error?.message).toBe('a sandboxed job needs at least 16 MiB, got 4');
  });

  it('refuses input that cannot cross into a process: a clone error, not a verdict on a document', async () => {
    // Act
    const { error } = await timed(() => runSandboxed(echo, { value: () => 1 }, LIMITS));

    // Assess
    expect(error?.message).toMatch(/could not be cloned/);
    expect(error).not.toBeInstanceOf(DocumentRejectedError);
  });

  it('runs jobs side by side, each in its own process', async () => {
    // Act
    const outputs = await Promise.all(
      [1, 2, 3].map((value) => runSandboxed(echo, { value, delayMs: 50 }, LIMITS)),
    );

    // Assess
    expect(outputs).toEqual([1, 2, 3]);
  });

  it('refuses a second task under a name another module already uses', () => {
    // Act
    const act = () => defineSandboxedTask('file:///elsewhere.ts', 'test.echo', async () => 0);

    // Assess
    expect(act).toThrow(/sandboxed task test\.echo is defined twice/);
  });
});

describe('SandboxPool', () => {
  it('reuses a process after a job that succeeded, and replaces it after one that failed', async () => {
    // Prepare
    const pool = new SandboxPool(whichProcess, { memoryMb: 64 });

    // Act
    const first = await pool.run({ fail: false }, 5_000);
    const second = await pool.run({ fail: false }, 5_000);
    const failed = await timed(() => pool.run({ fail: true }, 5_000));
    const afterFailure = await pool.run({ fail: false }, 5_000);
    pool.close();

    // Assess
    expect(second).toBe(first);
    expect(failed.error).toBeInstanceOf(CorruptDocumentError);
    expect(failed.error?.message).toBe(`CORRUPT: thrown in process ${first}`);
    expect(afterFailure).not.toBe(first);
  });

  it('replaces a process killed at its budget, and the next job runs normally', async () => {
    // Prepare
    const spinning = new SandboxPool(spinForever, { memoryMb: 64 });

    // Act
    const killed = await timed(() => spinning.run(null, 500));
    const again = await timed(() => spinning.run(null, 500));
    spinning.close();

    // Assess
    expect(killed.error).toBeInstanceOf(CorruptDocumentError);
    expect(again.error).toBeInstanceOf(CorruptDocumentError);
    expect(again.elapsedMs).toBeLessThan(3_000);
  });

  it('retires a process after maxJobsPerProcess jobs without a job waiting: it serves on until its successor has started, then stops', async () => {
    // Prepare
    const pool = new SandboxPool(whichProcess, { memoryMb: 64, maxJobsPerProcess: 1 });
    const first = await pool.run({ fail: false }, 5_000);

    // Act: the successor started when the first job ended; the next job comes before it is up.
    const second = await pool.run({ fail: false }, 5_000);
    let later = second;
    for (let attempt = 0; attempt < 100 && later === first; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      later = await pool.run({ fail: false }, 5_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    pool.close();

    // Assess
    expect(second).toBe(first);
    expect(later).not.toBe(first);
    expect(processAlive(first)).toBe(false);
  });

  it('runs concurrent jobs in separate processes and keeps one idle process', async () => {
    // Prepare
    const pool = new SandboxPool(whichProcess, { memoryMb: 64, idleProcesses: 1 });

    // Act
    const concurrent = await Promise.all([
      pool.run({ fail: false }, 5_000),
      pool.run({ fail: false }, 5_000),
    ]);
    const afterwards = await Promise.all([
      pool.run({ fail: false }, 5_000),
      pool.run({ fail: false }, 5_000),
    ]);
    pool.close();

    // Assess
    expect(new Set(concurrent).size).toBe(2);
    expect(afterwards.filter((id) => concurrent.includes(id))).toHaveLength(1);
  });

  it('replaces a process that a job left holding a quarter of its native allowance, and keeps one that did not', async () => {
    // Prepare
    const pool = new SandboxPool(leaveBehind, { memoryMb: 64, nativeMemoryMb: 64 });

    // Act
    const first = await pool.run({ mb: 1 }, 5_000);
    const second = await pool.run({ mb: 32 }, 5_000);
    const third = await pool.run({ mb: 0 }, 5_000);
    pool.close();

    // Assess
    expect(second).toBe(first);
    expect(third).not.toBe(second);
  });

  it('starts a process when made with prestart, so the first job does not wait for one', async () => {
    // Prepare
    const ahead = new SandboxPool(processStartedAt, { memoryMb: 64, prestart: true });
    const onDemand = new SandboxPool(processStartedAt, { memoryMb: 64, prestart: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const firstJobAt = Date.now();

    // Act
    const startedAhead = await ahead.run(null, 10_000);
    const startedOnDemand = await onDemand.run(null, 10_000);
    ahead.close();
    onDemand.close();

    // Assess
    expect(startedAhead).toBeLessThan(firstJobAt);
    expect(startedOnDemand).toBeGreaterThanOrEqual(firstJobAt);
  });

  it('refuses jobs once closed', async () => {
    // Prepare
    const pool = new SandboxPool(echo, { memoryMb: 64 });
    pool.close();

    // Act
    const result = pool.run({ value: 1 }, 1_000);

    // Assess
    await expect(result).rejects.toThrow('the test.echo pool is closed');
  });

  it('fails untyped when a process does not start in time: the machine is slow, the document is not at fault', async () => {
    // Prepare
    const pool = new SandboxPool(echo, { memoryMb: 64, startTimeoutMs: 1 });

    // Act
    const { error } = await timed(() => pool.run({ value: 1 }, 5_000));
    pool.close();

    // Assess
    expect(error).not.toBeInstanceOf(DocumentRejectedError);
    expect(error?.message).toBe('the test.echo process did not start within 1 ms');
  });
});

describe('budgetWithin', () => {
  it.each([
    { configured: 20_000, remaining: 90_000, expected: 20_000 },
    { configured: 20_000, remaining: 30_000, expected: 30_000 - SANDBOX_START_TIMEOUT_MS - 5_000 },
    { configured: 20_000, remaining: 2_000, expected: 1_000 },
  ])('gives $expected ms of $configured with $remaining ms left', ({ configured, remaining, expected }) => {
    // Act
    const budget = budgetWithin(configured, remaining);

    // Assess
    expect(budget).toBe(expected);
  });
});
