import { beforeEach, describe, expect, it } from 'vitest';
import {
  costLine,
  costOptions,
  mergeCostSummaries,
  renderCostSummary,
  summarizeCosts,
} from '../../../cli/document-costs';
import { runCli } from '../../../cli/main';
import { renderShownDocument } from '../../../cli/show-document';
import type { CostSummary, DocumentCostDetail } from '../../../lambdas/api/cost-schemas';
import { zeroParts } from '../../../lambdas/shared/documents/document-cost';
import { aRunCost } from '../../fixtures/run-costs';
import { aDocument, FakeDocumentsApi, fakeTarget } from '../../support/fake-docflow';
import { type MemoryTerminal, memoryTerminal } from '../../support/memory-terminal';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');

const aSummary = (overrides: Partial<CostSummary> = {}): CostSummary => ({
  uploadedAfter: null,
  uploadedBefore: null,
  currency: 'USD',
  documents: 3,
  costedDocuments: 2,
  totalUsd: 0.0036,
  averageUsd: 0.0018,
  parts: { ...zeroParts(), stepFunctions: 0.0006, textract: 0.003 },
  byType: [{ key: 'pdf', documents: 2, totalUsd: 0.0036, averageUsd: 0.0018 }],
  byStrategy: [
    { key: 'textract-async', documents: 1, totalUsd: 0.0033, averageUsd: 0.0033 },
    { key: 'local', documents: 1, totalUsd: 0.0003, averageUsd: 0.0003 },
  ],
  byStatus: [{ key: 'PROCESSED', documents: 2, totalUsd: 0.0036, averageUsd: 0.0018 }],
  nextCursor: null,
  ...overrides,
});

/** The parts of the one run of {@link aCost}, and so of the document. */
const ONE_RUN_PARTS = {
  stepFunctions: 0.00025,
  lambda: 0.000074302196,
  textract: 0.003,
  s3: 0.000012,
  dynamodb: 0.000007,
  sqs: 0.0000024,
  sns: 0.0000005,
};

/** The one run of {@link aCost}: the fixture's, with each usage figure its row shows set to one of its own. */
const ONE_RUN = aRunCost('scan-0123', 0.003346202196, { parts: ONE_RUN_PARTS });

const aCost = (): DocumentCostDetail => ({
  currency: 'USD',
  totalUsd: 0.003346202196,
  parts: ONE_RUN_PARTS,
  runCount: 1,
  runs: [
    {
      key: 'scan-0123',
      ...ONE_RUN,
      usage: {
        ...ONE_RUN.usage,
        stateTransitions: 10,
        lambda: { ...ONE_RUN.usage.lambda, invocations: 7, gbSeconds: 5.467 },
        textract: { detectDocumentTextPages: 0, asyncPages: 2 },
      },
    },
  ],
});

describe('costOptions', () => {
  it('reads --since and --until as dates, times or times ago, and refuses a range that ends first', () => {
    expect(costOptions({ since: '7d', until: '2026-12-08', json: true }, NOW)).toEqual({
      uploadedAfter: '2026-11-30T12:00:00.000Z',
      uploadedBefore: '2026-12-08T00:00:00.000Z',
      json: true,
    });
    expect(costOptions({}, NOW)).toEqual({ json: false });
    expect(() => costOptions({ since: '2026-12-05', until: '2026-12-01' }, NOW)).toThrow(
      '--until must not be earlier than --since',
    );
    expect(() => costOptions({ until: 'yesterday' }, NOW)).toThrow(/^--until must be a date or time/);
  });
});

