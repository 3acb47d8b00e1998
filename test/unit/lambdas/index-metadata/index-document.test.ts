import { describe, expect, it } from 'vitest';
import {
  boundText,
  buildMetadataItem,
  causeMessage,
  type IndexMetrics,
  indexDocument,
  MAX_TEXT_BYTES,
} from '../../../../lambdas/index-metadata/index-document';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { NotARejectionError } from '../../../../lambdas/shared/documents/errors';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import {
  aDocument,
  aProcessedOutcome,
  aRejectedOutcome,
  lambdaErrorEnvelope,
} from '../../../fixtures/document-outcomes';
import { InMemoryDerivativeStore } from '../../../support/in-memory-derivative-store';
import { InMemoryMetadataIndex } from '../../../support/in-memory-metadata-index';

class RecordingMetrics implements IndexMetrics {
  readonly recorded: { name: string; unit: string; value: number }[] = [];
  addMetric(name: string, unit: string, value: number): void {
    this.recorded.push({ name, unit, value });
  }
}

const COMPLETED_AT = new Date('2026-11-23T10:00:04.500Z');

const setup = () => {
  const index = new InMemoryMetadataIndex();
  const metrics = new RecordingMetrics();
  const derivatives = new InMemoryDerivativeStore();
  return { index, metrics, derivatives, ports: { index, metrics, derivatives, now: () => COMPLETED_AT } };
};

