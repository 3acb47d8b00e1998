import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { derivativeKeys } from '../shared/documents/derivative-keys';
import type { DocumentRef, DocumentStatus } from '../shared/documents/document';
import { NotARejectionError, parseRejectionMessage, reasonForErrorName } from '../shared/documents/errors';
import type { Inspection, MetadataItem, TextInfo, ThumbnailInfo } from '../shared/documents/metadata-item';
import type { MetadataIndex } from '../shared/ports/metadata-index';
import type { StoredDerivatives } from '../shared/ports/stored-derivatives';
import { logger } from '../shared/runtime/powertools';

/** The execution that produced an outcome, from the state machine's context object. */
export interface ExecutionRef {
  readonly arn: string;
  /** ISO-8601 start time of the execution (`$$.Execution.StartTime`). */
  readonly startedAt: string;
}

/** What a Catch puts under `$.error`. */
export interface CaughtError {
  readonly Error: string;
  /**
   * In AWS, for a Lambda error, Lambda's JSON envelope `{"errorType","errorMessage","trace"}`;
   * in the local interpreter, the bare error message.
   */
  readonly Cause?: string;
}

/** Input of the IndexMetadata state. */
export interface ProcessedOutcome {
  readonly outcome: 'PROCESSED';
  readonly document: DocumentRef;
  /** Which run of the version this is (0: its upload's); absent from runs started before generations. */
  readonly generation?: number;
  readonly inspection: Inspection;
  readonly thumbnail: ThumbnailInfo | null;
  readonly text: TextInfo | null;
  readonly execution: ExecutionRef;
}

/** Input of the RecordRejected state. */
export interface RejectedOutcome {
  readonly outcome: 'REJECTED';
  readonly document: DocumentRef;
  /** Which run of the version this is (0: its upload's); absent from runs started before generations. */
  readonly generation?: number;
  readonly error: CaughtError;
  readonly execution: ExecutionRef;
}

export type DocumentOutcome = ProcessedOutcome | RejectedOutcome;

/** What the state machine receives under `$.indexed`. */
export type IndexResult =
  | { readonly written: true; readonly status: DocumentStatus }
  /** A newer version, or this version's terminal status, is already stored: the state still succeeds. */
  | { readonly written: false };

