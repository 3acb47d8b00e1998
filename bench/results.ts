import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BundleSize } from './bundles';
import { PROJECT_ROOT } from './cloud-process';

/** Where results go: `latest.json` (commit it to make it the reference) and `runs/<time>.json` (ignored). */
export const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
export const LATEST_FILE = join(RESULTS_DIR, 'latest.json');

export type Figures = Record<string, number | undefined>;

export interface BenchOptions {
  readonly runs: number;
  readonly samples: number;
  readonly burst: number;
  readonly concurrency: number;
  readonly idleSeconds: number;
  readonly ratioPasses: number;
  /** Documents a run has had when memory is read the last time (`--documents`). */
  readonly documents?: number;
  /** What was measured, in words (`--label`), e.g. the commit and what it changed. */
  readonly label?: string;
}

/** One bench run: a fresh local cloud, every figure measured once. */
export interface RunResult {
  readonly figures: Figures;
  /** Per-document details the figures come from (latencies, statuses), for a closer look. */
  readonly details: Record<string, unknown>;
}

export interface BenchResult {
  readonly schema: 1;
  readonly createdAt: string;
  readonly git: { readonly commit: string | undefined; readonly dirty: boolean | undefined };
  readonly machine: {
    readonly cpus: number;
    readonly node: string;
    /** 1-minute load average when the bench started and ended: a busy shared machine shows here. */
    readonly loadAverage: readonly number[];
  };
  readonly options: BenchOptions;
  /** Medians of the runs. */
  readonly figures: Figures;
  readonly runs: readonly RunResult[];
  readonly bundles: readonly BundleSize[];
}

const git = (args: readonly string[]): string | undefined => {
  try {
    return execFileSync('git', [...args], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
};

export const gitState = (): BenchResult['git'] => {
  const commit = git(['rev-parse', 'HEAD'])?.trim();
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return { commit, dirty: status === undefined ? undefined : status.trim() !== '' };
};

/** JSON has no undefined: an unmeasured figure is written as null, and read back as undefined. */
const toJson = (result: BenchResult): string =>
  `${JSON.stringify(result, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`;

export const parseFigures = (json: unknown): Figures | undefined => {
  const figures = (json as { figures?: unknown } | null)?.figures;
  if (typeof figures !== 'object' || figures === null) return undefined;
  const parsed: Figures = {};
  for (const [key, value] of Object.entries(figures)) {
    parsed[key] = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }
  return parsed;
};

/**
 * The last committed result: `bench/results/latest.json` as of HEAD, so a run compares with what the
 * repository holds, not with the previous local run. Undefined when none is committed.
 */
export const committedReference = ():
  | { figures: Figures; createdAt?: string; options?: Partial<BenchOptions> }
  | undefined => {
  const path = relative(PROJECT_ROOT, LATEST_FILE).split('\\').join('/');
  const text = git(['show', `HEAD:${path}`]);
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as { createdAt?: string; options?: Partial<BenchOptions> };
    const figures = parseFigures(json);
    if (!figures) return undefined;
    return {
      figures,
      ...(json.createdAt ? { createdAt: json.createdAt } : {}),
      ...(json.options ? { options: json.options } : {}),
    };
  } catch {
    return undefined;
  }
};

/** Lays the file out as the repository's formatter does, so that a committed result passes `npm run lint`. */
const formatJson = (files: readonly string[]): void => {
  try {
    execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', ...files], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
    });
  } catch {
    process.stderr.write('bench: could not format the result with biome; `npm run format` will\n');
  }
};

/** The options that change what the figures mean, where two results differ in them. */
export const differingOptions = (
  current: BenchOptions,
  reference: Partial<BenchOptions> | undefined,
): string[] =>
  (['runs', 'samples', 'burst', 'concurrency', 'idleSeconds', 'ratioPasses'] as const)
    .filter((name) => reference?.[name] !== undefined && reference[name] !== current[name])
    .map((name) => `${name} ${reference?.[name]} → ${current[name]}`);

/** Writes the result as `runs/<time>.json` and as `latest.json`; returns the two paths. */
export const writeResult = async (result: BenchResult): Promise<string[]> => {
  const runsDir = join(RESULTS_DIR, 'runs');
  await mkdir(runsDir, { recursive: true });
  const stamped = join(runsDir, `${result.createdAt.replace(/[:.]/g, '-')}.json`);
  const json = toJson(result);
  await writeFile(stamped, json, 'utf8');
  await writeFile(LATEST_FILE, json, 'utf8');
  formatJson([LATEST_FILE]);
  return [stamped, LATEST_FILE];
};
