import { describe, expect, it } from 'vitest';
import { costSummarySchema, documentCostDetailSchema } from '../../../../lambdas/api/cost-schemas';
import { costDetailOf, costRoutes, costSummaryOf } from '../../../../lambdas/api/costs';
import { createRouter } from '../../../../lambdas/api/router';
import { apiRoutes } from '../../../../lambdas/api/routes';
import { documentDetailSchema, documentListSchema, problemSchema } from '../../../../lambdas/api/schemas';
import {
  type DocumentCost,
  picodollarsOf,
  usdOf,
  zeroParts,
} from '../../../../lambdas/shared/documents/document-cost';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import { aMetadataItem } from '../../../fixtures/metadata-items';
import { aRunCost } from '../../../fixtures/run-costs';
import {
  InMemoryDocumentCatalog,
  InMemoryTextStore,
  RecordingUrlSigner,
} from '../../../support/in-memory-document-catalog';
import { RecordingIngestQueue } from '../../../support/recording-ingest-queue';
import { recordingUploads } from '../../../support/recording-upload-signer';

const SECRET = 'unit-test-cursor-secret-0123456789abcdef';

/** A cost of one run whose parts are a Step Functions and a Textract share of `totalUsd`. */
const costOf = (totalUsd: number, textract = 0): DocumentCost => {
  const run = aRunCost('run', totalUsd, {
    startedAt: '2026-11-23T10:00:00.000Z',
    stoppedAt: '2026-11-23T10:00:00.000Z',
    parts: { stepFunctions: usdOf(picodollarsOf(totalUsd) - picodollarsOf(textract)), textract },
  });
  return { currency: 'USD', totalUsd, parts: run.parts, runs: { run } };
};

