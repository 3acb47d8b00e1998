import { describe, expect, it } from 'vitest';
import { compareFigure, compareResults } from '../../../bench/compare';
import { meetsGoal, specOf } from '../../../bench/figures';

describe('compareFigure', () => {
  it('marks a lower-is-better figure that grew by more than 20 % as a regression', () => {
    // Act
    const comparison = compareFigure('warm.text.p50Ms', 130, 100, { better: 'lower', noise: 10 });

    // Assess
    expect(comparison.verdict).toBe('regression');
    expect(comparison.change).toBeCloseTo(0.3, 10);
  });

  it('does not mark a change of 20 % or less', () => {
    // Act & Assess
    expect(compareFigure('k', 120, 100, { better: 'lower', noise: 0 }).verdict).toBe('same');
    expect(compareFigure('k', 80, 100, { better: 'higher', noise: 0 }).verdict).toBe('same');
  });

  it('marks a higher-is-better figure that fell by more than 20 % as a regression, and a rise as better', () => {
    // Act & Assess
    expect(compareFigure('burst.docsPerSecond', 7, 10, { better: 'higher', noise: 1 }).verdict).toBe(
      'regression',
    );
    expect(compareFigure('burst.docsPerSecond', 13, 10, { better: 'higher', noise: 1 }).verdict).toBe(
      'improvement',
    );
  });

  it('marks a lower-is-better figure that fell by more than 20 % as an improvement', () => {
    // Act & Assess
    expect(compareFigure('k', 50, 100, { better: 'lower', noise: 0 }).verdict).toBe('improvement');
  });

  it('ignores a large relative change within the noise floor', () => {
    // Act: 10 → 14 ms is +40 %, but only 4 ms
    const comparison = compareFigure('k', 14, 10, { better: 'lower', noise: 25 });

    // Assess
    expect(comparison.verdict).toBe('same');
  });

  it('lets the noise floor alone decide against a zero reference', () => {
    // Act & Assess
    expect(compareFigure('k', 2, 0, { better: 'lower', noise: 0.5 }).verdict).toBe('regression');
    expect(compareFigure('k', 0.2, 0, { better: 'lower', noise: 0.5 }).verdict).toBe('same');
    expect(compareFigure('k', 2, 0, { better: 'lower', noise: 0.5 }).change).toBeUndefined();
  });

  it('calls a figure without a reference new, and one without a value unmeasured', () => {
    // Act & Assess
    expect(compareFigure('k', 5, undefined).verdict).toBe('new');
    expect(compareFigure('k', undefined, 5).verdict).toBe('unmeasured');
  });
});

describe('compareResults', () => {
  it('compares each current figure with the reference, using each figure’s own direction', () => {
    // Prepare
    const reference = { 'burst.docsPerSecond': 10, 'cold.textMs': 6_000, 'bundle.api.kB': 1_000 };
    const current = {
      'burst.docsPerSecond': 40,
      'cold.textMs': 9_000,
      'bundle.api.kB': 1_001,
      'rss.peakMiB': 500,
    };

    // Act
    const verdicts = Object.fromEntries(
      compareResults(current, reference).map((comparison) => [comparison.key, comparison.verdict]),
    );

    // Assess
    expect(verdicts).toEqual({
      'burst.docsPerSecond': 'improvement',
      'cold.textMs': 'regression',
      'bundle.api.kB': 'same',
      'rss.peakMiB': 'new',
    });
  });

  it('calls every figure new when nothing was committed', () => {
    // Act & Assess
    expect(compareResults({ 'cold.textMs': 1 }, undefined).map((comparison) => comparison.verdict)).toEqual([
      'new',
    ]);
  });
});

describe('figure specs', () => {
  it('knows each function’s bundle figure and the issue’s goals', () => {
    // Act & Assess
    expect(specOf('bundle.extract-text.kB')).toMatchObject({ unit: 'kB', better: 'lower' });
    expect(specOf('no.such.figure')).toBeUndefined();
    const burst = specOf('burst.docsPerSecond');
    expect(burst && meetsGoal(burst, 31)).toBe(true);
    expect(burst && meetsGoal(burst, 10)).toBe(false);
    const cold = specOf('cold.textMs');
    expect(cold && meetsGoal(cold, 1_000)).toBe(true);
    expect(cold && meetsGoal(cold, undefined)).toBeUndefined();
  });
});
