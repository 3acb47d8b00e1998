import { CONTENT_ATTRIBUTES } from '../../lambdas/shared/adapters/dynamodb-metadata-index';
import type { DeletionRef } from '../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../lambdas/shared/documents/metadata-item';
import type { DeletionRecord, MetadataIndex } from '../../lambdas/shared/ports/metadata-index';

/** An item without what was read from its content ({@link CONTENT_ATTRIBUTES}), as a deletion leaves it. */
export const withoutContent = <T extends Partial<MetadataItem>>(
  item: T,
): Omit<T, (typeof CONTENT_ATTRIBUTES)[number]> => {
  const kept: Partial<MetadataItem> = { ...item };
  for (const name of CONTENT_ATTRIBUTES) delete kept[name];
  return kept as Omit<T, (typeof CONTENT_ATTRIBUTES)[number]>;
};

/**
 * {@link MetadataIndex} in memory, with the table's version rule: write when absent, when the stored
 * sequencer is older, or when it is equal and the stored generation is absent or older, or equal with
 * the stored status PROCESSING or FAILED; and the deletion rules of the DynamoDB adapter. The contract
 * suite (`metadata-index-contract.ts`) runs the same cases against both, so the two cannot drift.
 */
export class InMemoryMetadataIndex implements MetadataIndex {
  readonly items = new Map<string, MetadataItem>();

  async putIfNewer(item: MetadataItem): Promise<boolean> {
    const stored = this.items.get(item.documentId);
    const generation = item.generation ?? 0;
    const allowed =
      stored === undefined ||
      stored.sequencer < item.sequencer ||
      (stored.sequencer === item.sequencer &&
        (stored.generation === undefined ||
          stored.generation < generation ||
          (stored.generation === generation &&
            (stored.status === 'PROCESSING' || stored.status === 'FAILED'))));
    if (!allowed) return false;
    // The document's cost is not the outcome's to replace (the DynamoDB adapter keeps it too).
    const { cost: _ignored, ...outcome } = item;
    this.items.set(
      item.documentId,
      structuredClone(stored?.cost ? { ...outcome, cost: stored.cost } : outcome),
    );
    return true;
  }

  async recordDeletion(
    deletion: DeletionRef,
    execution: { readonly arn: string },
    now: Date,
  ): Promise<DeletionRecord> {
    const stored = this.items.get(deletion.id);
    const retry = stored?.sequencer === deletion.sequencer && stored.status === 'DELETED';
    const allowed =
      retry ||
      (deletion.versionId === undefined
        ? stored === undefined || stored.sequencer < deletion.sequencer
        : stored?.version === deletion.versionId && stored.sequencer < deletion.sequencer);
    if (!allowed) return 'not-recorded';
    const kept = withoutContent(stored ?? {});
    this.items.set(deletion.id, {
      ...kept,
      documentId: deletion.id,
      bucket: deletion.bucket,
      key: deletion.key,
      version: stored?.version ?? deletion.sequencer,
      uploadedAt: stored?.uploadedAt ?? deletion.deletedAt,
      sequencer: deletion.sequencer,
      status: 'DELETED',
      statusShard: `DELETED#${deletion.shard}`,
      listShard: `ALL#${deletion.shard}`,
      deletedAt: deletion.deletedAt,
      updatedAt: now.toISOString(),
      executionArn: execution.arn,
    });
    return 'recorded';
  }

  async sequencerOf(documentId: string): Promise<string | undefined> {
    return this.items.get(documentId)?.sequencer;
  }
}
