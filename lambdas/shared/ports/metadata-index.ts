import type { DeletionRef } from '../documents/document';
import type { MetadataItem } from '../documents/metadata-item';

/** What recording a deletion came to. */
export type DeletionRecord =
  /** The item is now (or already was) this deletion's tombstone. */
  | 'recorded'
  /** A newer upload is recorded, or a one-version delete named a version that is not the recorded one. */
  | 'not-recorded';

/**
 * Where a document's final metadata is written: one item per document id, holding the newest version.
 *
 * The write is conditional, with the same rule as the state machine's MarkProcessing and RecordFailure
 * states: it succeeds when no item exists, when the stored sequencer is older than the item's, or when
 * it is equal and the stored generation is older (a reprocess is a newer run of the same version; an
 * item without one predates generations), or equal with the stored status still PROCESSING or FAILED.
 * A stale or duplicate execution can therefore never overwrite a newer version or a newer run, nor a
 * run that already ended PROCESSED or REJECTED.
 */
export interface MetadataIndex {
  /**
   * Replaces the document's item with `item`, unless the condition above refuses it.
   * @returns `true` when written; `false` when a newer or equal version won (not an error)
   */
  putIfNewer(item: MetadataItem): Promise<boolean>;

  /**
   * Turns the item into a DELETED tombstone that carries the deletion's sequencer, so every later
   * write of an upload made before the deletion is refused by the rule above. Content-derived
   * attributes (title, author, thumbnail, text, hash, reason, failure) are removed.
   *
   * A deletion of the key is recorded when no item exists, when the stored sequencer is older, or
   * when this same deletion is already recorded (a retry). A one-version deletion is recorded only
   * when that version is the recorded one.
   */
  recordDeletion(
    deletion: DeletionRef,
    execution: { readonly arn: string },
    now: Date,
  ): Promise<DeletionRecord>;

  /** The sequencer of the stored item, read strongly consistent; undefined when there is none. */
  sequencerOf(documentId: string): Promise<string | undefined>;
}
