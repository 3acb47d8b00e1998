import { getHeapStatistics } from 'node:v8';
import { CorruptDocumentError } from '../../lambdas/shared/documents/errors';
import { defineSandboxedTask } from '../../lambdas/shared/sandbox/sandboxed-task';

/**
 * Test-only sandboxed tasks that behave like the worst inputs do: spin, allocate, crash. They run in
 * real sandboxed processes through the same mechanism as the thumbnail and text jobs.
 */

/** Never returns: a parser stuck in a loop that never yields to the event loop. */
export const spinForever = defineSandboxedTask(import.meta.url, 'test.spin-forever', async (_: null) => {
  for (;;) {
    // busy
  }
});

/** Keeps every array it allocates: a decoder that trusts a header's size. */
export const allocateWithoutBound = defineSandboxedTask(
  import.meta.url,
  'test.allocate-without-bound',
  async (_: null): Promise<number> => {
    const kept: number[][] = [];
    for (;;) kept.push(new Array(1_000_000).fill(kept.length));
  },
);

/**
 * Allocates one huge array and fills it: a single allocation far over the heap cap, which in a worker
 * thread aborts the whole process instead of the thread (nodejs/node#47224).
 */
export const allocateAtOnce = defineSandboxedTask(
  import.meta.url,
  'test.allocate-at-once',
  async (input: { length: number }): Promise<number> => {
    const huge = new Array<number>(input.length);
    for (let index = 0; index < input.length; index++) huge[index] = index + 0.5;
    return huge.length;
  },
);

/**
 * Keeps every buffer it allocates, outside the V8 heap (as decoded pixels, canvas bitmaps and
 * WebAssembly memories are): no heap cap sees it.
 */
export const holdOutsideHeap = defineSandboxedTask(
  import.meta.url,
  'test.hold-outside-heap',
  async (_: null): Promise<number> => {
    const kept: Buffer[] = [];
    for (;;) {
      // Filled, so that the pages are resident; a pause, so that the allocation is not one burst.
      kept.push(Buffer.alloc(8 * 1024 * 1024, kept.length));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  },
);

/** Answers the process's V8 heap limit (old and young generations), in MiB. */
export const heapLimit = defineSandboxedTask(
  import.meta.url,
  'test.heap-limit',
  async (_: null) => getHeapStatistics().heap_size_limit / 1024 / 1024,
);

/** Echoes its input after an optional delay. */
export const echo = defineSandboxedTask(
  import.meta.url,
  'test.echo',
  async (input: { value: unknown; delayMs?: number }) => {
    if (input.delayMs) await new Promise((resolve) => setTimeout(resolve, input.delayMs));
    return input.value;
  },
);

/** Throws what it is asked to. */
export const throwing = defineSandboxedTask(
  import.meta.url,
  'test.throwing',
  async (input: { kind: 'corrupt' | 'type-error' }) => {
    if (input.kind === 'corrupt') throw new CorruptDocumentError('the test says so');
    throw new TypeError('cannot read properties of undefined');
  },
);

/** Throws from a timer callback, outside the job's promise chain: an uncaught error in a library. */
export const uncaught = defineSandboxedTask(import.meta.url, 'test.uncaught', async (_: null) => {
  setTimeout(() => {
    throw new RangeError('offset is out of bounds');
  }, 1);
  return new Promise<never>(() => undefined);
});

/** Ends its own thread. */
export const exiting = defineSandboxedTask(import.meta.url, 'test.exiting', async (_: null) => {
  process.exit(3);
});

/**
 * Answers the id of the process it runs in, so a test can tell reused processes from new ones; with
 * `fail`, throws a rejection naming it instead.
 */
/** What a job leaves behind in its process: kept for the process's life. */
const leftBehind: Buffer[] = [];

/** Leaves `mb` MiB resident in its process (a job that leaks), and answers which process it ran in. */
export const leaveBehind = defineSandboxedTask(
  import.meta.url,
  'test.leave-behind',
  async (input: { mb: number }) => {
    if (input.mb > 0) leftBehind.push(Buffer.alloc(input.mb * 1024 * 1024, 1));
    return process.pid;
  },
);

/** When the process serving the job started (epoch ms). */
export const processStartedAt = defineSandboxedTask(
  import.meta.url,
  'test.process-started-at',
  async (_: null) => performance.timeOrigin,
);

export const whichProcess = defineSandboxedTask(
  import.meta.url,
  'test.which-process',
  async (input: { fail: boolean }) => {
    if (input.fail) throw new CorruptDocumentError(`thrown in process ${process.pid}`);
    return process.pid;
  },
);
