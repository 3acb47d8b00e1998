import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoMatches, fullText, renderDemo } from '../../../cli/demo-report';
import { compareWithExpected, readExpectedResults } from '../../../cli/expected-results';
import { SAMPLE_DOCS_DIR } from '../../../cli/paths';
import type { SessionEntry } from '../../../cli/upload-session';
import { EXPECTED_RESULTS } from '../../../scripts/sample-docs/expected-results';
import { aDocument, FakeDocumentsApi } from '../../support/fake-docflow';
import { expectedResultOf } from '../../support/sample-docs';

const report = expectedResultOf(EXPECTED_RESULTS, 'report-text-layer.pdf');
const corrupt = expectedResultOf(EXPECTED_RESULTS, 'corrupt.pdf');

const thumbnail = { width: 256, height: 331, contentType: 'image/webp', url: 'https://x/t.webp' };
const text = {
  pages: 3,
  characters: 900,
  words: 150,
  source: 'pdf-text-layer' as const,
  url: 'https://x/t.json',
};
/** What the pipeline records for the report sample when it comes out as expected. */
const processedReport = {
  type: 'pdf',
  mimeType: 'application/pdf',
  pages: 3,
  textStrategy: 'local' as const,
  thumbnail,
  text,
};

describe('compareWithExpected', () => {
  it('matches every field of a document that came out as expected (phrase across a line break)', () => {
    // Prepare
    const document = aDocument('incoming/demo/report-text-layer.pdf', processedReport);

    // Act
    const comparisons = compareWithExpected(
      report,
      document,
      'Page two.\nHarbour crane seven was\nrepaired ahead of schedule.',
    );

    // Assess
    expect(comparisons.map((c) => [c.field, c.matches])).toEqual([
      ['status', true],
      ['type', true],
      ['mimeType', true],
      ['pages', true],
      ['textStrategy', true],
      ['thumbnail', true],
      ['phrase', true],
    ]);
  });

  it('reports each field that differs, with both values', () => {
    // Prepare
    const document = aDocument('incoming/demo/corrupt.pdf', {
      status: 'FAILED',
      type: 'pdf',
      mimeType: 'application/pdf',
      failure: { error: 'States.Timeout', cause: 'Inspect timed out' },
    });

    // Act
    const comparisons = compareWithExpected(corrupt, document, undefined);

    // Assess
    expect(comparisons.filter((c) => !c.matches)).toEqual([
      { field: 'status', expected: 'REJECTED', actual: 'FAILED', matches: false },
      { field: 'reason', expected: 'CORRUPT', actual: '–', matches: false },
    ]);
    expect(comparisons.find((c) => c.field === 'textStrategy')).toMatchObject({
      actual: 'none',
      matches: true,
    });
  });

  it('fails every field of a document that never showed up', () => {
    // Act
    const comparisons = compareWithExpected(report, undefined, undefined);

    // Assess
    expect(comparisons.every((c) => !c.matches)).toBe(true);
    expect(comparisons.find((c) => c.field === 'phrase')?.actual).toBe('no text');
  });

  it('reads the real expected-results.json', async () => {
    // Act
    const expected = await readExpectedResults(join(SAMPLE_DOCS_DIR, 'expected-results.json'));

    // Assess
    expect(expected.map((entry) => entry.file)).toContain('corrupt.pdf');
    expect(expected.find((entry) => entry.file === 'corrupt.pdf')?.reason).toBe('CORRUPT');
  });
});

describe('renderDemo', () => {
  it('puts ✓ or ✗ with the wanted value in each field, one row per sample', () => {
    // Prepare
    const entry = (key: string): SessionEntry => ({
      planned: { path: `/s/${key}`, key, size: 1, label: key },
      id: 'AbCdEfGhIjKlMnOpQrStUv',
      upload: {
        planned: { path: '', key, size: 1, label: key },
        uploaded: { bucket: 'b', key, eTag: '"e"' },
      },
    });
    const good = {
      file: 'report-text-layer.pdf',
      entry: entry('incoming/demo/report-text-layer.pdf'),
      comparisons: compareWithExpected(
        report,
        aDocument('k', processedReport),
        'harbour? Harbour crane seven was repaired ahead of schedule',
      ),
    };
    const bad = {
      file: 'corrupt.pdf',
      entry: entry('incoming/demo/corrupt.pdf'),
      comparisons: compareWithExpected(
        corrupt,
        aDocument('k', { status: 'PROCESSED', type: 'pdf', mimeType: 'application/pdf' }),
        undefined,
      ),
    };

    // Act
    const lines = renderDemo([good, bad]);

    // Assess
    expect(demoMatches(good)).toBe(true);
    expect(demoMatches(bad)).toBe(false);
    expect(lines[0]).toMatch(
      /^FILE\s+STATUS\s+TYPE\s+PAGES\s+TEXT\s+THUMBNAIL\s+PHRASE\s+REASON\s+MIME TYPE$/,
    );
    expect(lines[1]).toMatch(
      /^✓ report-text-layer\.pdf\s+✓ PROCESSED\s+✓ pdf\s+✓ 3\s+✓ local\s+✓ yes\s+✓ found/,
    );
    expect(lines[2]).toMatch(
      /^✗ corrupt\.pdf\s+✗ PROCESSED \(want REJECTED\)\s+✓ pdf\s+✓ –\s+✓ none\s+✓ no\s+✗ – \(want CORRUPT\)/,
    );
  });
});

describe('fullText', () => {
  it('joins every page of every text response', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    const page = (number: number, value: string) => ({ number, text: value });
    const response = (pages: { number: number; text: string }[], nextPage: number | null) => ({
      documentId: 'x',
      version: 'v',
      source: 'textract' as const,
      page: 1,
      pageSize: 50,
      totalPages: 2,
      documentPages: 3,
      nextPage,
      pages,
    });
    api.texts.set('x', [response([page(1, 'one'), page(2, 'two')], 2), response([page(3, 'three')], null)]);

    // Act & Assess
    expect(await fullText(api, 'x')).toBe('one\ntwo\nthree');
    expect(await fullText(api, 'none')).toBeUndefined();
  });
});
