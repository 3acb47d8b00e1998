import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The containment inside a process started as Lambda's Node runtime starts a function's: with a heap
 * flag far above the job's cap (a 2048 MB function's), either from the bootstrap's command line or from
 * the function's own `NODE_OPTIONS`. That flag used to override a worker thread's heap cap
 * (nodejs/node#43991, docs/decisions.md 24); a sandboxed process must keep its cap regardless, and a
 * job that breaks it must end typed while the function's process lives on.
 */

const run = promisify(execFile);

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TASKS = new URL('../../../../support/hostile-tasks.ts', import.meta.url).href;
const RUNNER = new URL('../../../../../lambdas/shared/sandbox/sandboxed-task.ts', import.meta.url).href;

const MEMORY_MB = 128;

/** The function's side: runs the hostile jobs and prints how each ended, as JSON. */
const FUNCTION_SCRIPT = `
import { getHeapStatistics } from 'node:v8';
import { runSandboxed } from '${RUNNER}';
import { allocateAtOnce, allocateWithoutBound, echo, heapLimit } from '${TASKS}';
const limits = { budgetMs: 20000, memoryMb: ${MEMORY_MB} };
const settle = (promise) => promise.then(
  (value) => ({ value }),
  (error) => ({ error: { name: error.name, message: error.message } }),
);
const outcome = {
  functionHeapMb: getHeapStatistics().heap_size_limit / 1048576,
  jobHeapMb: await settle(runSandboxed(heapLimit, null, limits)),
  bomb: await settle(runSandboxed(allocateWithoutBound, null, limits)),
  // 10^8 doubles: 800 MB in one array, which the function's own heap could hold and the job's cannot.
  oneAllocation: await settle(runSandboxed(allocateAtOnce, { length: 100000000 }, limits)),
  afterwards: await settle(runSandboxed(echo, { value: 'alive' }, limits)),
};
console.log(JSON.stringify(outcome));
`;

/** Runs the script as a function's process started with `execArgv` and `NODE_OPTIONS`. */
const runAsFunction = async (execArgv: readonly string[], nodeOptions: string): Promise<unknown> => {
  const { stdout } = await run(
    process.execPath,
    [...execArgv, '--import', TSX, '--input-type=module', '--eval', FUNCTION_SCRIPT],
    {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
};

describe('sandboxed jobs in a process started with Lambda flags (a 2048 MB function)', () => {
  it.each([
    {
      how: "the bootstrap's command line",
      // What Lambda's bootstrap passes for 2048 MB when NODE_OPTIONS sets no heap size.
      execArgv: [
        '--expose-gc',
        '--max-http-header-size',
        '81920',
        '--max-semi-space-size=102',
        '--max-old-space-size=1844',
      ],
      nodeOptions: '--enable-source-maps',
    },
    {
      how: "the function's own NODE_OPTIONS",
      execArgv: ['--expose-gc', '--max-http-header-size', '81920'],
      nodeOptions: '--enable-source-maps --max-old-space-size=2048 --max_semi_space_size=64',
    },
  ])(
    'caps each job at its own heap, not the function’s, with the flag from $how',
    { timeout: 150_000 },
    async ({ execArgv, nodeOptions }) => {
      // Act
      const outcome = await runAsFunction(execArgv, nodeOptions);

      // Assess
      expect(outcome).toEqual({
        functionHeapMb: expect.any(Number),
        jobHeapMb: { value: MEMORY_MB },
        bomb: {
          error: {
            name: 'DocumentTooLargeError',
            message: `TOO_LARGE: test.allocate-without-bound needed more than its ${MEMORY_MB} MiB of memory; the document may be hostile`,
          },
        },
        oneAllocation: {
          error: {
            name: 'DocumentTooLargeError',
            message: `TOO_LARGE: test.allocate-at-once needed more than its ${MEMORY_MB} MiB of memory; the document may be hostile`,
          },
        },
        afterwards: { value: 'alive' },
      });
      // The flag did reach the function's own heap: the job's cap held against it.
      expect((outcome as { functionHeapMb: number }).functionHeapMb).toBeGreaterThan(1_800);
    },
  );
});