/** Writes a run's thumbnail and text, as its Thumbnail and text states would. */
const writeDerivatives = async (
  derivatives: InMemoryDerivativeStore,
  document: DocumentRef,
): Promise<void> => {
  await derivatives.put({ key: derivativeKeys.thumbnail(document), body: 'webp', contentType: 'image/webp' });
  await derivatives.put({ key: derivativeKeys.text(document), body: '{}', contentType: 'application/json' });
};

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('buildMetadataItem', () => {
  it('builds the PROCESSED item from the inspection, the derivatives and the execution', () => {
    // Prepare
    const document = aDocument('incoming/report.pdf', '0055AED6DCD90C5F01');
    const outcome = aProcessedOutcome(document, { generation: 2 });

    // Act
    const item = buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    expect(item).toEqual({
      documentId: document.id,
      bucket: 'uploads-bucket',
      key: 'incoming/report.pdf',
      version: document.version,
      sequencer: document.sequencer,
      generation: 2,
      status: 'PROCESSED',
      statusShard: `PROCESSED#${document.shard}`,
      listShard: `ALL#${document.shard}`,
      uploadedAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:04.500Z',
      size: 48_213,
      eTag: document.eTag,
      mimeType: 'application/pdf',
      type: 'pdf',
      sha256: outcome.inspection.sha256,
      pages: 3,
      width: 612,
      height: 792,
      title: 'Quarterly report',
      author: 'Ada Lovelace',
      textStrategy: 'local',
      thumbnail: {
        bucket: 'derivatives-bucket',
        key: `thumbnails/${document.id}/${document.version}.webp`,
        width: 198,
        height: 256,
        contentType: 'image/webp',
      },
      text: {
        bucket: 'derivatives-bucket',
        key: `text/${document.id}/${document.version}.json`,
        pages: 3,
        characters: 5_120,
        words: 870,
        source: 'pdf-text-layer',
      },
      executionArn: outcome.execution.arn,
      startedAt: '2026-11-23T10:00:01.000Z',
      completedAt: '2026-11-23T10:00:04.500Z',
      durationMs: 3_500,
    } satisfies MetadataItem);
  });

  it('leaves out what the document does not have', () => {
    // Prepare
    const document = aDocument('incoming/notes.txt', '01');
    const outcome = aProcessedOutcome(document, {
      inspection: {
        mimeType: 'text/plain',
        type: 'text',
        size: 12,
        sha256: 'ab'.repeat(32),
        title: '   ',
        textStrategy: 'local',
      },
      thumbnail: null,
      text: null,
    });

    // Act
    const item = buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    for (const attribute of ['thumbnail', 'text', 'title', 'author', 'pages', 'width', 'height', 'reason']) {
      expect(Object.keys(item)).not.toContain(attribute);
    }
    expect(item.type).toBe('text');
  });

  it('takes the REJECTED reason from the error name and the detail from Lambda’s JSON envelope', () => {
    // Prepare
    const document = aDocument('incoming/broken.jpg', '02');
    const outcome = aRejectedOutcome(document);

    // Act
    const item = buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    expect(item).toEqual({
      documentId: document.id,
      bucket: document.bucket,
      key: document.key,
      version: document.version,
      sequencer: document.sequencer,
      // A run started before generations existed is its upload's run.
      generation: 0,
      status: 'REJECTED',
      statusShard: `REJECTED#${document.shard}`,
      listShard: `ALL#${document.shard}`,
      uploadedAt: document.uploadedAt,
      updatedAt: '2026-11-23T10:00:04.500Z',
      size: document.size,
      eTag: document.eTag,
      reason: 'CORRUPT',
      reasonDetail: 'VipsJpeg: premature end of JPEG image',
      executionArn: outcome.execution.arn,
      startedAt: outcome.execution.startedAt,
      completedAt: '2026-11-23T10:00:04.500Z',
      durationMs: 3_500,
    } satisfies MetadataItem);
  });

  it('reads a local Catch cause, which is the bare message', () => {
    // Prepare
    const outcome = aRejectedOutcome(
      aDocument('incoming/secret.pdf', '03'),
      'EncryptedDocumentError',
      'ENCRYPTED: the PDF needs a password',
    );

    // Act
    const item = buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    expect(item.reason).toBe('ENCRYPTED');
    expect(item.reasonDetail).toBe('the PDF needs a password');
  });

  it('keeps a message without a reason prefix whole, and lets the error name decide the reason', () => {
    // Prepare
    const outcome = aRejectedOutcome(
      aDocument('incoming/huge.tif', '04'),
      'DocumentTooLargeError',
      lambdaErrorEnvelope('DocumentTooLargeError', '60000 x 60000 pixels exceeds 100 megapixels'),
    );

    // Act
    const item = buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    expect(item.reason).toBe('TOO_LARGE');
    expect(item.reasonDetail).toBe('60000 x 60000 pixels exceeds 100 megapixels');
  });

  it('records no detail when the catch has no cause', () => {
    // Prepare
    const outcome = {
      ...aRejectedOutcome(aDocument('incoming/empty.bin', '05')),
      error: { Error: 'EmptyDocumentError' },
    };

    // Act
    const item = buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    expect(item.reason).toBe('EMPTY');
    expect(Object.keys(item)).not.toContain('reasonDetail');
  });

  it('refuses to record an error that is not a rejection as REJECTED', () => {
    // Prepare
    const outcome = aRejectedOutcome(
      aDocument('incoming/a.pdf', '06'),
      'States.Timeout',
      'Task timed out after 90 seconds',
    );

    // Act
    const build = () => buildMetadataItem(outcome, COMPLETED_AT);

    // Assess
    expect(build).toThrow(NotARejectionError);
    expect(build).toThrow('States.Timeout is not a rejection: Task timed out after 90 seconds');
  });

  it('keeps the item of a pathological document under 8 KB', () => {
    // Prepare
    const key = `incoming/${'k'.repeat(1_015)}`;
    const document = aDocument(key, '07');
    const processed = aProcessedOutcome(document, {
      inspection: {
        ...aProcessedOutcome(document).inspection,
        title: 'T'.repeat(10 * 1024),
        author: '🦄'.repeat(10 * 1024),
        pages: 3_000,
      },
    });
    const rejected = aRejectedOutcome(
      document,
      'CorruptDocumentError',
      lambdaErrorEnvelope('CorruptDocumentError', `CORRUPT: ${'x'.repeat(1024 * 1024)}`),
    );

    // Act
    const processedItem = buildMetadataItem(processed, COMPLETED_AT);
    const rejectedItem = buildMetadataItem(rejected, COMPLETED_AT);

    // Assess
    expect(utf8Bytes(JSON.stringify(processedItem))).toBeLessThan(8 * 1024);
    expect(utf8Bytes(JSON.stringify(rejectedItem))).toBeLessThan(8 * 1024);
    expect(processedItem.pages).toBe(3_000);
    expect(processedItem.title?.endsWith('…')).toBe(true);
    expect(utf8Bytes(processedItem.title ?? '')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(utf8Bytes(processedItem.author ?? '')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(rejectedItem.reasonDetail?.startsWith('xxx')).toBe(true);
    expect(utf8Bytes(rejectedItem.reasonDetail ?? '')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
  });
});

describe('boundText', () => {
  it('keeps a text that fits, up to exactly the budget', () => {
    // Prepare
    const fits = 'é'.repeat(512);

    // Act
    const bounded = boundText(fits);

    // Assess
    expect(bounded).toBe(fits);
  });

  it('cuts at a code point, never inside one, and ends with an ellipsis', () => {
    // Prepare
    const emoji = '😀'.repeat(300);

    // Act
    const bounded = boundText(emoji, 10);

    // Assess
    expect(bounded).toBe('😀…');
  });

  it('replaces lone surrogates before counting', () => {
    // Prepare
    const broken = `a\uD800b`;

    // Act
    const bounded = boundText(broken);

    // Assess
    expect(bounded).toBe('a\uFFFDb');
  });
});

describe('causeMessage', () => {
  it.each([
    ['Lambda’s envelope', lambdaErrorEnvelope('CorruptDocumentError', 'CORRUPT: bad'), 'CORRUPT: bad'],
    ['a bare message', 'CORRUPT: bad', 'CORRUPT: bad'],
    ['a message that starts with a brace', '{not json', '{not json'],
    ['JSON without errorMessage', '{"errorType":"X"}', '{"errorType":"X"}'],
    ['no cause', undefined, ''],
  ])('reads %s', (_, cause, expected) => {
    // Act
    const message = causeMessage(cause);

    // Assess
    expect(message).toBe(expected);
  });
});

describe('indexDocument', () => {
  it('writes the PROCESSED item and counts it', async () => {
    // Prepare
    const { index, metrics, ports } = setup();
    const document = aDocument('incoming/report.pdf', '10');

    // Act
    const result = await indexDocument(aProcessedOutcome(document), ports);

    // Assess
    expect(result).toEqual({ written: true, status: 'PROCESSED' });
    expect(index.items.get(document.id)?.status).toBe('PROCESSED');
    expect(metrics.recorded).toEqual([
      { name: 'DocumentProcessed', unit: 'Count', value: 1 },
      { name: 'PipelineDuration', unit: 'Milliseconds', value: 3_500 },
    ]);
  });

  it('refuses an older version that arrives after a newer one, and counts it', async () => {
    // Prepare
    const { index, metrics, ports } = setup();
    const older = aDocument('incoming/report.pdf', '10');
    const newer = aDocument('incoming/report.pdf', '11');
    await indexDocument(aProcessedOutcome(newer), ports);
    metrics.recorded.length = 0;

    // Act
    const result = await indexDocument(aProcessedOutcome(older), ports);

    // Assess
    expect(result).toEqual({ written: false });
    expect(index.items.get(newer.id)?.version).toBe(newer.version);
    expect(metrics.recorded).toEqual([{ name: 'IndexWriteSuperseded', unit: 'Count', value: 1 }]);
  });

  it('deletes the derivatives of a run that lost to another version, and keeps the winner’s', async () => {
    // Prepare
    const { derivatives, ports } = setup();
    const older = aDocument('incoming/report.pdf', '10');
    const newer = aDocument('incoming/report.pdf', '11');
    await writeDerivatives(derivatives, newer);
    await indexDocument(aProcessedOutcome(newer), ports);
    await writeDerivatives(derivatives, older);

    // Act
    await indexDocument(aProcessedOutcome(older), ports);

    // Assess
    expect(await derivatives.list(newer.id)).toEqual(
      [derivativeKeys.text(newer), derivativeKeys.thumbnail(newer)].sort(),
    );
  });

  it('keeps the derivatives when a duplicate of the recorded version loses', async () => {
    // Prepare
    const { derivatives, ports } = setup();
    const document = aDocument('incoming/report.pdf', '10');
    await writeDerivatives(derivatives, document);
    await indexDocument(aProcessedOutcome(document), ports);

    // Act
    const duplicate = await indexDocument(aProcessedOutcome(document), ports);

    // Assess
    expect(duplicate).toEqual({ written: false });
    expect(await derivatives.list(document.id)).toHaveLength(2);
  });

  it('writes nothing when the error is not a rejection', async () => {
    // Prepare
    const { index, ports } = setup();
    const outcome = aRejectedOutcome(aDocument('incoming/a.pdf', '14'), 'Lambda.Unknown', 'boom');

    // Act
    const indexing = indexDocument(outcome, ports);

    // Assess
    await expect(indexing).rejects.toThrow(NotARejectionError);
    expect(index.items.size).toBe(0);
  });
});
