import { describe, expect, it } from 'vitest';
import { buildMetadataItem } from '../../lambdas/index-metadata/index-document';
import type { DeletionRef, DocumentRef } from '../../lambdas/shared/documents/document';
import { type DocumentCost, zeroParts } from '../../lambdas/shared/documents/document-cost';
import type { MetadataItem } from '../../lambdas/shared/documents/metadata-item';
import type { MetadataIndex } from '../../lambdas/shared/ports/metadata-index';
import { aDeletion, aDocument, aProcessedOutcome, aRejectedOutcome } from '../fixtures/document-outcomes';
import { uniquePrefix } from './aws';

/** A {@link MetadataIndex} under test, with what the contract needs to look behind the port. */
export interface MetadataIndexSubject {
  readonly index: MetadataIndex;
  /** The stored item, as the store holds it; undefined when there is none. */
  stored(documentId: string): Promise<MetadataItem | undefined>;
  /** Gives the stored item a cost, as record-cost does (outside the port). */
  addCost(documentId: string, cost: DocumentCost): Promise<void>;
}

const NOW = new Date('2026-11-23T10:00:04.500Z');
const LATER = new Date('2026-11-23T11:00:02.000Z');
const CONTENT = ['thumbnail', 'text', 'title', 'author', 'sha256', 'reason', 'reasonDetail', 'failure'];

const processed = (document: DocumentRef, generation?: number): MetadataItem =>
  buildMetadataItem(aProcessedOutcome(document, generation === undefined ? {} : { generation }), NOW);

const rejected = (document: DocumentRef, generation?: number): MetadataItem => {
  const item = buildMetadataItem(aRejectedOutcome(document), NOW);
  return generation === undefined ? item : { ...item, generation };
};

/** A run's record while it runs or after it failed, as the state machine's own states write it. */
const inStatus = (document: DocumentRef, status: 'PROCESSING' | 'FAILED', generation = 0): MetadataItem => ({
  ...buildMetadataItem(aProcessedOutcome(document, { generation }), NOW),
  status,
  statusShard: `${status}#${document.shard}`,
});

/** The item without the attributes read from the document's content. */
const withoutContent = (item: MetadataItem): Partial<MetadataItem> =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !CONTENT.includes(name)));

/** What every tombstone of `deletion` holds, recorded at {@link LATER}. */
const tombstoneOf = (deletion: DeletionRef, execution: { readonly arn: string }) => ({
  bucket: deletion.bucket,
  key: deletion.key,
  sequencer: deletion.sequencer,
  status: 'DELETED',
  statusShard: `DELETED#${deletion.shard}`,
  listShard: `ALL#${deletion.shard}`,
  deletedAt: deletion.deletedAt,
  updatedAt: LATER.toISOString(),
  executionArn: execution.arn,
});

/** The document at one S3 sequencer, as the case's `setup` makes it. */
type At = (sequencer: string) => DocumentRef;

/**
 * One putIfNewer case: the item the index holds first (if any), the writes that follow in order, and
 * whether each is taken; the stored item is then the last write when they are taken, else the held one.
 */
interface WriteCase {
  readonly title: string;
  readonly held?: (at: At) => MetadataItem;
  readonly writes: (at: At) => MetadataItem[];
  readonly taken: boolean;
}

const A_COST: DocumentCost = {
  currency: 'USD',
  totalUsd: 0.000_042,
  parts: { ...zeroParts(), lambda: 0.000_042 },
  runs: {},
};

/**
 * The behaviour every {@link MetadataIndex} promises (its TSDoc), run against the DynamoDB adapter on
 * the emulator and against the in-memory fake the cores' tests use, so the fake cannot drift from the
 * table's rule. `subject` is called once per case; keys are unique per case, so a shared table works.
 */
