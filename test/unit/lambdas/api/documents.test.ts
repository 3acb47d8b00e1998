import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../../../lambdas/api/router';
import { apiRoutes } from '../../../../lambdas/api/routes';
import {
  documentDetailSchema,
  documentListSchema,
  listDocumentsQuery,
  problemSchema,
  textQuery,
  textResponseSchema,
} from '../../../../lambdas/api/schemas';
import { DOCUMENT_STATUSES } from '../../../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import type { TextDocument } from '../../../../lambdas/shared/documents/text-document';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import { aMetadataItem } from '../../../fixtures/metadata-items';
import {
  InMemoryDocumentCatalog,
  InMemoryTextStore,
  RecordingUrlSigner,
} from '../../../support/in-memory-document-catalog';
import { withoutContent } from '../../../support/in-memory-metadata-index';
import { newestFirst } from '../../../support/newest-first';
import { RecordingIngestQueue } from '../../../support/recording-ingest-queue';
import { recordingUploads } from '../../../support/recording-upload-signer';

const SECRET = 'unit-test-cursor-secret-0123456789abcdef';
const NOW = new Date('2026-11-23T12:00:00.000Z');

const setup = (
  items: readonly MetadataItem[] = [],
  options: { secret?: string; catalog?: InMemoryDocumentCatalog } = {},
) => {
  const catalog = (options.catalog ?? new InMemoryDocumentCatalog()).put(...items);
  const texts = new InMemoryTextStore();
  const urls = new RecordingUrlSigner();
  const route = createRouter(
    apiRoutes(
      { catalog, texts, urls },
      {
        cursorSecret: options.secret ?? SECRET,
        urlTtlSeconds: 300,
        region: 'us-east-1',
        now: () => NOW,
        maxQueriesPerPage: Number.POSITIVE_INFINITY,
      },
      recordingUploads(),
      new RecordingIngestQueue(),
    ),
  );
  const get = async (path: string, query: Record<string, string> = {}) => {
    const result = await route(apiEvent('GET', path, query));
    return {
      status: result.statusCode,
      headers: result.headers ?? {},
      body: JSON.parse(result.body) as unknown,
    };
  };
  return { catalog, texts, urls, get };
};

const problemOf = (body: unknown) => problemSchema.parse(body);

