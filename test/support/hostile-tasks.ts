import { threadId } from 'node:worker_threads';
import { defineContainedTask } from '../../lambdas/shared/contained-task';
import { CorruptDocumentError } from '../../lambdas/shared/errors';

/**
 * Test-only contained tasks that behave like the worst inputs do: spin, allocate, crash. They run in
 * real worker threads through the same mechanism as the thumbnail and text jobs.
 */

/** Never returns: a parser stuck in a loop that never yields to the event loop. */
export const spinForever = defineContainedTask(import.meta.url, 'test.spin-forever', async (_: null) => {
  for (;;) {
    // busy
  }
});

/** Keeps every array it allocates: a decoder that trusts a header's size. */
export const allocateWithoutBound = defineContainedTask(
  import.meta.url,
  'test.allocate-without-bound',
  async (_: null): Promise<number> => {
    const kept: number[][] = [];
    for (;;) kept.push(new Array(1_000_000).fill(kept.length));
  },
);

/** Echoes its input after an optional delay. */
export const echo = defineContainedTask(
  import.meta.url,
  'test.echo',
  async (input: { value: unknown; delayMs?: number }) => {
    if (input.delayMs) await new Promise((resolve) => setTimeout(resolve, input.delayMs));
    return input.value;
  },
);

/** Throws what it is asked to. */
export const throwing = defineContainedTask(
  import.meta.url,
  'test.throwing',
  async (input: { kind: 'corrupt' | 'type-error' }) => {
    if (input.kind === 'corrupt') throw new CorruptDocumentError('the test says so');
    throw new TypeError('cannot read properties of undefined');
  },
);

/** Throws from a timer callback, outside the job's promise chain: an uncaught error in a library. */
export const uncaught = defineContainedTask(import.meta.url, 'test.uncaught', async (_: null) => {
  setTimeout(() => {
    throw new RangeError('offset is out of bounds');
  }, 1);
  return new Promise<never>(() => undefined);
});

/** Ends its own thread. */
export const exiting = defineContainedTask(import.meta.url, 'test.exiting', async (_: null) => {
  process.exit(3);
});

/**
 * Answers the id of the thread it runs in, so a test can tell reused threads from new ones; with
 * `fail`, throws a rejection naming it instead.
 */
export const whichThread = defineContainedTask(
  import.meta.url,
  'test.which-thread',
  async (input: { fail: boolean }) => {
    if (input.fail) throw new CorruptDocumentError(`thrown in thread ${threadId}`);
    return threadId;
  },
);
