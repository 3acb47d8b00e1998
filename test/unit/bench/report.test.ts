import { describe, expect, it } from 'vitest';
import { compareResults } from '../../../bench/compare';
import { renderReport } from '../../../bench/report';
import { differingOptions, parseFigures } from '../../../bench/results';

describe('renderReport', () => {
  it('shows each figure with its unit, the goal met or missed, and regressions against the reference', () => {
    // Prepare
    const figures = {
      'cold.textMs': 6_000,
      'burst.docsPerSecond': 31.25,
      'bundle.api.kB': 1_157.6,
      'cost.per1000DocumentsUsd': undefined,
    };
    const reference = { 'cold.textMs': 4_000, 'burst.docsPerSecond': 30, 'bundle.api.kB': 1_150 };

    // Act
    const lines = renderReport(figures, compareResults(figures, reference));

    // Assess
    const row = (label: string): string => lines.find((line) => line.startsWith(label)) ?? '';
    expect(row('first text file after start')).toMatch(/6,000\s+ms\s+✗ ≤ 1,000\s+\+50 %\s+REGRESSION$/);
    expect(row('burst throughput')).toMatch(/31\.3\s+docs\/s\s+✓ ≥ 30\.0\s+\+4 %$/);
    expect(row('bundle api')).toMatch(/1,158\s+kB\s+\+1 %$/);
    expect(row('modelled AWS cost')).toMatch(/n\/a$/);
  });
});

describe('parseFigures', () => {
  it('reads a result’s figures, null as unmeasured', () => {
    // Act & Assess
    expect(parseFigures({ figures: { 'cold.textMs': 900, 'cost.per1000DocumentsUsd': null } })).toEqual({
      'cold.textMs': 900,
      'cost.per1000DocumentsUsd': undefined,
    });
    expect(parseFigures({ nothing: true })).toBeUndefined();
  });
});

describe('differingOptions', () => {
  it('names the options in which a result differs from its reference', () => {
    // Prepare
    const current = { runs: 1, samples: 2, burst: 30, concurrency: 16, idleSeconds: 3, ratioPasses: 1 };

    // Act & Assess
    expect(differingOptions(current, { runs: 3, samples: 10, burst: 30, concurrency: 16 })).toEqual([
      'runs 3 → 1',
      'samples 10 → 2',
    ]);
    expect(differingOptions(current, undefined)).toEqual([]);
  });
});