describe('summarizeCosts', () => {
  it('follows the cursor and adds the responses up exactly', async () => {
    // Prepare
    const documents = new FakeDocumentsApi();
    documents.costAnswers.push(
      aSummary({ nextCursor: 'next-1' }),
      aSummary({
        documents: 1,
        costedDocuments: 1,
        totalUsd: 0.0001,
        averageUsd: 0.0001,
        parts: { ...zeroParts(), stepFunctions: 0.0001 },
        byType: [{ key: 'text', documents: 1, totalUsd: 0.0001, averageUsd: 0.0001 }],
        byStrategy: [{ key: 'local', documents: 1, totalUsd: 0.0001, averageUsd: 0.0001 }],
        byStatus: [{ key: 'PROCESSED', documents: 1, totalUsd: 0.0001, averageUsd: 0.0001 }],
      }),
    );

    // Act
    const summary = await summarizeCosts(documents, { uploadedAfter: '2026-12-01T00:00:00.000Z' });

    // Assess
    expect(documents.costQueries).toEqual([
      { uploadedAfter: '2026-12-01T00:00:00.000Z' },
      { uploadedAfter: '2026-12-01T00:00:00.000Z', cursor: 'next-1' },
    ]);
    expect(summary).toMatchObject({
      documents: 4,
      costedDocuments: 3,
      totalUsd: 0.0037,
      averageUsd: 0.001233333333,
      nextCursor: null,
    });
    expect(summary.parts.stepFunctions).toBe(0.0007);
    expect(summary.byStrategy).toEqual([
      { key: 'textract-async', documents: 1, totalUsd: 0.0033, averageUsd: 0.0033 },
      { key: 'local', documents: 2, totalUsd: 0.0004, averageUsd: 0.0002 },
    ]);
    expect(summary.byType.map((group) => group.key)).toEqual(['pdf', 'text']);
  });

  it('keeps averages null while nothing has a cost', () => {
    const empty = aSummary({
      documents: 1,
      costedDocuments: 0,
      totalUsd: 0,
      averageUsd: null,
      parts: zeroParts(),
      byType: [],
      byStrategy: [],
      byStatus: [],
    });
    expect(mergeCostSummaries(empty, empty).averageUsd).toBeNull();
  });
});

describe('rendering costs', () => {
  it('prints the summary: range, counts, total, average, per 1,000, parts and groups', () => {
    // Act
    const lines = renderCostSummary(aSummary({ uploadedAfter: '2026-12-01T00:00:00.000Z' }));

    // Assess
    const text = lines.join('\n');
    expect(text).toMatch(/^uploaded\s+2026-12-01T00:00:00Z to now$/m);
    expect(text).toMatch(/^documents\s+3 \(2 with a cost\)$/m);
    expect(text).toMatch(/^total\s+\$0\.003600$/m);
    expect(text).toMatch(/^per 1,000\s+\$1\.80$/m);
    expect(text).toMatch(/^Textract\s+\$0\.003000$/m);
    expect(text).toMatch(/^textract-async\s+1\s+\$0\.003300\s+\$0\.003300$/m);
  });

  it('shows a document’s cost as its total and non-zero parts, and a row per run', () => {
    // Prepare
    const document = { ...aDocument('incoming/scan.pdf'), cost: aCost() };

    // Act
    const lines = renderShownDocument(
      { document, problems: [] },
      { displayPath: (path) => path, consoleLinks: false },
    );

    // Assess
    expect(costLine(aCost())).toBe(
      '$0.003346 (Textract $0.003000, Step Functions $0.000250, Lambda $0.000074, S3 $0.000012, DynamoDB $0.000007, SQS $0.000002, SNS $0.000000500)',
    );
    expect(lines.find((line) => line.startsWith('cost '))?.replace(/^cost\s+/, '')).toBe(costLine(aCost()));
    const table = lines.slice(lines.indexOf('Cost (1 run, modelled, USD):') + 1);
    expect(table[0]).toMatch(/RUN\s+STATUS\s+TRANSITIONS\s+INVOCATIONS\s+GB-S\s+PAGES\s+COST/);
    expect(table[1]).toMatch(/scan-0123\s+SUCCEEDED\s+10\s+7\s+5\.467\s+2\s+\$0\.003346/);
  });
});

describe('docflow cost', () => {
  const folder = temporaryFolderPerTest('docflow-cost-');
  let terminal: MemoryTerminal;

  beforeEach(async () => {
    terminal = memoryTerminal();
  });

  it('asks the API for the range and prints the summary, or JSON', async () => {
    // Prepare
    const documents = new FakeDocumentsApi();
    documents.costAnswers.push(aSummary());
    const target = fakeTarget({ documents });
    const environment = { terminal, cwd: folder(), now: () => NOW, connect: async () => target };

    // Act
    const code = await runCli(['cost', '--since', '2026-12-01'], environment);
    const json = await runCli(['cost', '--json'], environment);

    // Assess
    expect([code, json]).toEqual([0, 0]);
    expect(documents.costQueries[0]).toEqual({ uploadedAfter: '2026-12-01T00:00:00.000Z' });
    const text = terminal.text();
    expect(text).toMatch(/^total\s+\$0\.003600$/m);
    expect(terminal.stderr.join('\n')).toContain('1 document(s) have no cost yet');
    expect(JSON.parse(text.slice(text.indexOf('{')))).toMatchObject({ totalUsd: 0.0036 });
  });
});
