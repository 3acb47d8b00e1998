import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { z } from 'zod';
import type { RawTrace } from '../console/shared/trace-entities';
import type { CostSummary } from '../lambdas/api/cost-schemas';
import type { ReprocessTicket } from '../lambdas/api/reprocess-schemas';
import type { DocumentDetail, DocumentList, listDocumentsQuery, TextResponse } from '../lambdas/api/schemas';

/**
 * The roles the CLI's commands need from a docflow deployment (the local cloud or a deployed stack).
 * Commands and their logic take these; `target.ts` builds the AWS-backed adapters.
 */

/** A file to put into the uploads bucket. */
export interface UploadRequest {
  readonly path: string;
  readonly key: string;
  readonly size: number;
}

/** What S3 answered for a finished upload. */
export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  /** As S3 returns it (quoted, `"<md5>"` or `"<md5>-<parts>"` for multipart). */
  readonly eTag: string;
  /** Present when the bucket is versioned. */
  readonly versionId?: string;
}

export interface DocumentUploader {
  /** The uploads bucket (document ids derive from it and the key). */
  readonly bucket: string;
  /** Uploads one file (multipart when large), reporting the bytes sent so far. */
  upload(file: UploadRequest, onProgress: (sentBytes: number) => void): Promise<UploadedObject>;
}

/** The query API's list filters (`GET /documents`): what its schema reads, each optional. */
export type ListQuery = Partial<z.output<typeof listDocumentsQuery>>;

/** The range of a cost summary (`GET /costs`), inclusive, and where the previous response stopped. */
export interface CostQuery {
  readonly uploadedAfter?: string;
  readonly uploadedBefore?: string;
  readonly cursor?: string;
}

/** What the API answered a reprocess request (`POST /documents/{id}/reprocess`). */
export type ReprocessAnswer =
  /** 202: queued for the starter as the next generation. */
  | { readonly outcome: 'queued'; readonly ticket: ReprocessTicket }
  /**
   * Refused, with the API's detail: `in-flight` (409, being processed), `not-reprocessable` (409, the
   * record lacks what a run needs), `deleted` (410), `not-found` (404).
   */
  | {
      readonly outcome: 'in-flight' | 'not-reprocessable' | 'deleted' | 'not-found';
      readonly detail: string;
    };

/** The query API. */
export interface DocumentsApi {
  list(query: ListQuery): Promise<DocumentList>;
  /** The document, or undefined when the API has none with this id. */
  get(id: string): Promise<DocumentDetail | undefined>;
  /** A page of extracted text, or undefined when the document has none (404). */
  text(id: string, page: number, pageSize: number): Promise<TextResponse | undefined>;
  /** Asks for the recorded version to run again; any answer but those of {@link ReprocessAnswer} throws. */
  reprocess(id: string): Promise<ReprocessAnswer>;
  /** One response of the cost summary of a range (`nextCursor` when the range holds more). */
  costs(query: CostQuery): Promise<CostSummary>;
}

/** Plain GETs of presigned URLs (thumbnails). */
export interface Downloads {
  download(url: string): Promise<Uint8Array>;
}

/** Reads Step Functions execution histories. */
export interface ExecutionsReader {
  /** Every event of the execution, oldest first; undefined when the execution does not exist. */
  history(executionArn: string): Promise<HistoryEvent[] | undefined>;
  /** The newest `count` events, newest first; undefined when the execution does not exist. */
  latestEvents(executionArn: string, count: number): Promise<HistoryEvent[] | undefined>;
}

export type RedriveOutcome = 'redriven' | 'not-redrivable' | 'not-found';

export type StartOutcome =
  | { readonly started: true; readonly executionArn: string }
  | { readonly started: false; readonly reason: 'name-taken' };

/** Runs failed documents again. */
export interface ExecutionRedriver {
  /** RedriveExecution: `not-redrivable` and `not-found` are AWS's refusals, anything else throws. */
  redrive(executionArn: string): Promise<RedriveOutcome>;
  /** StartExecution: `name-taken` when an execution of that name exists (ExecutionAlreadyExists). */
  start(stateMachineArn: string, name: string, input: string): Promise<StartOutcome>;
}

/** A message of the failed-documents queue. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
}

/** The failed-documents DLQ. */
export interface FailedDocumentsQueue {
  receive(options: {
    readonly max: number;
    readonly visibilityTimeoutSeconds: number;
    readonly waitSeconds: number;
  }): Promise<QueuedMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Makes a received message visible again at once. */
  release(receiptHandle: string): Promise<void>;
}

/** A time range to search traces in (X-Ray's `StartTime`/`EndTime`). */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
  /**
   * What falls in it: a trace updated then (X-Ray's `Event`, the default), or a trace that started
   * then (`TraceId`: the start time its id holds).
   * @default 'updated'
   */
  readonly by?: 'updated' | 'started';
}

/** A trace X-Ray found (a trace summary). */
export interface FoundTrace {
  readonly id: string;
  readonly startTime: Date;
  readonly durationMs?: number;
  /** The service the request entered by (the summary's `EntryPoint`), e.g. the starter function. */
  readonly entryPoint?: string;
}

/** Reads X-Ray. */
export interface TracesReader {
  /** Traces with annotation `key` equal to `value`, updated within the window (one X-Ray query). */
  findByAnnotation(key: string, value: string, window: TimeWindow): Promise<FoundTrace[]>;
  /** The traces with these ids, in that order; ids X-Ray does not know are left out. */
  get(ids: readonly string[]): Promise<RawTrace[]>;
}

/** A docflow deployment, as the commands see it. */
export interface DocflowTarget {
  readonly kind: 'local' | 'stack';
  /** For messages: `the local cloud at http://127.0.0.1:4566`, `stack Docflow in eu-west-1`. */
  readonly description: string;
  readonly uploader: DocumentUploader;
  readonly documents: DocumentsApi;
  readonly downloads: Downloads;
  readonly executions: ExecutionsReader;
  readonly redriver: ExecutionRedriver;
  readonly traces: TracesReader;
  /** The failed-documents DLQ; throws when the deployment has no FailedDocumentsQueueUrl output. */
  failedDocuments(): FailedDocumentsQueue;
  /** Releases the clients' sockets. */
  close(): void;
}