const at = (day: number, hour = 10) =>
  `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

describe('GET /documents', () => {
  it('lists newest first, as public views without internal keys', async () => {
    // Prepare
    const items = [
      aMetadataItem({ key: 'incoming/old.pdf', uploadedAt: at(20) }),
      aMetadataItem({ key: 'incoming/new.pdf', uploadedAt: at(22) }),
      aMetadataItem({ key: 'incoming/mid.jpg', uploadedAt: at(21), type: 'jpeg', status: 'REJECTED' }),
    ];
    const { get } = setup(items);

    // Act
    const { status, body } = await get('/documents');

    // Assess
    expect(status).toBe(200);
    const list = documentListSchema.parse(body);
    expect(list.items.map((item) => item.key)).toEqual([
      'incoming/new.pdf',
      'incoming/mid.jpg',
      'incoming/old.pdf',
    ]);
    expect(list.nextCursor).toBeNull();
    for (const item of list.items) {
      expect(item).not.toHaveProperty('statusShard');
      expect(item).not.toHaveProperty('listShard');
      expect(item).not.toHaveProperty('sequencer');
      expect(item).not.toHaveProperty('documentId');
    }
    expect(list.items[1]).toMatchObject({
      status: 'REJECTED',
      reason: 'CORRUPT',
      thumbnail: null,
      text: null,
    });
    expect(list.items[0]?.thumbnail).toEqual({ width: 256, height: 192, contentType: 'image/webp' });
  });

  it('filters by status, type (case-insensitive) and an inclusive, offset-normalized time range', async () => {
    // Prepare
    const items = [
      aMetadataItem({ key: 'a.pdf', uploadedAt: at(21, 8) }),
      aMetadataItem({ key: 'b.pdf', uploadedAt: at(21, 10) }),
      aMetadataItem({ key: 'c.jpg', uploadedAt: at(21, 11), type: 'jpeg' }),
      aMetadataItem({ key: 'd.pdf', uploadedAt: at(21, 12) }),
      aMetadataItem({ key: 'e.pdf', uploadedAt: at(21, 13) }),
      aMetadataItem({ key: 'f.pdf', uploadedAt: at(21, 11), status: 'FAILED' }, { type: 'pdf' }),
    ];
    const { get } = setup(items);

    // Act
    const { status, body } = await get('/documents', {
      status: 'PROCESSED',
      type: 'PDF',
      uploadedAfter: '2026-11-21T12:00:00+02:00',
      uploadedBefore: '2026-11-21T12:00:00Z',
    });

    // Assess
    expect(status).toBe(200);
    expect(documentListSchema.parse(body).items.map((item) => item.key)).toEqual(['d.pdf', 'b.pdf']);
  });

  it.each([
    [{ status: 'DONE' }, 'status'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ uploadedAfter: 'yesterday' }, 'uploadedAfter'],
    [{ uploadedBefore: '2026-13-01' }, 'uploadedBefore'],
    [{ uploadedAfter: '2026-11-22', uploadedBefore: '2026-11-21' }, 'uploadedBefore'],
    [{ type: '../etc' }, 'type'],
    [{ cursor: '' }, 'cursor'],
    [{ stauts: 'PROCESSED' }, 'stauts'],
  ])('answers %o with a 400 naming %s', async (query, parameter) => {
    // Prepare
    const { get } = setup([aMetadataItem({ key: 'a.pdf' })]);

    // Act
    const { status, headers, body } = await get('/documents', query);

    // Assess
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/problem+json');
    const problem = problemOf(body);
    expect(problem.type).toBe('tag:docflow,2026:problem:invalid-parameter');
    expect(problem.errors?.map((error) => error.parameter)).toContain(parameter);
  });

  it('continues with a cursor, also at another page size', async () => {
    // Prepare
    const items = Array.from({ length: 9 }, (_, i) =>
      aMetadataItem({ key: `k${i}.pdf`, uploadedAt: at(10 + i) }),
    );
    const { get } = setup(items);

    // Act
    const first = documentListSchema.parse((await get('/documents', { limit: '4' })).body);
    const second = documentListSchema.parse(
      (await get('/documents', { limit: '5', cursor: first.nextCursor ?? '' })).body,
    );

    // Assess
    expect(first.items.map((item) => item.key)).toEqual(['k8.pdf', 'k7.pdf', 'k6.pdf', 'k5.pdf']);
    expect(second.items.map((item) => item.key)).toEqual(['k4.pdf', 'k3.pdf', 'k2.pdf', 'k1.pdf', 'k0.pdf']);
    expect(second.nextCursor).toBeNull();
  });

  it.each([
    [{ status: 'FAILED' }],
    [{ type: 'jpeg' }],
    [{ uploadedAfter: '2026-11-01' }],
    [{ status: 'PROCESSED', type: 'pdf' }],
  ])('refuses a cursor replayed with other filters (%o) with a 400', async (changed) => {
    // Prepare
    const items = Array.from({ length: 6 }, (_, i) =>
      aMetadataItem({ key: `k${i}.pdf`, uploadedAt: at(10 + i) }),
    );
    const { get } = setup(items);
    const first = documentListSchema.parse(
      (await get('/documents', { limit: '2', status: 'PROCESSED' })).body,
    );

    // Act
    const { status, body } = await get('/documents', {
      limit: '2',
      cursor: first.nextCursor ?? '',
      ...changed,
    });

    // Assess
    expect(status).toBe(400);
    expect(problemOf(body)).toMatchObject({
      type: 'tag:docflow,2026:problem:invalid-cursor',
      detail: 'the cursor was issued for other filters; repeat them unchanged',
    });
  });

  it('refuses a cursor of another deployment (other secret) and a tampered one with a 400', async () => {
    // Prepare
    const items = Array.from({ length: 6 }, (_, i) =>
      aMetadataItem({ key: `k${i}.pdf`, uploadedAt: at(10 + i) }),
    );
    const other = setup(items, { secret: 'another-deployment-secret-0123456789' });
    const ours = setup(items);
    const foreign =
      documentListSchema.parse((await other.get('/documents', { limit: '2' })).body).nextCursor ?? '';
    const own =
      documentListSchema.parse((await ours.get('/documents', { limit: '2' })).body).nextCursor ?? '';
    const [body, mac] = own.split('.');
    const payload = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8'));
    payload.s = payload.s.map(() => ({}));
    const tampered = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;

    // Act
    const responses = await Promise.all(
      [foreign, tampered, own.slice(0, -3), `${own}x`].map((cursor) =>
        ours.get('/documents', { limit: '2', cursor }),
      ),
    );

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(problemOf(response.body).type).toBe('tag:docflow,2026:problem:invalid-cursor');
    }
  });

  it('pages through everything exactly once, newest first, in full pages (property)', async () => {
    const times = Array.from({ length: 6 }, (_, i) => at(10 + i));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            time: fc.constantFrom(...times),
            status: fc.constantFrom(...DOCUMENT_STATUSES),
            type: fc.constantFrom('pdf', 'jpeg'),
          }),
          { maxLength: 50 },
        ),
        fc.option(fc.constantFrom(...DOCUMENT_STATUSES), { nil: undefined }),
        fc.option(fc.constantFrom('pdf', 'jpeg'), { nil: undefined }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }),
        async (specs, status, type, limit, cuts) => {
          // Prepare
          const items = specs.map((spec, i) =>
            aMetadataItem(
              { key: `incoming/${i}.bin`, status: spec.status, uploadedAt: spec.time },
              { type: spec.type },
            ),
          );
          const { get } = setup(items, {
            catalog: new InMemoryDocumentCatalog((n) => cuts[n % cuts.length] ?? 1),
          });
          const filters = { ...(status ? { status } : {}), ...(type ? { type } : {}) };
          const expected = newestFirst(
            items.filter((item) => (!status || item.status === status) && (!type || item.type === type)),
          );

          // Act
          const pages: string[][] = [];
          let cursor: string | null | undefined;
          do {
            const response = await get('/documents', {
              ...filters,
              limit: String(limit),
              ...(cursor ? { cursor } : {}),
            });
            expect(response.status).toBe(200);
            const list = documentListSchema.parse(response.body);
            pages.push(list.items.map((item) => item.id));
            cursor = list.nextCursor;
          } while (cursor && pages.length < 1000);

          // Assess
          expect(pages.flat()).toEqual(expected);
          expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / limit)));
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** A processed item after its upload was deleted: what the DynamoDB adapter leaves of it. */
const aDeletedItem = (key: string): MetadataItem => {
  const kept = withoutContent(aMetadataItem({ key }));
  return {
    ...kept,
    status: 'DELETED',
    statusShard: `DELETED#${kept.statusShard.split('#')[1]}`,
    sequencer: 'F'.repeat(32),
    deletedAt: '2026-11-23T11:00:00.000Z',
  };
};