const setup = (items: readonly MetadataItem[], maxDocuments?: number) => {
  const catalog = new InMemoryDocumentCatalog().put(...items);
  const route = createRouter(
    costRoutes(catalog, { cursorSecret: SECRET, ...(maxDocuments === undefined ? {} : { maxDocuments }) }),
  );
  return async (query: Record<string, string> = {}) => {
    const result = await route(apiEvent('GET', '/costs', query));
    return { status: result.statusCode, body: JSON.parse(result.body) as unknown };
  };
};

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`;

describe('GET /costs', () => {
  it('sums the documents of a range exactly, with per-type, per-strategy and per-status averages', async () => {
    // Prepare
    const get = setup([
      aMetadataItem(
        { key: 'incoming/a.pdf', uploadedAt: day(20) },
        { textStrategy: 'local', cost: costOf(0.0003) },
      ),
      aMetadataItem(
        { key: 'incoming/b.pdf', uploadedAt: day(21) },
        { textStrategy: 'textract-async', cost: costOf(0.0033, 0.003) },
      ),
      aMetadataItem(
        { key: 'incoming/c.png', uploadedAt: day(22), type: 'png' },
        { textStrategy: 'textract-sync', cost: costOf(0.0021, 0.0015) },
      ),
      aMetadataItem(
        { key: 'incoming/d.pdf', uploadedAt: day(22), status: 'REJECTED' },
        { cost: costOf(0.0001) },
      ),
      // Still processing: counted as a document, not in the sums.
      aMetadataItem({ key: 'incoming/e.pdf', uploadedAt: day(23), status: 'PROCESSING' }),
      // Outside the range.
      aMetadataItem(
        { key: 'incoming/old.pdf', uploadedAt: day(1) },
        { textStrategy: 'local', cost: costOf(1) },
      ),
    ]);

    // Act
    const { status, body } = await get({ uploadedAfter: '2026-11-20', uploadedBefore: '2026-11-30' });

    // Assess
    expect(status).toBe(200);
    const summary = costSummarySchema.parse(body);
    expect(summary).toMatchObject({
      uploadedAfter: '2026-11-20T00:00:00.000Z',
      uploadedBefore: '2026-11-30T00:00:00.000Z',
      documents: 5,
      costedDocuments: 4,
      totalUsd: 0.0058,
      averageUsd: 0.00145,
      nextCursor: null,
    });
    expect(summary.parts).toEqual({ ...zeroParts(), stepFunctions: 0.0013, textract: 0.0045 });
    // A document rejected before Inspect said what it is has no type: `unknown`.
    expect(summary.byType).toEqual([
      { key: 'pdf', documents: 2, totalUsd: 0.0036, averageUsd: 0.0018 },
      { key: 'png', documents: 1, totalUsd: 0.0021, averageUsd: 0.0021 },
      { key: 'unknown', documents: 1, totalUsd: 0.0001, averageUsd: 0.0001 },
    ]);
    expect(summary.byStrategy.map((group) => [group.key, group.documents, group.totalUsd])).toEqual([
      ['textract-async', 1, 0.0033],
      ['textract-sync', 1, 0.0021],
      ['local', 1, 0.0003],
      ['unknown', 1, 0.0001],
    ]);
    expect(summary.byStatus.map((group) => group.key)).toEqual(['PROCESSED', 'REJECTED']);
  });

  it('reads a wide range in several responses whose figures add up to the whole', async () => {
    // Prepare
    const items = Array.from({ length: 7 }, (_, index) =>
      aMetadataItem(
        { key: `incoming/${index}.pdf`, uploadedAt: day(10 + index) },
        { cost: costOf(0.0001 * (index + 1)) },
      ),
    );
    const get = setup(items, 3);

    // Act
    const pages = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: unknown } = await get(cursor ? { cursor } : {});
      const summary = costSummarySchema.parse(body);
      pages.push(summary);
      cursor = summary.nextCursor;
    } while (cursor);

    // Assess
    expect(pages.map((page) => page.documents)).toEqual([3, 3, 1]);
    const total = pages.reduce((sum, page) => sum + Math.round(page.totalUsd * 1e12), 0) / 1e12;
    expect(total).toBe(0.0028);
  });

  it('refuses a cursor used with another range, and a range that ends before it starts', async () => {
    // Prepare
    const get = setup(
      Array.from({ length: 3 }, (_, index) =>
        aMetadataItem({ key: `incoming/${index}.pdf`, uploadedAt: day(10 + index) }),
      ),
      1,
    );
    const { body } = await get({ uploadedAfter: '2026-11-01' });
    const cursor = costSummarySchema.parse(body).nextCursor ?? '';

    // Act
    const reused = await get({ cursor, uploadedAfter: '2026-11-02' });
    const backwards = await get({ uploadedAfter: '2026-11-20', uploadedBefore: '2026-11-10' });
    const unknown = await get({ status: 'PROCESSED' });

    // Assess
    expect(reused.status).toBe(400);
    expect(problemSchema.parse(reused.body).detail).toMatch(/another range/);
    expect(backwards.status).toBe(400);
    expect(problemSchema.parse(backwards.body).errors).toEqual([
      { parameter: 'uploadedBefore', message: 'must not be earlier than uploadedAfter' },
    ]);
    expect(unknown.status).toBe(400);
  });
});

describe('a document’s cost in the API', () => {
  it('is summed up in a summary, and listed run by run, oldest first, in a detail', () => {
    // Prepare
    const later = aRunCost('scan-r1', 0.0002, {
      startedAt: '2026-11-23T11:00:00.000Z',
      stoppedAt: '2026-11-23T11:00:00.000Z',
      parts: { lambda: 0.0002 },
    });
    const first = aRunCost('scan', 0.0001, {
      startedAt: '2026-11-23T10:00:00.000Z',
      stoppedAt: '2026-11-23T10:00:00.000Z',
      parts: { stepFunctions: 0.0001 },
    });
    const cost: DocumentCost = {
      currency: 'USD',
      totalUsd: 0.0003,
      parts: { ...zeroParts(), lambda: 0.0002, stepFunctions: 0.0001 },
      runs: { 'scan-r1': later, scan: first },
    };

    // Act
    const summary = costSummaryOf(cost);
    const detail = documentCostDetailSchema.parse(costDetailOf(cost));

    // Assess
    expect(summary).toEqual({ currency: 'USD', totalUsd: 0.0003, parts: cost.parts, runCount: 2 });
    expect(detail.runs.map((run) => run.key)).toEqual(['scan', 'scan-r1']);
    expect(detail.runs[0]?.usage.stateTransitions).toBe(9);
  });
});

describe('the cost on the document routes', () => {
  const route = (items: readonly MetadataItem[]) =>
    createRouter(
      apiRoutes(
        {
          catalog: new InMemoryDocumentCatalog().put(...items),
          texts: new InMemoryTextStore(),
          urls: new RecordingUrlSigner(),
        },
        { cursorSecret: SECRET, urlTtlSeconds: 300, region: 'us-east-1' },
        recordingUploads(),
        new RecordingIngestQueue(),
      ),
    );

  it('lists each document with its total and parts, and shows one with every run', async () => {
    // Prepare
    const priced = aMetadataItem({ key: 'incoming/priced.pdf' }, { cost: costOf(0.0033, 0.003) });
    const pending = aMetadataItem({ key: 'incoming/pending.pdf', status: 'PROCESSING' });
    const get = route([priced, pending]);

    // Act
    const list = documentListSchema.parse(JSON.parse((await get(apiEvent('GET', '/documents'))).body));
    const detail = documentDetailSchema.parse(
      JSON.parse((await get(apiEvent('GET', `/documents/${priced.documentId}`))).body),
    );

    // Assess
    const listed = list.items.find((item) => item.id === priced.documentId);
    expect(listed?.cost).toEqual({
      currency: 'USD',
      totalUsd: 0.0033,
      parts: { ...zeroParts(), stepFunctions: 0.0003, textract: 0.003 },
      runCount: 1,
    });
    expect(list.items.find((item) => item.id === pending.documentId)?.cost).toBeUndefined();
    expect(detail.cost?.runs.map((run) => [run.key, run.totalUsd])).toEqual([['run', 0.0033]]);
  });

  it('keeps a deleted document’s cost on its tombstone', async () => {
    // Prepare
    const deleted = aMetadataItem(
      { key: 'incoming/gone.pdf', status: 'DELETED' },
      { deletedAt: '2026-11-24T10:00:00.000Z', cost: costOf(0.0004) },
    );

    // Act
    const response = await route([deleted])(apiEvent('GET', `/documents/${deleted.documentId}`));

    // Assess
    const detail = documentDetailSchema.parse(JSON.parse(response.body));
    expect(detail.original).toBeNull();
    expect(detail.cost?.totalUsd).toBe(0.0004);
  });
});
