import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type {
  CostQuery,
  DocflowTarget,
  DocumentsApi,
  DocumentUploader,
  ExecutionRedriver,
  ExecutionsReader,
  FailedDocumentsQueue,
  FoundTrace,
  ListQuery,
  QueuedMessage,
  RedriveOutcome,
  ReprocessAnswer,
  StartOutcome,
  TimeWindow,
  TracesReader,
  UploadedObject,
  UploadRequest,
} from '../../cli/ports';
import type { RawTrace } from '../../console/shared/trace-entities';
import type { CostSummary } from '../../lambdas/api/cost-schemas';
import type { DocumentDetail, DocumentSummary, TextResponse } from '../../lambdas/api/schemas';
import { type DocumentStatus, documentId } from '../../lambdas/shared/documents/document';

export const FAKE_BUCKET = 'uploads-bucket';

/** A document as the API returns it, with the fields a test names. */
export const aDocument = (
  key: string,
  fields: Partial<DocumentDetail> & { status?: DocumentStatus } = {},
): DocumentDetail => ({
  id: documentId(FAKE_BUCKET, key),
  bucket: FAKE_BUCKET,
  key,
  version: '0066C1D2E3F4A5B6C70000000000000',
  status: 'PROCESSED',
  uploadedAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:02.500Z',
  eTag: 'd41d8cd98f00b204e9800998ecf8427e',
  thumbnail: null,
  text: null,
  original: {
    url: `https://example.test/${encodeURIComponent(key)}`,
    filename: key.split('/').at(-1) ?? key,
  },
  execution: null,
  urlsExpireAt: '2026-11-23T10:05:00.000Z',
  ...fields,
});

/**
 * The query API over a map the test changes between polls: `documents.set(id, …)`, or `script` a
 * sequence of answers per id (each get takes the next; the last one repeats).
 */
export class FakeDocumentsApi implements DocumentsApi {
  readonly documents = new Map<string, DocumentDetail>();
  readonly scripts = new Map<string, (DocumentDetail | undefined | Error)[]>();
  readonly texts = new Map<string, TextResponse[]>();
  readonly listCalls: ListQuery[] = [];
  gets = 0;

  script(id: string, answers: (DocumentDetail | undefined | Error)[]): void {
    this.scripts.set(id, answers);
  }

  async list(query: ListQuery) {
    this.listCalls.push(query);
    const all: DocumentSummary[] = [...this.documents.values()].filter(
      (document) => !query.status || document.status === query.status,
    );
    const start = query.cursor ? Number(query.cursor) : 0;
    const end = start + (query.limit ?? 25);
    return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
  }

  async get(id: string): Promise<DocumentDetail | undefined> {
    this.gets += 1;
    const script = this.scripts.get(id);
    if (script && script.length > 0) {
      const answer = script.length > 1 ? script.shift() : script[0];
      if (answer instanceof Error) throw answer;
      return answer;
    }
    return this.documents.get(id);
  }

  async text(id: string, page: number): Promise<TextResponse | undefined> {
    return this.texts.get(id)?.[page - 1];
  }

  /** `GET /costs` answers, in order (the last repeats); the queries asked. */
  readonly costAnswers: CostSummary[] = [];
  readonly costQueries: CostQuery[] = [];

  async costs(query: CostQuery): Promise<CostSummary> {
    this.costQueries.push(query);
    const answer = this.costAnswers.length > 1 ? this.costAnswers.shift() : this.costAnswers[0];
    if (!answer) throw new Error('no cost summary scripted');
    return answer;
  }

  /** Reprocess requests in the order they came, and errors to throw for some ids. */
  readonly reprocessCalls: string[] = [];
  readonly reprocessFailures = new Map<string, Error>();

  /** Answers as the API does from the document's status; a queued request does not change it. */
  async reprocess(id: string): Promise<ReprocessAnswer> {
    this.reprocessCalls.push(id);
    const failure = this.reprocessFailures.get(id);
    if (failure) throw failure;
    const document = this.documents.get(id);
    if (!document) return { outcome: 'not-found', detail: `document ${id} does not exist` };
    if (document.status === 'DELETED') return { outcome: 'deleted', detail: `document ${id} was deleted` };
    if (document.status === 'PROCESSING')
      return { outcome: 'in-flight', detail: `document ${id} is being processed` };
    const generation = (document.generation ?? 0) + 1;
    return {
      outcome: 'queued',
      ticket: {
        documentId: id,
        version: document.version,
        generation,
        executionName: `${id}-g${generation}`,
      },
    };
  }
}

/** An uploader that records uploads and answers with a fixed ETag (or fails for keys it is told to). */
export class FakeUploader implements DocumentUploader {
  readonly bucket = FAKE_BUCKET;
  readonly uploads: UploadRequest[] = [];
  readonly failKeys = new Set<string>();
  eTag = '"d41d8cd98f00b204e9800998ecf8427e"';
  /** Called after the upload, before it resolves: a test can make the "pipeline" react here. */
  onUploaded: (request: UploadRequest) => void = () => {};