describe('a deleted document', () => {
  it('is returned as DELETED with when, and with no URL to anything', async () => {
    // Prepare
    const item = aDeletedItem('incoming/gone.pdf');
    const { get, urls } = setup([item]);

    // Act
    const { status, body } = await get(`/documents/${item.documentId}`);

    // Assess
    expect(status).toBe(200);
    const detail = documentDetailSchema.parse(body);
    expect(detail).toMatchObject({
      status: 'DELETED',
      deletedAt: '2026-11-23T11:00:00.000Z',
      thumbnail: null,
      text: null,
      original: null,
      urlsExpireAt: null,
      execution: { arn: item.executionArn },
    });
    expect(urls.requests).toEqual([]);
  });

  it('answers its text with 410 Gone, saying when it was deleted', async () => {
    // Prepare
    const item = aDeletedItem('incoming/gone.pdf');
    const { get } = setup([item]);

    // Act
    const { status, body } = await get(`/documents/${item.documentId}/text`);

    // Assess
    expect(status).toBe(410);
    expect(problemOf(body)).toMatchObject({
      type: 'tag:docflow,2026:problem:document-deleted',
      detail: `document ${item.documentId} was deleted at 2026-11-23T11:00:00.000Z`,
    });
  });

  it('is listed under status=DELETED only', async () => {
    // Prepare
    const deleted = aDeletedItem('incoming/gone.pdf');
    const kept = aMetadataItem({ key: 'incoming/kept.pdf' });
    const { get } = setup([deleted, kept]);

    // Act
    const onlyDeleted = documentListSchema.parse((await get('/documents', { status: 'DELETED' })).body);
    const processed = documentListSchema.parse((await get('/documents', { status: 'PROCESSED' })).body);

    // Assess
    expect(onlyDeleted.items.map((summary) => summary.key)).toEqual(['incoming/gone.pdf']);
    expect(processed.items.map((summary) => summary.key)).toEqual(['incoming/kept.pdf']);
  });
});