export const describeMetadataIndexContract = (name: string, subject: () => MetadataIndexSubject): void => {
  const setup = () => {
    const { index, stored, addCost } = subject();
    const key = `incoming/${uniquePrefix('contract')}/report.pdf`;
    const { deletion, execution } = aDeletion(key, '20');
    return {
      index,
      stored,
      addCost,
      key,
      at: (sequencer: string) => aDocument(key, sequencer),
      /** The removal of the case's key at sequencer 20: after its uploads at 10, before those at 30. */
      deletion,
      execution,
      /** Records {@link deletion} as of `now`. */
      recordDeletionAt: (now: Date) => index.recordDeletion(deletion, execution, now),
    };
  };

  describe(`${name}: the MetadataIndex contract`, () => {
    describe('putIfNewer', () => {
      it.each<WriteCase>([
        {
          title: 'writes the item when the document has none, as given',
          writes: (at) => [processed(at('10'), 1)],
          taken: true,
        },
        {
          title: 'lets a newer version replace an older one, dropping the older one’s attributes',
          held: (at) => processed(at('10')),
          writes: (at) => [rejected(at('11'))],
          taken: true,
        },
        {
          title: 'refuses an older version that arrives after a newer one',
          held: (at) => processed(at('11')),
          writes: (at) => [processed(at('10'))],
          taken: false,
        },
        {
          title: 'refuses any write of a run that already ended PROCESSED or REJECTED',
          held: (at) => rejected(at('12')),
          writes: (at) => [
            { ...rejected(at('12')), updatedAt: LATER.toISOString() },
            processed(at('12'), 0),
            inStatus(at('12'), 'FAILED'),
          ],
          taken: false,
        },
        {
          title: 'lets the run complete its record while it is PROCESSING',
          held: (at) => inStatus(at('13'), 'PROCESSING', 2),
          writes: (at) => [processed(at('13'), 2)],
          taken: true,
        },
        {
          title: 'lets the run complete its record while it is FAILED',
          held: (at) => inStatus(at('13'), 'FAILED', 2),
          writes: (at) => [processed(at('13'), 2)],
          taken: true,
        },
        {
          title: 'lets a reprocess (a newer generation of the same version) replace an ended record',
          held: (at) => rejected(at('15')),
          writes: (at) => [processed(at('15'), 1)],
          taken: true,
        },
        {
          title: 'never lets an older run of the same version write over a newer run, in any status',
          held: (at) => inStatus(at('16'), 'PROCESSING', 2),
          writes: (at) => [processed(at('16'), 1), rejected(at('16')), inStatus(at('16'), 'FAILED', 1)],
          taken: false,
        },
      ])('$title', async ({ held, writes, taken }) => {
        // Prepare
        const { index, stored, at } = setup();
        const before = held?.(at);
        if (before) await index.putIfNewer(before);
        const items = writes(at);

        // Act
        const written: boolean[] = [];
        for (const item of items) written.push(await index.putIfNewer(item));

        // Assess
        expect(written).toEqual(items.map(() => taken));
        expect(await stored(at('10').id)).toEqual(taken ? items.at(-1) : before);
      });

      it.each([0, 1])(
        'takes a record written before generations as older than run %i of its version',
        async (generation) => {
          // Prepare
          const { index, stored, at } = setup();
          const { generation: _, ...legacy } = rejected(at('17'));
          await index.putIfNewer(legacy);
          const run = processed(at('17'), generation);

          // Act
          const written = await index.putIfNewer(run);

          // Assess
          expect(written).toBe(true);
          expect((await stored(run.documentId))?.generation).toBe(generation);
        },
      );

      it('keeps the document’s cost through every outcome, and never takes one from the item', async () => {
        // Prepare
        const { index, stored, addCost, at } = setup();
        await index.putIfNewer(processed(at('10')));
        await addCost(at('10').id, A_COST);
        const newer = { ...rejected(at('11')), cost: { ...A_COST, totalUsd: 1 } };

        // Act
        const written = await index.putIfNewer(newer);

        // Assess
        expect(written).toBe(true);
        expect(await stored(newer.documentId)).toEqual({ ...newer, cost: A_COST });
      });
    });

    describe('recordDeletion', () => {
      it('turns the item into a tombstone that keeps what is not content, and the cost', async () => {
        // Prepare
        const { index, stored, addCost, at, deletion, execution, recordDeletionAt } = setup();
        const upload = processed(at('10'));
        await index.putIfNewer(upload);
        await addCost(upload.documentId, A_COST);

        // Act
        const recorded = await recordDeletionAt(LATER);

        // Assess
        expect(recorded).toBe('recorded');
        expect(await stored(upload.documentId)).toEqual({
          ...withoutContent(upload),
          cost: A_COST,
          ...tombstoneOf(deletion, execution),
        });
      });

      it('records a retry of the same deletion again, changing only its time', async () => {
        // Prepare
        const { index, stored, at, deletion, recordDeletionAt } = setup();
        await index.putIfNewer(processed(at('10')));
        await recordDeletionAt(NOW);
        const tombstone = await stored(deletion.id);

        // Act
        const recorded = await recordDeletionAt(LATER);

        // Assess
        expect(recorded).toBe('recorded');
        expect(await stored(deletion.id)).toEqual({ ...tombstone, updatedAt: LATER.toISOString() });
      });

      it('leaves a newer upload alone when its removal arrives out of order', async () => {
        // Prepare
        const { index, stored, at, recordDeletionAt } = setup();
        const newer = processed(at('30'));
        await index.putIfNewer(newer);

        // Act
        const recorded = await recordDeletionAt(LATER);

        // Assess
        expect(recorded).toBe('not-recorded');
        expect(await stored(newer.documentId)).toEqual(newer);
      });

      it('records a removal that overtook its upload’s notification, so that upload cannot come back', async () => {
        // Prepare
        const { index, stored, at, deletion, execution, recordDeletionAt } = setup();

        // Act
        const recorded = await recordDeletionAt(LATER);
        const late = await index.putIfNewer(processed(at('10'), 7));

        // Assess
        expect(recorded).toBe('recorded');
        expect(late).toBe(false);
        expect(await stored(deletion.id)).toEqual({
          documentId: deletion.id,
          version: deletion.sequencer,
          uploadedAt: deletion.deletedAt,
          ...tombstoneOf(deletion, execution),
        });
      });

      it('lets a new upload after the deletion claim the item, with no deletion time', async () => {
        // Prepare
        const { index, stored, at, recordDeletionAt } = setup();
        await index.putIfNewer(processed(at('10')));
        await recordDeletionAt(LATER);
        const reupload = inStatus(at('30'), 'PROCESSING');

        // Act
        const written = await index.putIfNewer(reupload);

        // Assess
        expect(written).toBe(true);
        expect(await stored(reupload.documentId)).toEqual(reupload);
      });

      it('records a one-version deletion only when it names the recorded version', async () => {
        // Prepare
        const { index, stored, key } = setup();
        const v2 = processed(aDocument(key, '11', { version: 'v-2', versionId: 'v-2' }));
        await index.putIfNewer(v2);
        const older = aDeletion(key, '20', 'v-1');
        const recordedOne = aDeletion(key, '21', 'v-2');

        // Act
        const olderVersion = await index.recordDeletion(older.deletion, older.execution, LATER);
        const untouched = await stored(v2.documentId);
        const recordedVersion = await index.recordDeletion(
          recordedOne.deletion,
          recordedOne.execution,
          LATER,
        );

        // Assess
        expect(olderVersion).toBe('not-recorded');
        expect(untouched).toEqual(v2);
        expect(recordedVersion).toBe('recorded');
        expect(await stored(v2.documentId)).toMatchObject({ status: 'DELETED', version: 'v-2' });
      });

      it('records no one-version deletion of a document it has no item for', async () => {
        // Prepare
        const { index, stored, key } = setup();
        const { deletion, execution } = aDeletion(key, '20', 'v-1');

        // Act
        const recorded = await index.recordDeletion(deletion, execution, LATER);

        // Assess
        expect(recorded).toBe('not-recorded');
        expect(await stored(deletion.id)).toBeUndefined();
      });
    });

    describe('sequencerOf', () => {
      it('reads the stored sequencer, of an upload or of a deletion, and nothing for an unknown document', async () => {
        // Prepare
        const { index, key, at, deletion, recordDeletionAt } = setup();
        await index.putIfNewer(processed(at('10')));
        const afterUpload = await index.sequencerOf(at('10').id);

        // Act
        await recordDeletionAt(LATER);

        // Assess
        expect(afterUpload).toBe(at('10').sequencer);
        expect(await index.sequencerOf(deletion.id)).toBe(deletion.sequencer);
        expect(await index.sequencerOf(aDocument(`${key}.unknown`, '10').id)).toBeUndefined();
      });
    });
  });
};
