/**
 * Every figure the bench reports, by key: its label, unit, which way is better, the goal
 * (issue 10) and a noise floor — a change smaller than the floor, in the figure's unit, is never
 * called a regression, however large it is in percent (10 → 14 ms is +40 % and means nothing).
 */

export type Better = 'lower' | 'higher';

export interface FigureSpec {
  readonly label: string;
  readonly unit: string;
  readonly better: Better;
  /** The goal: at most this (lower is better) or at least this (higher is better). */
  readonly goal?: number;
  readonly noise: number;
  /** Decimals shown. @default 0 */
  readonly decimals?: number;
}

/** The document kinds timed warm, each by one file of sample-docs/. */
export const WARM_KINDS = [
  { kind: 'text', file: 'notes.txt', label: 'text' },
  { kind: 'pdf-text', file: 'report-text-layer.pdf', label: 'text PDF (3 pages)' },
  { kind: 'docx', file: 'memo.docx', label: 'DOCX' },
  { kind: 'image-ocr', file: 'printed-text.png', label: 'image OCR (PNG)' },
  { kind: 'pdf-scanned', file: 'scanned-two-pages.pdf', label: 'scanned PDF (2 pages)' },
] as const;

export type WarmKind = (typeof WARM_KINDS)[number]['kind'];

const ms = (label: string, goal?: number, noise = 25): FigureSpec => ({
  label,
  unit: 'ms',
  better: 'lower',
  noise,
  ...(goal === undefined ? {} : { goal }),
});

const mib = (label: string, goal?: number): FigureSpec => ({
  label,
  unit: 'MiB',
  better: 'lower',
  noise: 25,
  ...(goal === undefined ? {} : { goal }),
});

/** The memory goal after the demo, 600 MB, in MiB. */
const AFTER_DEMO_GOAL_MIB = 572;

/** Memory read at each point of a run, for one scope (the whole tree, or `up` alone). */
const memoryFigures = (prefix: string, scope: string): Record<string, FigureSpec> => ({
  [`${prefix}.idleMiB`]: mib(`${scope}, idle after start`),
  [`${prefix}.afterSamplesMiB`]: mib(`${scope}, after the sample-docs (≈ the demo)`, AFTER_DEMO_GOAL_MIB),
  [`${prefix}.afterBurstMiB`]: mib(`${scope}, after the burst`),
  [`${prefix}.afterDocumentsMiB`]: mib(`${scope}, after --documents (default 2,000)`),
  [`${prefix}.growthPercent`]: {
    label: `${scope}, growth from the burst to --documents`,
    unit: '%',
    better: 'lower',
    goal: 10,
    noise: 3,
    decimals: 1,
  },
});

const FIXED: Readonly<Record<string, FigureSpec>> = {
  'start.readyMs': ms('start → ready line', undefined, 250),
  'cold.textMs': ms('first text file after start → PROCESSED', 1_000, 100),
  ...Object.fromEntries(
    WARM_KINDS.flatMap(({ kind, label }) => [
      [`warm.${kind}.p50Ms`, ms(`warm ${label}, p50`, kind === 'text' ? 60 : undefined)],
      [`warm.${kind}.p95Ms`, ms(`warm ${label}, p95`, kind === 'text' ? 150 : undefined, 50)],
    ]),
  ),
  'burst.docsPerSecond': {
    label: 'burst throughput',
    unit: 'docs/s',
    better: 'higher',
    goal: 30,
    noise: 1,
    decimals: 1,
  },
  'burst.p50Ms': ms('burst latency, p50', undefined, 250),
  'burst.cpuMsPerDoc': ms('burst CPU per document, whole tree', undefined, 5),
  'burst.p95Ms': ms('burst latency, p95', undefined, 250),
  'burst.notProcessed': {
    label: 'burst documents not PROCESSED',
    unit: 'docs',
    better: 'lower',
    goal: 0,
    noise: 0,
  },
  'ratio.pipelineOverDirect': {
    label: 'sample-docs: pipeline ÷ direct work',
    unit: '×',
    better: 'lower',
    goal: 1.3,
    noise: 0.1,
    decimals: 2,
  },
  'ratio.pipelineMs': ms('sample-docs through the pipeline (Σ latency)', undefined, 100),
  'ratio.directMs': ms('sample-docs done directly, one process', undefined, 100),
  ...memoryFigures('rss', 'RSS of the tree (up, environments, parse processes)'),
  ...memoryFigures('rss.up', 'RSS of up alone'),
  ...memoryFigures('pss', 'PSS of the tree (shared pages counted once)'),
  'rss.peakMiB': mib('RSS of the tree, peak (sampled)'),
  'documents.notProcessed': {
    label: 'documents after the burst not PROCESSED',
    unit: 'docs',
    better: 'lower',
    goal: 0,
    noise: 0,
  },
  'cpu.idlePercent': {
    label: 'idle CPU after the work (% of one core)',
    unit: '%',
    better: 'lower',
    goal: 1,
    noise: 0.5,
    decimals: 2,
  },
  'bundle.maxPlainKB': {
    label: 'largest bundle, no native package',
    unit: 'kB',
    better: 'lower',
    goal: 500,
    noise: 5,
  },
  'bundle.maxNativeKB': {
    label: 'largest bundle, with a native package',
    unit: 'kB',
    better: 'lower',
    goal: 1_500,
    noise: 5,
  },
  'cost.per1000DocumentsUsd': {
    label: 'modelled AWS cost per 1,000 documents of the sample mix',
    unit: 'USD',
    better: 'lower',
    noise: 0.001,
    decimals: 4,
  },
};

/** The bundle of one function: `bundle.<name>.kB`. */
export const bundleKey = (name: string): string => `bundle.${name}.kB`;

/** The spec of a figure key; undefined for a key the bench does not know (an older or newer result). */
export const specOf = (key: string): FigureSpec | undefined => {
  const fixed = FIXED[key];
  if (fixed) return fixed;
  const bundle = /^bundle\.([a-z0-9-]+)\.kB$/.exec(key);
  if (bundle) return { label: `bundle ${bundle[1]}`, unit: 'kB', better: 'lower', noise: 5 };
  return undefined;
};

/** Keys in the order the table shows them: the fixed figures, then each function's bundle. */
export const orderedKeys = (keys: Iterable<string>): string[] => {
  const present = new Set(keys);
  const fixed = Object.keys(FIXED).filter((key) => present.has(key));
  const bundles = [...present].filter((key) => !(key in FIXED) && key.startsWith('bundle.')).sort();
  const rest = [...present].filter((key) => !(key in FIXED) && !key.startsWith('bundle.')).sort();
  return [...fixed, ...bundles, ...rest];
};

/** Whether a value meets the figure's goal; undefined when there is no goal or no value. */
export const meetsGoal = (spec: FigureSpec, value: number | undefined): boolean | undefined => {
  if (spec.goal === undefined || value === undefined) return undefined;
  return spec.better === 'lower' ? value <= spec.goal : value >= spec.goal;
};