describe('GET /documents/{id}', () => {
  it('returns the public view with presigned URLs, the original as an attachment, and the execution', async () => {
    // Prepare
    const item = aMetadataItem({
      key: 'incoming/reports/Q3 “final”.pdf',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH',
    });
    const { get, urls } = setup([item]);

    // Act
    const { status, headers, body } = await get(`/documents/${item.documentId}`);

    // Assess
    expect(status).toBe(200);
    expect(headers['cache-control']).toBe('no-store');
    const detail = documentDetailSchema.parse(body);
    expect(detail).toMatchObject({
      id: item.documentId,
      key: 'incoming/reports/Q3 “final”.pdf',
      version: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH',
      status: 'PROCESSED',
      urlsExpireAt: '2026-11-23T12:05:00.000Z',
      original: { filename: 'Q3 “final”.pdf' },
      execution: {
        arn: item.executionArn,
        consoleUrl: `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${item.executionArn}`,
      },
    });
    expect(body).not.toHaveProperty('statusShard');
    expect(body).not.toHaveProperty('listShard');
    expect(body).not.toHaveProperty('sequencer');
    expect(body).not.toHaveProperty('executionArn');
    expect(detail.thumbnail?.url).toBe(
      `https://signed.example/derivatives-bucket/${item.thumbnail?.key}?expires=300`,
    );
    expect(detail.text?.url).toBe(`https://signed.example/derivatives-bucket/${item.text?.key}?expires=300`);
    expect(urls.requests).toContainEqual({
      bucket: 'uploads-bucket',
      key: 'incoming/reports/Q3 “final”.pdf',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH',
      contentDisposition: `attachment; filename="Q3 _final_.pdf"; filename*=UTF-8''Q3%20%E2%80%9Cfinal%E2%80%9D.pdf`,
      expiresInSeconds: 300,
    });
    expect(new URL(detail.original?.url ?? '').searchParams.get('versionId')).toBe(
      '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH',
    );
  });

  it('pins no VersionId when the version is the sequencer of an unversioned bucket', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/plain.svg' });
    const { get, urls } = setup([item]);

    // Act
    await get(`/documents/${item.documentId}`);

    // Assess
    const original = urls.requests.find((request) => request.bucket === 'uploads-bucket');
    expect(original).toBeDefined();
    expect(original).not.toHaveProperty('versionId');
    expect(original?.contentDisposition).toMatch(/^attachment; /);
  });

  it('returns null thumbnail, text and execution when there are none', async () => {
    // Prepare
    const { executionArn: _arn, ...rejected } = aMetadataItem({
      key: 'incoming/broken.pdf',
      status: 'REJECTED',
    });
    const { get, urls } = setup([rejected]);

    // Act
    const { status, body } = await get(`/documents/${rejected.documentId}`);

    // Assess
    expect(status).toBe(200);
    expect(documentDetailSchema.parse(body)).toMatchObject({
      status: 'REJECTED',
      reason: 'CORRUPT',
      reasonDetail: 'truncated PDF',
      thumbnail: null,
      text: null,
      execution: null,
    });
    expect(urls.requests.map((request) => request.bucket)).toEqual(['uploads-bucket']);
  });

  it('answers a missing document with a 404 and a malformed id with a 400', async () => {
    // Prepare
    const { get } = setup([]);

    // Act
    const missing = await get('/documents/AAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await get('/documents/not-an-id');
    const extra = await get('/documents/AAAAAAAAAAAAAAAAAAAAAA', { expand: 'all' });

    // Assess
    expect(missing.status).toBe(404);
    expect(problemOf(missing.body)).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'document AAAAAAAAAAAAAAAAAAAAAA does not exist',
    });
    expect(malformed.status).toBe(400);
    expect(problemOf(malformed.body).errors).toEqual([
      { parameter: 'id', message: 'must be a document id (22 base64url characters)' },
    ]);
    expect(extra.status).toBe(400);
  });
});

