import type { DocumentStatus, TextStrategy } from './document';
import type { DocumentCost } from './document-cost';
import type { RejectionReason } from './errors';
import type { TextEncoding } from './text-encoding';

/**
 * The metadata table: one item per document (bucket + decoded key) holding the newest version's
 * results. The CDK construct and the tests build the table from these names, so they cannot drift.
 */
export const METADATA_TABLE = {
  partitionKey: 'documentId',
  /** Listing by status: partition `"<STATUS>#<shard>"`, sorted by upload time. */
  byStatusIndex: { name: 'byStatus', partitionKey: 'statusShard', sortKey: 'uploadedAt' },
  /** Listing everything by upload time: partition `"ALL#<shard>"`. */
  byUploadTimeIndex: { name: 'byUploadTime', partitionKey: 'listShard', sortKey: 'uploadedAt' },
} as const;

/** An object in a bucket. */
export interface S3Pointer {
  readonly bucket: string;
  readonly key: string;
}

export interface ThumbnailInfo extends S3Pointer {
  readonly width: number;
  readonly height: number;
  readonly contentType: string;
}

/** Where the extracted text lives and how much of it there is. The text itself never enters state. */
export interface TextInfo extends S3Pointer {
  readonly pages: number;
  readonly characters: number;
  readonly words: number;
  readonly source: 'pdf-text-layer' | 'docx' | 'plain-text' | 'textract';
}

/** What Inspect learned from the bytes. Small, pointer-free metadata only. */
export interface Inspection {
  readonly mimeType: string;
  /** Short kind used for filtering: `pdf`, `jpeg`, `png`, `webp`, `gif`, `tiff`, `heic`, `docx`, `text`, … */
  readonly type: string;
  readonly size: number;
  readonly sha256: string;
  readonly pages?: number;
  readonly width?: number;
  readonly height?: number;
  readonly hasTextLayer?: boolean;
  readonly title?: string;
  readonly author?: string;
  /** Text documents only: the encoding the bytes were found to be in, which the text step decodes with. */
  readonly encoding?: TextEncoding;
  readonly textStrategy: TextStrategy;
}

/**
 * The attributes an item keeps of Inspect's answer (its size comes with the upload too): the same names
 * on the item, so the index writes them and the API shows them, a new one in both at once.
 */
export const INSPECTED_ATTRIBUTES = [
  'mimeType',
  'type',
  'sha256',
  'pages',
  'width',
  'height',
  'title',
  'author',
  'encoding',
  'textStrategy',
] as const satisfies readonly (keyof Inspection)[];

/** The item as stored and as the API reads it. */
export interface MetadataItem {
  readonly documentId: string;
  readonly bucket: string;
  readonly key: string;
  readonly version: string;
  readonly sequencer: string;
  /**
   * Which run of this version wrote the item: 0 for its upload's run, n for its n-th reprocess. Absent
   * on items written before reprocessing existed (read as 0: older than any run of their version).
   */
  readonly generation?: number;
  readonly status: DocumentStatus;
  readonly statusShard: string;
  readonly listShard: string;
  readonly uploadedAt: string;
  readonly updatedAt: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly mimeType?: string;
  readonly type?: string;
  readonly sha256?: string;
  readonly pages?: number;
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly author?: string;
  /** Text documents only: the encoding Inspect found (WHATWG name, e.g. `windows-1252`, `shift_jis`). */
  readonly encoding?: TextEncoding;
  readonly textStrategy?: TextStrategy;
  /** Absent when the document has no picture (DOCX, text) or was not processed. */
  readonly thumbnail?: ThumbnailInfo;
  readonly text?: TextInfo;
  readonly reason?: RejectionReason;
  readonly reasonDetail?: string;
  /** Set by the RecordFailure state: the error name and cause after retries. */
  readonly failure?: { readonly error: string; readonly cause: string };
  /** The execution that last wrote the item (for a DELETED item, the deletion's). */
  readonly executionArn?: string;
  /** DELETED only: when the upload was deleted (the removal event's time). */
  readonly deletedAt?: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly durationMs?: number;
  /**
   * The document's modelled AWS cost, every run added once it ended (record-cost). It belongs to the
   * document, not a version: no write of a run removes it (MarkProcessing, IndexMetadata, a deletion).
   */
  readonly cost?: DocumentCost;
}
