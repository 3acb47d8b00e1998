import { createHash } from 'node:crypto';

/**
 * Terminal and in-flight statuses of a document. Every upload ends in exactly one terminal status;
 * `DELETED` replaces any of them when the object is deleted from the uploads bucket.
 */
export const DOCUMENT_STATUSES = ['PROCESSING', 'PROCESSED', 'REJECTED', 'FAILED', 'DELETED'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** How text is obtained; decided by Inspect from the bytes, never from the file name. */
export const TEXT_STRATEGIES = ['none', 'local', 'textract-sync', 'textract-async'] as const;
export type TextStrategy = (typeof TEXT_STRATEGIES)[number];

/** Number of write shards of the listing indexes (see docs/decisions.md, "Listing without a hot key"). */
export const LIST_SHARDS = 8;

/**
 * The document as the starter hands it to the state machine: only stable S3 fields and values derived
 * from them, so a redelivered notification produces byte-identical input.
 */
export interface DocumentRef {
  /** Stable, URL-safe id derived from bucket and decoded key. */
  readonly id: string;
  readonly bucket: string;
  /** The decoded object key. */
  readonly key: string;
  /** S3 version id; the normalized sequencer when the bucket has no versioning. */
  readonly version: string;
  /** The S3 versionId when the bucket is versioned (absent otherwise); used for reads. */
  readonly versionId?: string;
  /** The S3 sequencer, right-padded so that string order is event order for one key. */
  readonly sequencer: string;
  readonly size: number;
  readonly eTag: string;
  /** ISO-8601 time S3 finished the upload (the event's eventTime). */
  readonly uploadedAt: string;
  /** Listing shard, `"0"`…`"7"`, derived from the id (a string because the ASL formats it into keys). */
  readonly shard: string;
}

/**
 * A deletion of an uploaded object, as the starter hands it to the state machine (`{"deletion":{…}}`).
 * Like {@link DocumentRef}, only stable S3 fields, so a redelivered notification gives the same input.
 */
export interface DeletionRef {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  /** The removal event's sequencer, padded: it orders the deletion among the key's uploads. */
  readonly sequencer: string;
  /**
   * Set for a permanent delete of one object version (`ObjectRemoved:Delete` naming a version):
   * only that version is gone. Absent when the key itself is gone (a delete marker, or an
   * unversioned bucket), which removes every version before the deletion.
   */
  readonly versionId?: string;
  /** ISO-8601 time of the deletion (the event's eventTime). */
  readonly deletedAt: string;
  readonly shard: string;
}

/**
 * A stable, URL-safe document id from bucket and decoded key: 22 base64url characters (132 bits of
 * SHA-256), short enough for paths and execution names, with no characters that need escaping.
 */
export const documentId = (bucket: string, key: string): string =>
  createHash('sha256').update(bucket).update('\u0000').update(key).digest('base64url').slice(0, 22);

/** The listing shard of a document id. */
export const shardOf = (id: string): string =>
  String(createHash('sha256').update(id).digest().readUInt32BE(0) % LIST_SHARDS);

/** Width sequencers are padded to. S3 sequencers are hex; AWS says to right-pad with zeros to compare. */
const SEQUENCER_WIDTH = 32;

/**
 * Normalizes an S3 sequencer so that plain string comparison orders events of one key, which is what
 * DynamoDB condition expressions can do.
 */
export const normalizeSequencer = (sequencer: string): string => {
  const hex = sequencer.toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) throw new Error(`sequencer is not hexadecimal: ${sequencer}`);
  return hex.padEnd(SEQUENCER_WIDTH, '0');
};