describe('GET /documents/{id}/text', () => {
  const fivePages = (item: MetadataItem): TextDocument => ({
    documentId: item.documentId,
    version: item.version,
    sequencer: item.sequencer,
    source: 'pdf-text-layer',
    pages: [5, 3, 1, 2, 4].map((number) => ({ number, text: `page ${number}` })),
  });

  it('returns the requested slice of pages in order, with totals and the next page', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/book.pdf' });
    const { get, texts } = setup([item]);
    if (item.text) texts.put(item.text, fivePages(item));

    // Act
    const second = await get(`/documents/${item.documentId}/text`, { page: '2', pageSize: '2' });
    const last = await get(`/documents/${item.documentId}/text`, { page: '3', pageSize: '2' });
    const byDefault = await get(`/documents/${item.documentId}/text`);

    // Assess
    expect(second.status).toBe(200);
    expect(textResponseSchema.parse(second.body)).toEqual({
      documentId: item.documentId,
      version: item.version,
      source: 'pdf-text-layer',
      page: 2,
      pageSize: 2,
      totalPages: 3,
      documentPages: 5,
      nextPage: 3,
      pages: [
        { number: 3, text: 'page 3' },
        { number: 4, text: 'page 4' },
      ],
    });
    expect(textResponseSchema.parse(last.body)).toMatchObject({ nextPage: null, pages: [{ number: 5 }] });
    expect(textResponseSchema.parse(byDefault.body)).toMatchObject({
      page: 1,
      pageSize: 1,
      totalPages: 5,
      nextPage: 2,
      pages: [{ number: 1, text: 'page 1' }],
    });
  });

  it('keeps OCR lines and page errors', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/scan.pdf' });
    const { get, texts } = setup([item]);
    const line = { text: 'Hello', confidence: 98.5, box: { left: 0.1, top: 0.2, width: 0.3, height: 0.04 } };
    if (item.text)
      texts.put(item.text, {
        documentId: item.documentId,
        version: item.version,
        sequencer: item.sequencer,
        source: 'textract',
        pages: [
          { number: 1, text: 'Hello', lines: [line] },
          { number: 2, text: '', error: 'page 2 could not be read' },
        ],
      });

    // Act
    const { body } = await get(`/documents/${item.documentId}/text`, { pageSize: '2' });

    // Assess
    expect(textResponseSchema.parse(body).pages).toEqual([
      { number: 1, text: 'Hello', lines: [line] },
      { number: 2, text: '', error: 'page 2 could not be read' },
    ]);
  });

  it('answers 404 when the document has no text or its text object is gone', async () => {
    // Prepare
    const rejected = aMetadataItem({ key: 'incoming/broken.pdf', status: 'REJECTED' });
    const photo = aMetadataItem({ key: 'incoming/photo.jpg', type: 'jpeg' });
    const lost = aMetadataItem({ key: 'incoming/lost.pdf' });
    const { get } = setup([rejected, photo, lost]);

    // Act
    const responses = await Promise.all(
      [rejected, photo, lost, aMetadataItem({ key: 'never-uploaded' })].map((item) =>
        get(`/documents/${item.documentId}/text`),
      ),
    );

    // Assess
    expect(responses.map((response) => response.status)).toEqual([404, 404, 404, 404]);
    expect(problemOf(responses[0]?.body)).toMatchObject({
      type: 'tag:docflow,2026:problem:text-unavailable',
      detail: `document ${rejected.documentId} has no extracted text (status REJECTED)`,
    });
    expect(problemOf(responses[2]?.body).detail).toBe(
      `the extracted text of document ${lost.documentId} is missing`,
    );
    expect(problemOf(responses[3]?.body).type).toBe('about:blank');
  });

  it.each([
    [{ page: '4', pageSize: '2' }, 'page', 'must be at most 3'],
    [{ page: '0' }, 'page', undefined],
    [{ pageSize: '51' }, 'pageSize', undefined],
    [{ page: 'two' }, 'page', undefined],
  ])('answers %o with a 400 naming %s', async (query, parameter, message) => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/book.pdf' });
    const { get, texts } = setup([item]);
    if (item.text) texts.put(item.text, fivePages(item));

    // Act
    const { status, body } = await get(`/documents/${item.documentId}/text`, query);

    // Assess
    expect(status).toBe(400);
    const error = problemOf(body).errors?.find((e) => e.parameter === parameter);
    expect(error).toBeDefined();
    if (message) expect(error?.message).toBe(message);
  });
});

