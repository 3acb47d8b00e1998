import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DocumentDetail } from '../lambdas/api/schemas';
import { DOCUMENT_STATUSES, TEXT_STRATEGIES } from '../lambdas/shared/documents/document';

/** sample-docs/expected-results.json (its fields are described in sample-docs/README.md). */
const expectedResultSchema = z.object({
  file: z.string(),
  status: z.enum(DOCUMENT_STATUSES),
  type: z.string(),
  mimeType: z.string(),
  pages: z.number().int().nullable(),
  textStrategy: z.enum(TEXT_STRATEGIES),
  phrase: z.string().nullable(),
  thumbnail: z.boolean(),
  reason: z.string().optional(),
});

export type ExpectedResult = z.output<typeof expectedResultSchema>;

export const readExpectedResults = async (path: string): Promise<ExpectedResult[]> =>
  z.array(expectedResultSchema).parse(JSON.parse(await readFile(path, 'utf8')));

/** The fields compared, in the order they are shown. */
export const COMPARED_FIELDS = [
  'status',
  'type',
  'mimeType',
  'pages',
  'textStrategy',
  'thumbnail',
  'reason',
  'phrase',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export interface FieldComparison {
  readonly field: ComparedField;
  readonly expected: string;
  readonly actual: string;
  readonly matches: boolean;
}

const shown = (value: string | number | boolean | null | undefined): string =>
  value === null || value === undefined ? '–' : String(value);

/** Whitespace differs between extractors (OCR line breaks); the words must not. */
const normalizeSpace = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Compares a document with its expected result, field by field. `text` is the document's whole
 * extracted text (undefined when it has none). A rejected document never gets a text strategy,
 * which the expectations write as `none`. For a rejected document, `type` and `mimeType` say what its
 * bytes claim to be; the pipeline records them only when Inspect got that far, so they count only
 * when the pipeline recorded them.
 */
export const compareWithExpected = (
  expected: ExpectedResult,
  document: DocumentDetail | undefined,
  text: string | undefined,
): FieldComparison[] => {
  const actual = {
    status: document?.status,
    type: document?.type,
    mimeType: document?.mimeType,
    pages: document?.pages,
    textStrategy: document ? (document.textStrategy ?? 'none') : undefined,
    thumbnail: document ? document.thumbnail !== null : undefined,
    reason: document?.reason,
  };
  const comparisons: FieldComparison[] = [
    {
      field: 'status',
      expected: expected.status,
      actual: shown(actual.status),
      matches: actual.status === expected.status,
    },
    {
      field: 'type',
      expected: expected.type,
      actual: shown(actual.type),
      matches: actual.type === expected.type || (expected.status === 'REJECTED' && actual.type === undefined),
    },
    {
      field: 'mimeType',
      expected: expected.mimeType,
      actual: shown(actual.mimeType),
      matches:
        actual.mimeType === expected.mimeType ||
        (expected.status === 'REJECTED' && actual.mimeType === undefined),
    },
    {
      field: 'pages',
      expected: shown(expected.pages),
      actual: shown(actual.pages),
      matches: (actual.pages ?? null) === expected.pages,
    },
    {
      field: 'textStrategy',
      expected: expected.textStrategy,
      actual: shown(actual.textStrategy),
      matches: actual.textStrategy === expected.textStrategy,
    },
    {
      field: 'thumbnail',
      expected: expected.thumbnail ? 'yes' : 'no',
      actual: actual.thumbnail === undefined ? '–' : actual.thumbnail ? 'yes' : 'no',
      matches: actual.thumbnail === expected.thumbnail,
    },
  ];
  if (expected.reason !== undefined || actual.reason !== undefined) {
    comparisons.push({
      field: 'reason',
      expected: shown(expected.reason),
      actual: shown(actual.reason),
      matches: actual.reason === expected.reason,
    });
  }
  if (expected.phrase !== null) {
    const found = text !== undefined && normalizeSpace(text).includes(normalizeSpace(expected.phrase));
    comparisons.push({
      field: 'phrase',
      expected: `“${expected.phrase}”`,
      actual: text === undefined ? 'no text' : found ? 'found' : 'not found',
      matches: found,
    });
  }
  return comparisons;
};
