/**
 * Entry of the process that `synthesizeInChildProcess` (synth-child.ts) starts: synthesizes the app once, answers
 * its parent and ends. Run only as a child process (it needs the IPC channel).
 */

import { synthesizeApp } from './synth';
import type { SynthMessage, SynthRequest } from './synth-child';

// Node's compile cache was set for this process's own modules (synth-child.ts); the bundlers it
// starts keep their defaults.
delete process.env.NODE_COMPILE_CACHE;

const send = (message: SynthMessage): Promise<void> =>
  new Promise((resolve) => process.send?.(message, undefined, undefined, () => resolve()));

// The parent is gone: nobody is left to read the template.
process.on('disconnect', () => process.exit(1));
process.once('message', async (request: SynthRequest) => {
  let answer: SynthMessage;
  try {
    answer = {
      type: 'synthesized',
      stack: synthesizeApp({ ...request, log: (line) => void send({ type: 'log', line }) }),
    };
  } catch (error) {
    answer = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  await send(answer);
  process.exit(0);
});
