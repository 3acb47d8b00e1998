import { describe, expect, it } from 'vitest';
import { documentRefOfItem, reprocessRoutes } from '../../../../lambdas/api/reprocess';
import { reprocessTicketSchema } from '../../../../lambdas/api/reprocess-schemas';
import { createRouter } from '../../../../lambdas/api/router';
import { problemSchema } from '../../../../lambdas/api/schemas';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import { reprocessMessageSchema } from '../../../../lambdas/shared/documents/reprocess-message';
import { reprocessExecutionName } from '../../../../lambdas/starter/execution-name';
import { parseIngestMessage } from '../../../../lambdas/starter/s3-notification';
import { documentRefOf } from '../../../../lambdas/starter/start-documents';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import { aMetadataItem } from '../../../fixtures/metadata-items';
import { s3Notification } from '../../../fixtures/s3-sqs-events';
import { InMemoryDocumentCatalog } from '../../../support/in-memory-document-catalog';
import { RecordingIngestQueue } from '../../../support/recording-ingest-queue';

const setup = (...items: MetadataItem[]) => {
  const catalog = new InMemoryDocumentCatalog().put(...items);
  const queue = new RecordingIngestQueue();
  const route = createRouter(reprocessRoutes(catalog, queue));
  const post = async (id: string, query: Record<string, string> = {}) => {
    const result = await route(apiEvent('POST', `/documents/${id}/reprocess`, query));
    return { status: result.statusCode, body: JSON.parse(result.body) as unknown };
  };
  const sent = () => queue.bodies.map((body) => reprocessMessageSchema.parse(JSON.parse(body)));
  return { post, sent, queue };
};

describe('POST /documents/{id}/reprocess', () => {
  it('queues the recorded version as the next generation, and names the execution it will start', async () => {
    // Prepare
    const item = aMetadataItem(
      { key: 'incoming/big scan.pdf', status: 'REJECTED', versionId: 'v-7' },
      { generation: 2, reason: 'TOO_LARGE' },
    );
    const { post, sent } = setup(item);

    // Act
    const response = await post(item.documentId);

    // Assess
    expect(response.status).toBe(202);
    expect(reprocessTicketSchema.parse(response.body)).toEqual({
      documentId: item.documentId,
      version: 'v-7',
      generation: 3,
      executionName: reprocessExecutionName(item.bucket, item.key, 'v-7', 3),
    });
    expect(sent()).toEqual([
      {
        docflow: 'reprocess',
        document: {
          id: item.documentId,
          bucket: item.bucket,
          key: item.key,
          version: 'v-7',
          versionId: 'v-7',
          sequencer: item.sequencer,
          size: item.size,
          eTag: item.eTag,
          uploadedAt: item.uploadedAt,
          shard: item.statusShard.split('#')[1],
        },
        generation: 3,
      },
    ]);
  });

  it('rebuilds exactly the document the starter built from the upload’s notification', () => {
    // Prepare
    const notification = s3Notification({
      bucket: 'uploads',
      key: 'incoming/a+b c.pdf',
      size: 2048,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      versionId: null,
      sequencer: '0055AED6DCD90281E5',
    });
    const parsed = parseIngestMessage(JSON.stringify(notification));
    const record = parsed.kind === 'notification' ? parsed.records[0] : undefined;
    if (record?.kind !== 'object-created') throw new Error('fixture is not a creation');
    const document = documentRefOf(record);
    const item = aMetadataItem(
      { key: document.key, bucket: 'uploads', status: 'PROCESSED' },
      {
        version: document.version,
        sequencer: document.sequencer,
        size: document.size,
        eTag: document.eTag,
        uploadedAt: document.uploadedAt,
      },
    );

    // Act
    const rebuilt = documentRefOfItem(item);

    // Assess
    expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(document));
  });

  it('asks for the same generation again until the new run claims the record', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/a.pdf', status: 'FAILED' });
    const { post, queue } = setup(item);

    // Act
    const first = await post(item.documentId);
    const second = await post(item.documentId);

    // Assess
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toEqual(first.body);
    expect(queue.bodies[1]).toBe(queue.bodies[0]);
    expect(reprocessTicketSchema.parse(first.body).generation).toBe(1);
  });

  it('refuses a document being processed, naming its run', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/a.pdf', status: 'PROCESSING' }, { generation: 4 });
    const { post, queue } = setup(item);

    // Act
    const response = await post(item.documentId);

    // Assess
    expect(response.status).toBe(409);
    expect(problemSchema.parse(response.body)).toMatchObject({
      type: 'tag:docflow,2026:problem:document-in-flight',
      detail: expect.stringContaining('generation 4'),
    });
    expect(queue.bodies).toEqual([]);
  });

  it('answers 410 for a deleted document and 404 for an unknown one, sending nothing', async () => {
    // Prepare
    const deleted = aMetadataItem(
      { key: 'incoming/gone.pdf', status: 'DELETED' },
      { deletedAt: '2026-11-24T09:00:00.000Z' },
    );
    const { post, queue } = setup(deleted);

    // Act
    const gone = await post(deleted.documentId);
    const unknown = await post('AAAAAAAAAAAAAAAAAAAAAA');

    // Assess
    expect(gone.status).toBe(410);
    expect(problemSchema.parse(gone.body).detail).toContain('2026-11-24T09:00:00.000Z');
    expect(unknown.status).toBe(404);
    expect(queue.bodies).toEqual([]);
  });

  it('refuses a record that lacks what a run needs, rather than queue a message the starter would refuse', async () => {
    // Prepare: a run that failed before MarkProcessing wrote the size and ETag.
    const {
      size: _size,
      eTag: _eTag,
      ...failedEarly
    } = aMetadataItem({ key: 'incoming/a.pdf', status: 'FAILED' });
    const { post, queue } = setup(failedEarly);

    // Act
    const response = await post(failedEarly.documentId);

    // Assess
    expect(response.status).toBe(409);
    expect(problemSchema.parse(response.body)).toMatchObject({
      type: 'tag:docflow,2026:problem:not-reprocessable',
      detail: expect.stringMatching(/document\.size.*upload it again/),
    });
    expect(queue.bodies).toEqual([]);
  });

  it('answers 400 for a malformed id or an unknown parameter, and 405 for another method', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'incoming/a.pdf', status: 'REJECTED' });
    const { post } = setup(item);
    const route = createRouter(reprocessRoutes(new InMemoryDocumentCatalog(), new RecordingIngestQueue()));

    // Act
    const badId = await post('not-an-id');
    const extra = await post(item.documentId, { force: 'true' });
    const get = await route(apiEvent('GET', `/documents/${item.documentId}/reprocess`));

    // Assess
    expect(badId.status).toBe(400);
    expect(extra.status).toBe(400);
    expect(problemSchema.parse(extra.body).errors).toEqual([
      { parameter: 'force', message: 'unknown parameter' },
    ]);
    expect(get.statusCode).toBe(405);
    expect(get.headers?.allow).toBe('POST');
  });
});
