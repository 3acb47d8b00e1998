import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchOptions } from './results';

/** The bench's command line: what `npm run bench -- --help` prints, and its parsing. */

/** A mistake on the command line: told in one line, without a stack. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** Whether `error` is a mistake on the command line (ours, or one `parseArgs` found). */
export const isUsageError = (error: unknown): error is Error =>
  error instanceof BenchUsageError ||
  (error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS'));

export const USAGE = `npm run bench [-- options]

Starts the local cloud (\`docflow up\`) on free ports with a fresh data folder, as a child process, and
measures it through S3, the query API and /proc only. Prints a table, writes bench/results/latest.json
(and runs/<time>.json) and compares with the latest.json committed at HEAD (regression: > 20 % worse).

  --runs <n>          whole runs, each on a fresh cloud; figures are their medians   (default 1)
  --samples <n>       warm documents timed per kind                                  (default 10)
  --burst <n>         small text files uploaded at once                              (default 500)
  --concurrency <n>   uploads in flight during the burst                             (default 16)
  --idle-seconds <n>  how long idle CPU is measured                                  (default 10)
  --ratio-passes <n>  passes over sample-docs, through the pipeline and directly     (default 3)
  --documents <n>     after the burst, more small text files until the run has had n
                      documents; memory is read again (growth over many documents)  (default 2000)
  --label <text>      what is measured, in words; kept in the result
  --profile <dir>     instead: run \`docflow up\` under --cpu-prof through start, a cold document
                      and a burst, and print where the time went (profiles kept in <dir>)
  --summarize <dir>   print that summary again from the profiles in <dir>
  --help`;

const whole = (name: string, value: string | undefined, fallback: number, min = 1): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new BenchUsageError(`--${name} must be a whole number of at least ${min}, not "${value}"`);
  }
  return number;
};

export const parseOptions = (
  argv: readonly string[],
): (BenchOptions & { profile?: string; summarize?: string }) | 'help' => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string' },
      samples: { type: 'string' },
      burst: { type: 'string' },
      concurrency: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'ratio-passes': { type: 'string' },
      documents: { type: 'string' },
      profile: { type: 'string' },
      summarize: { type: 'string' },
      label: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    runs: whole('runs', values.runs, 1),
    samples: whole('samples', values.samples, 10),
    burst: whole('burst', values.burst, 500),
    concurrency: whole('concurrency', values.concurrency, 16),
    idleSeconds: whole('idle-seconds', values['idle-seconds'], 10),
    ratioPasses: whole('ratio-passes', values['ratio-passes'], 3),
    documents: whole('documents', values.documents, 2000, 0),
    ...(values.profile ? { profile: resolve(values.profile) } : {}),
    ...(values.summarize ? { summarize: resolve(values.summarize) } : {}),
    ...(values.label ? { label: values.label } : {}),
  };
};