  async upload(request: UploadRequest, onProgress: (sent: number) => void): Promise<UploadedObject> {
    onProgress(Math.floor(request.size / 2));
    if (this.failKeys.has(request.key)) throw new Error(`AccessDenied for ${request.key}`);
    onProgress(request.size);
    this.uploads.push(request);
    this.onUploaded(request);
    return { bucket: this.bucket, key: request.key, eTag: this.eTag };
  }
}

/** Step Functions as a test sees it: histories by ARN, and a log of redrives and starts. */
export class FakeExecutions implements ExecutionsReader, ExecutionRedriver {
  readonly histories = new Map<string, HistoryEvent[]>();
  readonly names = new Set<string>();
  readonly redriveAnswers = new Map<string, RedriveOutcome | Error>();
  readonly redriven: string[] = [];
  readonly started: { stateMachineArn: string; name: string; input: string }[] = [];

  async history(executionArn: string) {
    return this.histories.get(executionArn);
  }

  async latestEvents(executionArn: string, count: number) {
    return this.histories.get(executionArn)?.toReversed().slice(0, count);
  }

  async redrive(executionArn: string): Promise<RedriveOutcome> {
    const answer = this.redriveAnswers.get(executionArn) ?? 'redriven';
    if (answer instanceof Error) throw answer;
    if (answer === 'redriven') this.redriven.push(executionArn);
    return answer;
  }

  async start(stateMachineArn: string, name: string, input: string): Promise<StartOutcome> {
    if (this.names.has(name)) return { started: false, reason: 'name-taken' };
    this.names.add(name);
    this.started.push({ stateMachineArn, name, input });
    return {
      started: true,
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
    };
  }
}

/** An in-memory queue with SQS's visibility rules, enough for the redrive logic. */
export class FakeQueue implements FailedDocumentsQueue {
  readonly messages: { messageId: string; body: string; invisibleUntil: number; receipts: number }[] = [];
  readonly deleted: string[] = [];
  readonly released: string[] = [];
  #clock = 0;

  add(body: string): string {
    const messageId = `m-${this.messages.length + 1}`;
    this.messages.push({ messageId, body, invisibleUntil: 0, receipts: 0 });
    return messageId;
  }

  async receive(options: { max: number; visibilityTimeoutSeconds: number }): Promise<QueuedMessage[]> {
    this.#clock += 1;
    const visible = this.messages
      .filter((message) => message.invisibleUntil <= this.#clock)
      .slice(0, options.max);
    for (const message of visible) {
      message.invisibleUntil = this.#clock + options.visibilityTimeoutSeconds;
      message.receipts += 1;
    }
    return visible.map((message) => ({
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receipts}`,
      body: message.body,
    }));
  }

  async delete(receiptHandle: string): Promise<void> {
    const id = receiptHandle.split('#')[0];
    const index = this.messages.findIndex((message) => message.messageId === id);
    if (index >= 0) this.messages.splice(index, 1);
    this.deleted.push(id ?? '');
  }

  async release(receiptHandle: string): Promise<void> {
    const id = receiptHandle.split('#')[0];
    const message = this.messages.find((candidate) => candidate.messageId === id);
    if (message) message.invisibleUntil = 0;
    this.released.push(id ?? '');
  }
}

/**
 * X-Ray as a test sees it: `found` lists the traces by annotation (`documentId=…`) with the time of their
 * last update (X-Ray's `Event` time); `traces` holds whole traces by id. Every query is logged.
 */
export class FakeTraces implements TracesReader {
  readonly found = new Map<string, (FoundTrace & { updatedAt: Date })[]>();
  readonly traces = new Map<string, RawTrace>();
  readonly queries: { annotation: string; window: TimeWindow }[] = [];

  async findByAnnotation(key: string, value: string, window: TimeWindow): Promise<FoundTrace[]> {
    const annotation = `${key}=${value}`;
    this.queries.push({ annotation, window });
    return (this.found.get(annotation) ?? [])
      .filter((trace) => {
        const at = window.by === 'started' ? trace.startTime : trace.updatedAt;
        return at >= window.from && at <= window.to;
      })
      .map(({ updatedAt: _, ...trace }) => trace);
  }

  async get(ids: readonly string[]): Promise<RawTrace[]> {
    return ids.flatMap((id) => this.traces.get(id) ?? []);
  }
}

/** A whole target of fakes. */
export const fakeTarget = (
  parts: {
    documents?: FakeDocumentsApi;
    uploader?: FakeUploader;
    executions?: FakeExecutions;
    queue?: FakeQueue;
    traces?: FakeTraces;
  } = {},
): DocflowTarget & { closed: boolean } => {
  const executions = parts.executions ?? new FakeExecutions();
  const target = {
    kind: 'local' as const,
    description: 'the fake cloud',
    uploader: parts.uploader ?? new FakeUploader(),
    documents: parts.documents ?? new FakeDocumentsApi(),
    downloads: { download: async () => new Uint8Array([1, 2, 3]) },
    executions,
    redriver: executions,
    traces: parts.traces ?? new FakeTraces(),
    failedDocuments: () => parts.queue ?? new FakeQueue(),
    closed: false,
    close: () => {
      target.closed = true;
    },
  };
  return target;
};