describe('routing', () => {
  it('answers a wrong method with 405 and an unknown route with 404, as problems', async () => {
    // Prepare
    const catalog = new InMemoryDocumentCatalog();
    const route = createRouter(
      apiRoutes(
        { catalog, texts: new InMemoryTextStore(), urls: new RecordingUrlSigner() },
        { cursorSecret: SECRET, urlTtlSeconds: 300, region: 'us-east-1' },
        recordingUploads(),
        new RecordingIngestQueue(),
      ),
    );

    // Act
    const post = await route(apiEvent('POST', '/documents'));
    const del = await route(apiEvent('DELETE', '/documents/AAAAAAAAAAAAAAAAAAAAAA/text'));
    const unknown = await route(apiEvent('GET', '/folders'));

    // Assess
    expect([post.statusCode, del.statusCode, unknown.statusCode]).toEqual([405, 405, 404]);
    expect(post.headers?.allow).toBe('GET');
    expect(problemOf(JSON.parse(unknown.body)).status).toBe(404);
  });
});

describe('bad input', () => {
  it('never causes a 500, whatever the path, method or query (property)', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/book.pdf' });
    const { catalog, texts, urls } = setup([item]);
    const route = createRouter(
      apiRoutes(
        { catalog, texts, urls },
        { cursorSecret: SECRET, urlTtlSeconds: 300, region: 'us-east-1' },
        recordingUploads(),
        new RecordingIngestQueue(),
      ),
    );
    const segment = fc.oneof(
      fc.constantFrom('documents', 'text', 'openapi.json', item.documentId, '%', '%E0%A4%A', '%2F', '..', ''),
      fc.string(),
    );
    const parameter = fc.constantFrom(
      ...Object.keys(listDocumentsQuery.shape),
      ...Object.keys(textQuery.shape),
      'x',
    );

    // Act & Assess
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'BREW'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.dictionary(
          parameter,
          fc.oneof(fc.string(), fc.constantFrom('0', '25', '-1', '1e2', 'PROCESSED', '2026-11-23')),
        ),
        async (method, segments, query) => {
          const result = await route(apiEvent(method, `/${segments.join('/')}`, query));
          expect([200, 400, 404, 405]).toContain(result.statusCode);
          expect(() => JSON.parse(result.body)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});
