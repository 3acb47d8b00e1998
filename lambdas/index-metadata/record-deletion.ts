import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseDerivativeKey } from '../shared/documents/derivative-keys';
import type { DeletionRef } from '../shared/documents/document';
import type { MetadataIndex } from '../shared/ports/metadata-index';
import type { StoredDerivatives } from '../shared/ports/stored-derivatives';
import { logger } from '../shared/runtime/powertools';
import type { ExecutionRef, IndexMetrics } from './index-document';

/** Input of the RecordDeletion state. */
export interface DeletionOutcome {
  readonly outcome: 'DELETED';
  readonly deletion: DeletionRef;
  readonly execution: ExecutionRef;
}

/** What the state machine receives under `$.deleted`. */
export interface DeletionResult {
  /** False when a newer upload is recorded (or a one-version delete named another version). */
  readonly recorded: boolean;
  /** Derivative objects deleted by this invocation. */
  readonly derivativesDeleted: number;
}

export interface DeletionPorts {
  readonly index: MetadataIndex;
  readonly derivatives: StoredDerivatives;
  readonly metrics: IndexMetrics;
  readonly now: () => Date;
}

/**
 * Whether a deletion removes the derivative at `key`. A deletion of the key removes what every upload
 * before it produced, and never what a later upload produced (its sequencer is greater), so a new
 * upload racing the deletion keeps its thumbnail and text. A one-version deletion removes that
 * version's derivatives only. Keys this layout did not write predate it, so the key's deletion takes them.
 */
export const isRemovedBy = (deletion: DeletionRef, key: string): boolean => {
  const parts = parseDerivativeKey(key);
  if (deletion.versionId !== undefined) return parts?.versionId === deletion.versionId;
  return parts === undefined || parts.sequencer < deletion.sequencer;
};

/**
 * Records a deletion, then deletes the derivatives it removes. The tombstone goes first: from then on
 * every write of an older run is refused, and such a run deletes its own derivatives when it loses
 * (see `indexDocument`), so nothing it writes after the listing below outlives the deletion.
 * Derivatives are deleted even when the tombstone is not recorded: a newer upload being recorded does
 * not make an older upload's thumbnail any less deleted. A retry repeats both steps harmlessly.
 */
export const recordDeletion = async (
  { deletion, execution }: DeletionOutcome,
  ports: DeletionPorts,
): Promise<DeletionResult> => {
  const record = await ports.index.recordDeletion(deletion, execution, ports.now());
  const keys = (await ports.derivatives.list(deletion.id)).filter((key) => isRemovedBy(deletion, key));
  await ports.derivatives.remove(keys);
  const recorded = record === 'recorded';
  logger.info(recorded ? 'deletion recorded' : 'deletion not recorded: a newer upload is recorded', {
    sequencer: deletion.sequencer,
    versionId: deletion.versionId,
    derivativesDeleted: keys.length,
  });
  ports.metrics.addMetric(recorded ? 'DocumentDeleted' : 'DeletionSuperseded', MetricUnit.Count, 1);
  return { recorded, derivativesDeleted: keys.length };
};
