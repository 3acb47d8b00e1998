/**
 * The console server's JSON API (`/api/…`), as the browser app's typed client reads it. Types only:
 * the server builds these values, the client checks the status and trusts the shape. Document shapes
 * are the query API's own (lambdas/api/schemas.ts), passed through unchanged, so a change of the API's
 * contract fails the typecheck of both sides.
 */
import type { z } from 'zod';
import type { RedriveAction } from '../../cli/redrive-documents';
import type {
  DocumentDetail,
  DocumentList,
  DocumentSummary,
  listDocumentsQuery,
  TextResponse,
} from '../../lambdas/api/schemas';
import type { DocumentStatus } from '../../lambdas/shared/documents/document';

export type { DocumentDetail, DocumentList, DocumentStatus, DocumentSummary, TextResponse };

/** Every document status, for filters (the same list as lambdas/shared/document.ts, which imports node:crypto). */
export const DOCUMENT_STATUS_VALUES = [
  'PROCESSING',
  'PROCESSED',
  'REJECTED',
  'FAILED',
  'DELETED',
] as const satisfies readonly DocumentStatus[];

/** Statuses a document stays in until it is uploaded or deleted again. */
export const TERMINAL_DOCUMENT_STATUSES: readonly DocumentStatus[] = [
  'PROCESSED',
  'REJECTED',
  'FAILED',
  'DELETED',
];

/** An error answer of the console API (RFC 9457 problem details, as the query API answers). */
export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Each rejected parameter of a 400. */
  readonly errors?: readonly { readonly parameter: string; readonly message: string }[];
}

/** `GET /api/config`: what the console is looking at. */
export interface ConsoleConfig {
  readonly kind: 'local' | 'stack';
  /** `the local cloud at http://127.0.0.1:4566`, `stack Docflow-dev in eu-west-1`. */
  readonly description: string;
  readonly region: string;
  readonly stateMachineArn: string;
  /** How often pages poll for changes, in milliseconds. */
  readonly pollIntervalMs: number;
}

/** `GET /api/documents` query: the query API's own filters (what its schema reads), each optional. */
export type DocumentFilters = Partial<z.output<typeof listDocumentsQuery>>;

/** `POST /api/uploads` body: what the browser is about to upload. */
export interface UploadRequest {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
}

/**
 * `POST /api/uploads` answer: the query API's presigned POST (`POST /uploads`), plus the id the
 * document will have, so the page can follow it.
 */
export interface UploadTicket {
  /** Where the browser POSTs the form. */
  readonly url: string;
  /** Form fields to send before the file, as given. */
  readonly fields: Readonly<Record<string, string>>;
  /** The server-chosen key, under `incoming/`. */
  readonly key: string;
  readonly expiresAt: string;
  readonly documentId: string;
}

/** Step Functions execution statuses. */
export const EXECUTION_STATUS_VALUES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUS_VALUES)[number];

/**
 * The document an execution ran for, read from its input: an upload's `document` or a removal's
 * `deletion` (docs/decisions.md 28).
 */
export interface ExecutionDocument {
  readonly kind: 'upload' | 'deletion';
  readonly id?: string;
  readonly key?: string;
}

/** One execution of the state machine (ListExecutions). Times are ISO-8601. */
export interface ExecutionSummary {
  readonly executionArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: string;
  readonly stopDate?: string;
  readonly redriveCount?: number;
  /** When the input names one (in a list, read once per execution and kept). */
  readonly document?: ExecutionDocument;
}

/** `GET /api/executions?status=&nextToken=&limit=` */
export interface ExecutionList {
  readonly items: readonly ExecutionSummary[];
  readonly nextToken: string | null;
}

/** `GET /api/executions/:arn` (DescribeExecution), with the trace id read from its trace header. */
export interface ExecutionDetail extends ExecutionSummary {
  readonly stateMachineArn: string;
  /** The execution input as Step Functions holds it (JSON text). */
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly traceHeader?: string;
  /** `Root` of the trace header: the X-Ray trace of this run. */
  readonly traceId?: string;
  readonly redriveDate?: string;
  readonly redriveStatus?: string;
}

/**
 * One history event (GetExecutionHistory with execution data): Step Functions' event as the SDK gives
 * it, with the timestamp as ISO-8601. The `*EventDetails` member named after the type carries input,
 * output, error and cause.
 */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId?: number;
  readonly type: string;
  readonly timestamp: string;
  readonly [details: `${string}EventDetails`]: Readonly<Record<string, unknown>> | undefined;
}

/** `GET /api/executions/:arn/history`: every event, oldest first (Step Functions keeps ≤ 25,000). */
export interface ExecutionHistory {
  readonly executionArn: string;
  readonly events: readonly HistoryEvent[];
}

/**
 * `GET /api/state-machine` (DescribeStateMachine), and `GET /api/executions/:arn/definition`
 * (DescribeStateMachineForExecution): the deployed definition the graph is drawn from.
 */
export interface StateMachineInfo {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly type: string;
  /** The Amazon States Language definition, JSON text. */
  readonly definition: string;
  readonly tracingEnabled: boolean;
}

/** How a redrive of one execution went (`POST /api/executions/:arn/redrive`): `docflow redrive`'s own outcomes. */
export type RedriveResult = Extract<RedriveAction, { kind: 'redriven' | 'restarted' }>;

/** A trace summary (GetTraceSummaries). */
export interface TraceSummary {
  readonly id: string;
  readonly startTime?: string;
  readonly durationSeconds?: number;
  readonly responseTimeSeconds?: number;
  readonly hasError: boolean;
  readonly hasFault: boolean;
  readonly hasThrottle: boolean;
  readonly entryPoint?: string;
}

/** `GET /api/traces?documentId=&from=&to=` */
export interface TraceSummaryList {
  readonly items: readonly TraceSummary[];
}

/** `GET /api/traces/:id` (BatchGetTraces): each segment document parsed from X-Ray's JSON text. */
export interface Trace {
  readonly id: string;
  readonly durationSeconds?: number;
  readonly segments: readonly { readonly id: string; readonly document: unknown }[];
}

/** The queues the console reads. */
export const QUEUE_NAMES = ['failed-documents', 'ingest-dead-letter'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** A message seen in a queue without taking it (ReceiveMessage with VisibilityTimeout 0). */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt?: string;
  readonly receiveCount?: number;
}

/** `GET /api/queues/:name` */
export interface QueuePeek {
  readonly queue: QueueName;
  /** ApproximateNumberOfMessages: visible ones; more than `messages` when the queue is long. */
  readonly approximateCount: number;
  readonly messages: readonly QueueMessage[];
}

/** `POST /api/queues/failed-documents/redrive` body: the messages to run again; every one when absent. */
export interface QueueRedriveRequest {
  readonly messageIds?: readonly string[];
}

/** `POST /api/queues/failed-documents/redrive`: what happened to each message (as `docflow redrive`). */
export interface QueueRedriveReport {
  readonly results: readonly {
    readonly messageId: string;
    readonly key?: string;
    readonly action: string;
    readonly executionArn?: string;
    readonly reason?: string;
  }[];
}
