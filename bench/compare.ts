import { type FigureSpec, specOf } from './figures';

/** How much worse than the reference a figure may get before it is called a regression. */
export const REGRESSION_THRESHOLD = 0.2;

export type Verdict = 'regression' | 'improvement' | 'same' | 'new' | 'unmeasured';

export interface FigureComparison {
  readonly key: string;
  readonly current: number | undefined;
  readonly reference: number | undefined;
  /** (current − reference) ÷ reference; undefined without both values or with a zero reference. */
  readonly change: number | undefined;
  readonly verdict: Verdict;
}

/**
 * Compares one figure with its reference. It regressed when it moved the wrong way by more than the
 * threshold, relative to the reference, and by more than the figure's noise floor in absolute terms
 * (a zero reference has no relative change: the floor alone decides).
 */
export const compareFigure = (
  key: string,
  current: number | undefined,
  reference: number | undefined,
  spec: Pick<FigureSpec, 'better' | 'noise'> = specOf(key) ?? { better: 'lower', noise: 0 },
  threshold = REGRESSION_THRESHOLD,
): FigureComparison => {
  if (current === undefined) return { key, current, reference, change: undefined, verdict: 'unmeasured' };
  if (reference === undefined) return { key, current, reference, change: undefined, verdict: 'new' };
  const change = reference === 0 ? undefined : (current - reference) / Math.abs(reference);
  // Positive when the figure got worse, in its unit and relative to the reference.
  const worse = spec.better === 'lower' ? current - reference : reference - current;
  const relativeWorse = change === undefined ? undefined : spec.better === 'lower' ? change : -change;
  const beyondNoise = Math.abs(worse) > spec.noise;
  const beyondThreshold = relativeWorse === undefined || Math.abs(relativeWorse) > threshold;
  const verdict: Verdict =
    beyondNoise && beyondThreshold ? (worse > 0 ? 'regression' : 'improvement') : 'same';
  return { key, current, reference, change, verdict };
};

/** Every figure of the current result against the reference's (figures only the reference has are left out). */
export const compareResults = (
  current: Readonly<Record<string, number | undefined>>,
  reference: Readonly<Record<string, number | undefined>> | undefined,
  threshold = REGRESSION_THRESHOLD,
): FigureComparison[] =>
  Object.keys(current).map((key) =>
    compareFigure(key, current[key], reference?.[key], specOf(key), threshold),
  );
