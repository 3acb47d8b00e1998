import { describe, expect, it } from 'vitest';
import { median, medianOfRuns, percentile, summarize } from '../../../bench/stats';

describe('percentile', () => {
  it('interpolates between the nearest ranks, whatever the order of the samples', () => {
    // Prepare
    const samples = [40, 10, 30, 20];

    // Act & Assess
    expect(percentile(samples, 0)).toBe(10);
    expect(percentile(samples, 50)).toBe(25);
    expect(percentile(samples, 95)).toBeCloseTo(38.5, 10);
    expect(percentile(samples, 100)).toBe(40);
  });

  it('gives the one sample for a single sample and undefined for none', () => {
    // Act & Assess
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('leaves out values that are not finite numbers', () => {
    // Act & Assess
    expect(median([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toBe(2);
  });

  it('refuses a percentile outside 0–100', () => {
    // Act & Assess
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives p50, p95, min and max of ten latencies', () => {
    // Prepare
    const latencies = [100, 90, 80, 70, 60, 50, 40, 30, 20, 1_000];

    // Act
    const summary = summarize(latencies);

    // Assess
    expect(summary).toMatchObject({ count: 10, p50: 65, min: 20, max: 1_000 });
    expect(summary.p95).toBeCloseTo(595, 9);
  });
});

describe('medianOfRuns', () => {
  it('takes each figure’s median over the runs that measured it', () => {
    // Prepare
    const runs = [
      { 'cold.textMs': 900, 'cpu.idlePercent': 0.5 },
      { 'cold.textMs': 1_500, 'cpu.idlePercent': undefined },
      { 'cold.textMs': 1_000, 'cpu.idlePercent': 0.3 },
    ];

    // Act
    const figures = medianOfRuns(runs);

    // Assess
    expect(figures['cold.textMs']).toBe(1_000);
    expect(figures['cpu.idlePercent']).toBeCloseTo(0.4, 10);
  });

  it('leaves a figure no run measured undefined', () => {
    // Act & Assess
    expect(medianOfRuns([{ 'cost.per1000DocumentsUsd': undefined }])).toEqual({
      'cost.per1000DocumentsUsd': undefined,
    });
  });
});
