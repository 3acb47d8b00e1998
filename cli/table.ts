import { displayWidth, pad, printable, truncate } from './format';

export interface Column {
  readonly header: string;
  /** @default 'left' */
  readonly align?: 'left' | 'right';
  /** How this column may be shortened when the table is wider than the terminal; never when absent. */
  readonly shrink?: 'end' | 'middle';
  /** Narrowest a shrinkable column gets. @default 12 */
  readonly minWidth?: number;
}

const GAP = '  ';

/**
 * Renders rows under a header, columns aligned by display width. Every cell is made printable (cells
 * carry object keys and error messages, which are data). With `width`, shrinkable columns are
 * shortened, widest first, until the table fits; without it (output piped) nothing is cut.
 */
export const renderTable = (
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: { readonly width?: number } = {},
): string[] => {
  const cells = rows.map((row) => columns.map((_, index) => printable(row[index] ?? '')));
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.header), ...cells.map((row) => displayWidth(row[index] ?? ''))),
  );
  if (options.width !== undefined) shrinkToWidth(columns, widths, options.width);
  const line = (values: readonly string[]): string =>
    values
      .map((value, index) => {
        const column = columns[index] as Column;
        const width = widths[index] ?? 0;
        return pad(truncate(value, width, column.shrink ?? 'end'), width, column.align ?? 'left');
      })
      .join(GAP)
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)];
};

const shrinkToWidth = (columns: readonly Column[], widths: number[], width: number): void => {
  const total = (): number => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (const [index, column] of columns.entries()) {
      if (!column.shrink || (widths[index] ?? 0) <= (column.minWidth ?? 12)) continue;
      if (widest === -1 || (widths[index] ?? 0) > (widths[widest] ?? 0)) widest = index;
    }
    if (widest === -1) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess -= 1;
  }
};

/** Label/value lines (`status      PROCESSED`), labels padded to one width; values made printable. */
export const renderFields = (fields: readonly (readonly [string, string | undefined])[]): string[] => {
  const shown = fields.filter((field): field is readonly [string, string] => field[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => displayWidth(label)));
  return shown.map(([label, value]) => `${pad(label, width)}  ${printable(value)}`.trimEnd());
};
