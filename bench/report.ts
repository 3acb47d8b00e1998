import { renderTable } from '../cli/table';
import type { FigureComparison } from './compare';
import { type FigureSpec, meetsGoal, orderedKeys, specOf } from './figures';
import type { Figures } from './results';

const UNKNOWN: FigureSpec = { label: '', unit: '', better: 'lower', noise: 0 };

export const formatValue = (value: number | undefined, decimals = 0): string =>
  value === undefined
    ? 'n/a'
    : value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

const goalText = (spec: FigureSpec, value: number | undefined): string => {
  if (spec.goal === undefined) return '';
  const met = meetsGoal(spec, value);
  const mark = met === undefined ? ' ' : met ? '✓' : '✗';
  return `${mark} ${spec.better === 'lower' ? '≤' : '≥'} ${formatValue(spec.goal, spec.decimals)}`;
};

const changeText = (comparison: FigureComparison | undefined): string => {
  if (!comparison || comparison.verdict === 'new' || comparison.verdict === 'unmeasured') return '';
  const percent =
    comparison.change === undefined
      ? ''
      : `${comparison.change >= 0 ? '+' : ''}${(comparison.change * 100).toFixed(0)} %`;
  const mark =
    comparison.verdict === 'regression'
      ? '  REGRESSION'
      : comparison.verdict === 'improvement'
        ? '  better'
        : '';
  return `${percent}${mark}`;
};

/** The figures as a table: value, unit, the goal (✓/✗) and the change against the reference. */
export const renderReport = (
  figures: Figures,
  comparisons: readonly FigureComparison[],
  options: { readonly width?: number } = {},
): string[] => {
  const byKey = new Map(comparisons.map((comparison) => [comparison.key, comparison]));
  const rows = orderedKeys(Object.keys(figures)).map((key) => {
    const spec = specOf(key) ?? { ...UNKNOWN, label: key };
    const value = figures[key];
    return [
      spec.label,
      formatValue(value, spec.decimals),
      value === undefined ? '' : spec.unit,
      goalText(spec, value),
      changeText(byKey.get(key)),
    ];
  });
  return renderTable(
    [
      { header: 'figure', shrink: 'end', minWidth: 24 },
      { header: 'value', align: 'right' },
      { header: 'unit' },
      { header: 'goal' },
      { header: 'vs reference' },
    ],
    rows,
    options,
  );
};
