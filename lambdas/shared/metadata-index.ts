import type { MetadataItem } from './metadata-item';

/**
 * Where a document's final metadata is written: one item per document id, holding the newest version.
 *
 * The write is conditional, with the same rule as the state machine's MarkProcessing and RecordFailure
 * states: it succeeds when no item exists, when the stored sequencer is older than the item's, or when
 * it is equal and the stored status is still PROCESSING or FAILED. A stale or duplicate execution can
 * therefore never overwrite a newer version, nor a version that already ended PROCESSED or REJECTED.
 */
export interface MetadataIndex {
  /**
   * Replaces the document's item with `item`, unless the condition above refuses it.
   * @returns `true` when written; `false` when a newer or equal version won (not an error)
   */
  putIfNewer(item: MetadataItem): Promise<boolean>;
}
