/**
 * The bench's arithmetic: percentiles of samples and medians of runs. Percentiles interpolate
 * linearly between the two nearest ranks (the "R-7" rule of R and NumPy's default), so a p95 of ten
 * samples is not simply the largest one.
 */

/** The p-th percentile (0–100) of the values; undefined when there are none. */
export const percentile = (values: readonly number[], p: number): number | undefined => {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, not ${p}`);
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (rank - lower);
};

export const median = (values: readonly number[]): number | undefined => percentile(values, 50);

export const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** p50 and p95 of a set of latencies, with how many there were. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

export const summarize = (values: readonly number[]): LatencySummary => ({
  count: values.length,
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  min: values.length === 0 ? undefined : Math.min(...values),
  max: values.length === 0 ? undefined : Math.max(...values),
});

/**
 * One value per figure from several runs: the median of the runs that measured it. A figure a run
 * could not measure (undefined) is left out; a figure no run measured stays undefined.
 */
export const medianOfRuns = (
  runs: readonly Readonly<Record<string, number | undefined>>[],
): Record<string, number | undefined> => {
  const keys = new Set(runs.flatMap((run) => Object.keys(run)));
  const result: Record<string, number | undefined> = {};
  for (const key of keys) {
    result[key] = median(runs.map((run) => run[key]).filter((value): value is number => value !== undefined));
  }
  return result;
};
