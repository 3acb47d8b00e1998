import { describe, expect, it } from 'vitest';
import { type IndexMetrics, indexDocument } from '../../../../lambdas/index-metadata/index-document';
import { isRemovedBy, recordDeletion } from '../../../../lambdas/index-metadata/record-deletion';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { aDeletion, aDocument, aProcessedOutcome } from '../../../fixtures/document-outcomes';
import { InMemoryDerivativeStore } from '../../../support/in-memory-derivative-store';
import { InMemoryMetadataIndex } from '../../../support/in-memory-metadata-index';

const NOW = new Date('2026-11-23T11:00:02.000Z');

class RecordingMetrics implements IndexMetrics {
  readonly names: string[] = [];
  addMetric(name: string): void {
    this.names.push(name);
  }
}

const setup = () => {
  const index = new InMemoryMetadataIndex();
  const derivatives = new InMemoryDerivativeStore();
  const metrics = new RecordingMetrics();
  return { index, derivatives, metrics, ports: { index, derivatives, metrics, now: () => NOW } };
};

const KEY = 'incoming/contract.pdf';

/** Runs an upload to PROCESSED with its derivatives written, as the state machine would. */
const processUpload = async (
  ports: ReturnType<typeof setup>['ports'],
  document: DocumentRef,
): Promise<void> => {
  await ports.derivatives.put({
    key: derivativeKeys.thumbnail(document),
    body: 'w',
    contentType: 'image/webp',
  });
  await ports.derivatives.put({
    key: derivativeKeys.text(document),
    body: '{}',
    contentType: 'application/json',
  });
  await indexDocument(aProcessedOutcome(document), ports);
};

describe('recordDeletion', () => {
  it('turns a processed document into a DELETED tombstone and deletes its derivatives', async () => {
    // Prepare
    const { index, derivatives, metrics, ports } = setup();
    const upload = aDocument(KEY, '10');
    await processUpload(ports, upload);
    metrics.names.length = 0;

    // Act
    const result = await recordDeletion(aDeletion(KEY, '20'), ports);

    // Assess
    expect(result).toEqual({ recorded: true, derivativesDeleted: 2 });
    expect(await derivatives.list(upload.id)).toEqual([]);
    // What the tombstone holds is the index's rule: see metadata-index-contract.ts.
    expect(index.items.get(upload.id)?.status).toBe('DELETED');
    expect(metrics.names).toEqual(['DocumentDeleted']);
  });

  it('wins over the late writes of a run that was processing when the deletion came', async () => {
    // Prepare
    const { index, derivatives, ports } = setup();
    const upload = aDocument(KEY, '10');
    await recordDeletion(aDeletion(KEY, '20'), ports);
    await derivatives.put({ key: derivativeKeys.thumbnail(upload), body: 'w', contentType: 'image/webp' });

    // Act
    const late = await indexDocument(aProcessedOutcome(upload), ports);

    // Assess
    expect(late).toEqual({ written: false });
    expect(index.items.get(upload.id)?.status).toBe('DELETED');
    expect(await derivatives.list(upload.id)).toEqual([]);
  });

  it('deletes what is left when a recorded deletion is retried', async () => {
    // Prepare
    const { derivatives, ports } = setup();
    const upload = aDocument(KEY, '10');
    await processUpload(ports, upload);
    await recordDeletion(aDeletion(KEY, '20'), ports);
    await derivatives.put({ key: derivativeKeys.text(upload), body: '{}', contentType: 'application/json' });

    // Act
    const again = await recordDeletion(aDeletion(KEY, '20'), { ...ports, now: () => new Date(0) });

    // Assess
    expect(again).toEqual({ recorded: true, derivativesDeleted: 1 });
    expect(await derivatives.list(upload.id)).toEqual([]);
  });

  it('leaves a newer upload alone when its removal arrives out of order, but deletes the older upload’s leftovers', async () => {
    // Prepare
    const { index, derivatives, metrics, ports } = setup();
    const older = aDocument(KEY, '10');
    const newer = aDocument(KEY, '30');
    await processUpload(ports, older);
    await processUpload(ports, newer);
    metrics.names.length = 0;

    // Act
    const result = await recordDeletion(aDeletion(KEY, '20'), ports);

    // Assess
    expect(result).toEqual({ recorded: false, derivativesDeleted: 2 });
    expect(index.items.get(newer.id)?.status).toBe('PROCESSED');
    expect(await derivatives.list(newer.id)).toEqual(
      [derivativeKeys.text(newer), derivativeKeys.thumbnail(newer)].sort(),
    );
    expect(metrics.names).toEqual(['DeletionSuperseded']);
  });

  it('deletes one version only when a delete names it, and marks DELETED only when it is the recorded one', async () => {
    // Prepare
    const { index, derivatives, ports } = setup();
    const v1 = aDocument(KEY, '10', { version: 'v-1', versionId: 'v-1' });
    const v2 = aDocument(KEY, '11', { version: 'v-2', versionId: 'v-2' });
    await processUpload(ports, v1);
    await processUpload(ports, v2);

    // Act
    const oldVersion = await recordDeletion(aDeletion(KEY, '20', 'v-1'), ports);
    const statusAfterOld = index.items.get(v2.id)?.status;
    const recordedVersion = await recordDeletion(aDeletion(KEY, '21', 'v-2'), ports);

    // Assess
    expect(oldVersion).toEqual({ recorded: false, derivativesDeleted: 2 });
    expect(statusAfterOld).toBe('PROCESSED');
    expect(recordedVersion).toEqual({ recorded: true, derivativesDeleted: 2 });
    expect(index.items.get(v2.id)?.status).toBe('DELETED');
    expect(await derivatives.list(v2.id)).toEqual([]);
  });
});

describe('isRemovedBy', () => {
  const deletion = aDeletion(KEY, '20').deletion;
  const at = (sequencer: string, version?: string): DocumentRef =>
    aDocument(KEY, sequencer, version === undefined ? {} : { version, versionId: version });

  it.each([
    ['an older upload’s thumbnail', derivativeKeys.thumbnail(at('10')), true],
    [
      'an older upload’s text with an S3 version id holding a slash',
      derivativeKeys.text(at('1F', '3/L4kq+t')),
      true,
    ],
    ['a newer upload’s text', derivativeKeys.text(at('21')), false],
    ['a key of an older layout', `thumbnails/${deletion.id}/3HL4kqtJlcp.webp`, true],
  ])('decides for %s', (_, key, removed) => {
    // Act & Assess
    expect(isRemovedBy(deletion, key)).toBe(removed);
  });

  it('matches a one-version deletion by version id only', () => {
    // Prepare
    const oneVersion = aDeletion(KEY, '20', '3/L4kq+t').deletion;

    // Act & Assess
    expect(isRemovedBy(oneVersion, derivativeKeys.text(at('1F', '3/L4kq+t')))).toBe(true);
    expect(isRemovedBy(oneVersion, derivativeKeys.text(at('1E', 'other')))).toBe(false);
    expect(isRemovedBy(oneVersion, derivativeKeys.text(at('10')))).toBe(false);
  });
});
