import type { MetadataIndex } from '../../lambdas/shared/metadata-index';
import type { MetadataItem } from '../../lambdas/shared/metadata-item';

/**
 * {@link MetadataIndex} in memory, with the table's version rule: write when absent, when the stored
 * sequencer is older, or when it is equal and the stored status is PROCESSING or FAILED.
 */
export class InMemoryMetadataIndex implements MetadataIndex {
  readonly items = new Map<string, MetadataItem>();
  readonly refused: MetadataItem[] = [];

  async putIfNewer(item: MetadataItem): Promise<boolean> {
    const stored = this.items.get(item.documentId);
    const allowed =
      stored === undefined ||
      stored.sequencer < item.sequencer ||
      (stored.sequencer === item.sequencer && (stored.status === 'PROCESSING' || stored.status === 'FAILED'));
    if (!allowed) {
      this.refused.push(item);
      return false;
    }
    this.items.set(item.documentId, structuredClone(item));
    return true;
  }
}
