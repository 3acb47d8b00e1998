import type { DocumentStatus } from '../shared/documents/document';
import type { MetadataItem, S3Pointer } from '../shared/documents/metadata-item';
import type { TextDocument } from '../shared/documents/text-document';

/** Listing filters, already validated and normalized (times as `Date.toISOString()` strings). */
export interface ListFilters {
  readonly status?: DocumentStatus;
  /** Short kind as Inspect records it (`pdf`, `jpeg`, …), lower case. */
  readonly type?: string;
  /** Inclusive lower bound on `uploadedAt`. */
  readonly uploadedAfter?: string;
  /** Inclusive upper bound on `uploadedAt`. */
  readonly uploadedBefore?: string;
}

/** Where a shard's stream stopped: the index key of an item (the item need not still exist). */
export interface ShardPosition {
  readonly documentId: string;
  readonly uploadedAt: string;
}

/** One page of one listing shard, newest first. */
export interface ShardQuery extends ListFilters {
  /** 0 … LIST_SHARDS-1. */
  readonly shard: number;
  /** Start strictly after this position; from the newest item when absent. */
  readonly startAfter?: ShardPosition;
  /** Items to evaluate (before the type filter, as DynamoDB's `Limit`). */
  readonly limit: number;
}

export interface ShardPage {
  /** Matching items, newest first. May be empty even when there is more (filtered out, 1 MB cut). */
  readonly items: readonly MetadataItem[];
  /** Where to continue; absent when the shard has nothing more. */
  readonly next?: ShardPosition;
}

/** Read access to the metadata table. */
export interface DocumentCatalog {
  get(documentId: string): Promise<MetadataItem | undefined>;
  queryShard(query: ShardQuery): Promise<ShardPage>;
}

/** A text document as the API reads it: texts written before keys carried the sequencer lack it. */
export type StoredTextDocument = Omit<TextDocument, 'sequencer'>;

/** Reads extracted-text documents from the derivatives bucket. */
export interface TextDocumentReader {
  /** The text document at `pointer`, or undefined when the object does not exist. */
  get(pointer: S3Pointer): Promise<StoredTextDocument | undefined>;
}

/** One S3 presigned POST to mint: exactly this key, type and size, until it expires. */
export interface PresignedPostRequest {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  /** The exact size of the file, in bytes; S3 refuses any other. */
  readonly size: number;
  readonly expiresInSeconds: number;
}

/** What a client needs to POST a file straight to S3. */
export interface PresignedPost {
  readonly url: string;
  /** Form fields to send before the file, in order. */
  readonly fields: Readonly<Record<string, string>>;
  /** When the policy expires (ISO 8601). */
  readonly expiresAt: string;
}

/** Signs browser uploads into a bucket, so that clients never hold bucket credentials. */
export interface UploadSigner {
  presignPost(request: PresignedPostRequest): Promise<PresignedPost>;
}

/** The ingest queue, where the starter takes work from: reprocess requests go the way uploads go. */
export interface IngestQueue {
  /** Sends one message body. */
  send(body: string): Promise<void>;
}
