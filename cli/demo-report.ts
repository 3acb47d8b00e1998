import type { ComparedField, FieldComparison } from './expected-results';
import type { DocumentsApi } from './ports';
import { type Column, renderTable } from './table';
import type { SessionEntry } from './upload-session';

/** Text pages fetched per request, and at most, for the phrase check. */
const TEXT_PAGE_SIZE = 50;
const MAX_TEXT_REQUESTS = 20;

/** A document's whole extracted text (bounded), or undefined when it has none. */
export const fullText = async (
  documents: Pick<DocumentsApi, 'text'>,
  id: string,
): Promise<string | undefined> => {
  const parts: string[] = [];
  for (
    let page: number | null = 1, requests = 0;
    page !== null && requests < MAX_TEXT_REQUESTS;
    requests += 1
  ) {
    const response = await documents.text(id, page, TEXT_PAGE_SIZE);
    if (!response) return requests === 0 ? undefined : parts.join('\n');
    parts.push(...response.pages.map((textPage) => textPage.text));
    page = response.nextPage;
  }
  return parts.join('\n');
};

export interface DemoRow {
  readonly file: string;
  readonly entry: SessionEntry;
  /** Absent when expected-results.json has no entry for the file. */
  readonly comparisons?: readonly FieldComparison[];
}

/** A row matches when every compared field does; a sample without expectations never fails the demo. */
export const demoMatches = (row: DemoRow): boolean =>
  row.comparisons === undefined || row.comparisons.every((comparison) => comparison.matches);

const FIELDS: readonly (readonly [ComparedField, string])[] = [
  ['status', 'STATUS'],
  ['type', 'TYPE'],
  ['pages', 'PAGES'],
  ['textStrategy', 'TEXT'],
  ['thumbnail', 'THUMBNAIL'],
  ['phrase', 'PHRASE'],
  ['reason', 'REASON'],
  ['mimeType', 'MIME TYPE'],
];

const cell = (comparison: FieldComparison | undefined): string => {
  if (!comparison) return '';
  return comparison.matches
    ? `✓ ${comparison.actual}`
    : `✗ ${comparison.actual} (want ${comparison.expected})`;
};

/** The side-by-side table: one row per sample, ✓ or ✗ with the expected value per field. */
export const renderDemo = (rows: readonly DemoRow[], width?: number): string[] => {
  const shownFields = FIELDS.filter(([field]) =>
    rows.some((row) => row.comparisons?.some((comparison) => comparison.field === field)),
  );
  const columns: Column[] = [
    { header: 'FILE', shrink: 'middle' },
    ...shownFields.map(([, header]): Column => ({ header, shrink: 'end', minWidth: 8 })),
  ];
  return renderTable(
    columns,
    rows.map((row) => [
      `${row.comparisons === undefined ? '·' : demoMatches(row) ? '✓' : '✗'} ${row.file}`,
      ...shownFields.map(([field]) =>
        row.comparisons === undefined
          ? field === 'status'
            ? `${row.entry.outcome?.document?.status ?? 'not seen'} (no expectation)`
            : ''
          : cell(row.comparisons.find((comparison) => comparison.field === field)),
      ),
    ]),
    width === undefined ? {} : { width },
  );
};