/** The part of Powertools `Metrics` the core uses; the shared `metrics` instance fits it as it is. */
export interface IndexMetrics {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

export interface IndexPorts {
  readonly index: MetadataIndex;
  /** Where a run that lost its version race deletes the derivatives it wrote. */
  readonly derivatives: StoredDerivatives;
  readonly metrics: IndexMetrics;
  readonly now: () => Date;
}

/**
 * Budget of every free-text attribute (title, author, reason detail), in UTF-8 bytes, ellipsis included.
 * Bytes rather than characters because the DynamoDB 400 KB item limit counts bytes: these fields
 * and a 1,024-byte S3 key keep any item under a few KB, whatever the document carries.
 */
export const MAX_TEXT_BYTES = 1024;

const ELLIPSIS = '…';
const encoder = new TextEncoder();
const ELLIPSIS_BYTES = encoder.encode(ELLIPSIS).length;

/**
 * Bounds a free-text value to `maxBytes` UTF-8 bytes, ending with an ellipsis when cut. Never splits a
 * code point; lone surrogates (possible in PDF metadata) become U+FFFD first so that the byte count
 * is the one DynamoDB sees. `encodeInto` stops when its buffer is full, so a huge input costs little.
 */
export const boundText = (text: string, maxBytes = MAX_TEXT_BYTES): string => {
  const wellFormed = text.toWellFormed();
  if (encoder.encodeInto(wellFormed, new Uint8Array(maxBytes)).read === wellFormed.length) return wellFormed;
  const { read } = encoder.encodeInto(wellFormed, new Uint8Array(maxBytes - ELLIPSIS_BYTES));
  return `${wellFormed.slice(0, read)}${ELLIPSIS}`;
};

/** A trimmed, bounded optional text, or undefined when there is nothing to keep. */
const optionalText = (text: string | undefined): string | undefined => {
  const trimmed = text?.trim();
  return trimmed ? boundText(trimmed) : undefined;
};

/** The error message inside a Catch `Cause`: Lambda's JSON envelope in AWS, the bare message locally. */
export const causeMessage = (cause: string | undefined): string => {
  if (cause === undefined) return '';
  if (cause.trimStart().startsWith('{')) {
    try {
      const envelope: unknown = JSON.parse(cause);
      if (
        typeof envelope === 'object' &&
        envelope !== null &&
        'errorMessage' in envelope &&
        typeof envelope.errorMessage === 'string'
      ) {
        return envelope.errorMessage;
      }
    } catch {
      // Not an envelope after all: a message that happens to start with a brace.
    }
  }
  return cause;
};

/** The attributes every outcome shares; the fields MarkProcessing writes come from the same sources. */
const baseItem = (outcome: DocumentOutcome, status: DocumentStatus, completedAt: Date) => {
  const { document, execution } = outcome;
  const startedMs = Date.parse(execution.startedAt);
  const durationMs = completedAt.getTime() - startedMs;
  return {
    documentId: document.id,
    bucket: document.bucket,
    key: document.key,
    version: document.version,
    sequencer: document.sequencer,
    generation: outcome.generation ?? 0,
    status,
    statusShard: `${status}#${document.shard}`,
    listShard: `ALL#${document.shard}`,
    uploadedAt: document.uploadedAt,
    updatedAt: completedAt.toISOString(),
    size: document.size,
    eTag: document.eTag,
    executionArn: execution.arn,
    startedAt: execution.startedAt,
    completedAt: completedAt.toISOString(),
    ...(Number.isFinite(durationMs) ? { durationMs: Math.max(0, durationMs) } : {}),
  } satisfies MetadataItem;
};

const processedItem = (outcome: ProcessedOutcome, completedAt: Date): MetadataItem => {
  const { inspection, thumbnail, text } = outcome;
  const title = optionalText(inspection.title);
  const author = optionalText(inspection.author);
  return {
    ...baseItem(outcome, 'PROCESSED', completedAt),
    mimeType: boundText(inspection.mimeType, 255),
    type: boundText(inspection.type, 64),
    sha256: inspection.sha256,
    textStrategy: inspection.textStrategy,
    ...(inspection.pages !== undefined ? { pages: inspection.pages } : {}),
    ...(inspection.width !== undefined ? { width: inspection.width } : {}),
    ...(inspection.height !== undefined ? { height: inspection.height } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(author !== undefined ? { author } : {}),
    ...(inspection.encoding !== undefined ? { encoding: inspection.encoding } : {}),
    ...(thumbnail
      ? {
          thumbnail: {
            bucket: thumbnail.bucket,
            key: thumbnail.key,
            width: thumbnail.width,
            height: thumbnail.height,
            contentType: thumbnail.contentType,
          },
        }
      : {}),
    ...(text
      ? {
          text: {
            bucket: text.bucket,
            key: text.key,
            pages: text.pages,
            characters: text.characters,
            words: text.words,
            source: text.source,
          },
        }
      : {}),
  };
};

const rejectedItem = (outcome: RejectedOutcome, completedAt: Date): MetadataItem => {
  const { Error: errorName, Cause } = outcome.error;
  const message = causeMessage(Cause);
  const reason = reasonForErrorName(errorName);
  if (reason === undefined) {
    throw new NotARejectionError(boundText(`${errorName} is not a rejection: ${message}`));
  }
  // The reason comes from the error name, which the ASL matched; the message's own prefix is only stripped.
  const reasonDetail = optionalText(parseRejectionMessage(message).detail);
  return {
    ...baseItem(outcome, 'REJECTED', completedAt),
    reason,
    ...(reasonDetail !== undefined ? { reasonDetail } : {}),
  };
};

/**
 * The complete item for an outcome, completed at `completedAt`. Pure. Everything a previous version
 * (or this version's PROCESSING/FAILED record) stored and this outcome does not set is meant to vanish.
 * @throws NotARejectionError when a REJECTED outcome carries an error that is not a rejection
 */
export const buildMetadataItem = (outcome: DocumentOutcome, completedAt: Date): MetadataItem =>
  outcome.outcome === 'PROCESSED' ? processedItem(outcome, completedAt) : rejectedItem(outcome, completedAt);

/**
 * Records a document's terminal outcome, unless a newer version or this version's own terminal
 * status is already stored. Losing that race is the normal fate of a duplicate or stale execution
 * (S3 notifications are at-least-once and unordered), so it is reported, not thrown.
 *
 * A run that loses to another version (a newer upload, or a deletion) deletes the derivatives it
 * wrote: nothing points at them, and after a deletion they must not outlive it. A run that loses to
 * its own version's record (a duplicate) keeps them: the keys are the recorded ones.
 */
export const indexDocument = async (outcome: DocumentOutcome, ports: IndexPorts): Promise<IndexResult> => {
  const item = buildMetadataItem(outcome, ports.now());
  const written = await ports.index.putIfNewer(item);
  if (!written) {
    logger.info('index write refused: a newer version or run, or a terminal status of this run, is stored', {
      version: item.version,
      sequencer: item.sequencer,
      generation: item.generation,
      status: item.status,
    });
    ports.metrics.addMetric('IndexWriteSuperseded', MetricUnit.Count, 1);
    if ((await ports.index.sequencerOf(item.documentId)) !== item.sequencer) {
      await ports.derivatives.remove([
        derivativeKeys.thumbnail(outcome.document),
        derivativeKeys.text(outcome.document),
      ]);
    }
    return { written: false };
  }
  logger.info('document indexed', {
    version: item.version,
    generation: item.generation,
    status: item.status,
    durationMs: item.durationMs,
  });
  ports.metrics.addMetric(
    item.status === 'PROCESSED' ? 'DocumentProcessed' : 'DocumentRejected',
    MetricUnit.Count,
    1,
  );
  if (item.durationMs !== undefined) {
    ports.metrics.addMetric('PipelineDuration', MetricUnit.Milliseconds, item.durationMs);
  }
  return { written: true, status: item.status };
};
