import type {
  ConsoleConfig,
  DocumentDetail,
  DocumentFilters,
  DocumentList,
  ExecutionDetail,
  ExecutionHistory,
  ExecutionList,
  ExecutionStatus,
  Problem,
  QueueName,
  QueuePeek,
  QueueRedriveReport,
  QueueRedriveRequest,
  RedriveResult,
  StateMachineInfo,
  TextResponse,
  Trace,
  TraceSummaryList,
  UploadRequest,
  UploadTicket,
} from '../../shared/api';

/**
 * A console endpoint answered with an error, or could not be reached (`status` 0). `title` and
 * `detail` are the problem details of the answer (the query API's own, passed through).
 */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly parameters: Problem['errors'] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

const problemOf = (status: number, statusText: string, text: string): ConsoleApiError => {
  try {
    const body = JSON.parse(text) as Partial<Problem> & { message?: unknown };
    const title = typeof body.title === 'string' ? body.title : statusText || `HTTP ${status}`;
    // API Gateway's own refusals (IAM 403, throttling 429) carry `message`.
    const detail =
      typeof body.detail === 'string' ? body.detail : typeof body.message === 'string' ? body.message : '';
    const parameters = Array.isArray(body.errors) ? body.errors : [];
    return new ConsoleApiError(status, title, detail, parameters);
  } catch {
    return new ConsoleApiError(status, statusText || `HTTP ${status}`, text.slice(0, 200));
  }
};

type Query = Readonly<Record<string, string | number | undefined>>;

/**
 * The console server's `/api`, typed. Components call this and nothing else: no AWS, no URLs of
 * their own. `fetch` is given so that tests can run it against a server without a browser.
 */
export class ConsoleClient {
  readonly #base: string;
  readonly #fetch: typeof fetch;

  /** @param base the console's origin, e.g. `http://127.0.0.1:4568` (the page's own: `location.origin`) */
  constructor(base: string, fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)) {
    this.#base = base.replace(/\/+$/, '');
    this.#fetch = fetchImpl;
  }

  config(signal?: AbortSignal): Promise<ConsoleConfig> {
    return this.#get('/api/config', {}, signal);
  }

  listDocuments(filters: DocumentFilters = {}, signal?: AbortSignal): Promise<DocumentList> {
    return this.#get('/api/documents', { ...filters }, signal);
  }

  /** The document, or undefined when the API has no record of it (yet). */
  document(id: string, signal?: AbortSignal): Promise<DocumentDetail | undefined> {
    return this.#optional(this.#get(`/api/documents/${encodeURIComponent(id)}`, {}, signal));
  }

  /** One page of text (a document page when `pageSize` is 1, the default). */
  text(id: string, page: number, signal?: AbortSignal): Promise<TextResponse> {
    return this.#get(`/api/documents/${encodeURIComponent(id)}/text`, { page }, signal);
  }

  /**
   * Where the thumbnail is: the server redirects to a fresh presigned URL. The version makes a new
   * upload's thumbnail a new URL, so the browser never shows a cached old one.
   */
  thumbnailUrl(id: string, version: string): string {
    return `${this.#base}/api/documents/${encodeURIComponent(id)}/thumbnail?v=${encodeURIComponent(version)}`;
  }

  /** A download of the original, as an attachment (the server redirects to a fresh presigned URL). */
  originalUrl(id: string): string {
    return `${this.#base}/api/documents/${encodeURIComponent(id)}/original`;
  }

  /** A presigned POST for one file. */
  requestUpload(request: UploadRequest, signal?: AbortSignal): Promise<UploadTicket> {
    return this.#send('POST', '/api/uploads', request, signal);
  }

  stateMachine(signal?: AbortSignal): Promise<StateMachineInfo> {
    return this.#get('/api/state-machine', {}, signal);
  }

  executions(
    query: { status?: ExecutionStatus; limit?: number; nextToken?: string } = {},
    signal?: AbortSignal,
  ): Promise<ExecutionList> {
    return this.#get('/api/executions', query, signal);
  }

  execution(arn: string, signal?: AbortSignal): Promise<ExecutionDetail> {
    return this.#get(`/api/executions/${encodeURIComponent(arn)}`, {}, signal);
  }

  /** The definition the execution ran (DescribeStateMachineForExecution). */
  executionDefinition(arn: string, signal?: AbortSignal): Promise<StateMachineInfo> {
    return this.#get(`/api/executions/${encodeURIComponent(arn)}/definition`, {}, signal);
  }

  executionHistory(arn: string, signal?: AbortSignal): Promise<ExecutionHistory> {
    return this.#get(`/api/executions/${encodeURIComponent(arn)}/history`, {}, signal);
  }

  redriveExecution(arn: string, signal?: AbortSignal): Promise<RedriveResult> {
    return this.#send('POST', `/api/executions/${encodeURIComponent(arn)}/redrive`, {}, signal);
  }

  /** A document's traces, updated between `from` and `to` (ISO; at most 24 hours apart). */
  traces(
    query: { documentId: string; from?: string; to?: string },
    signal?: AbortSignal,
  ): Promise<TraceSummaryList> {
    return this.#get('/api/traces', query, signal);
  }

  trace(id: string, signal?: AbortSignal): Promise<Trace> {
    return this.#get(`/api/traces/${encodeURIComponent(id)}`, {}, signal);
  }

  queue(name: QueueName, signal?: AbortSignal): Promise<QueuePeek> {
    return this.#get(`/api/queues/${name}`, {}, signal);
  }

  /** Runs failed documents again: the messages named, or every one. */
  redriveFailedDocuments(messageIds?: readonly string[], signal?: AbortSignal): Promise<QueueRedriveReport> {
    const request: QueueRedriveRequest = messageIds ? { messageIds } : {};
    return this.#send('POST', '/api/queues/failed-documents/redrive', request, signal);
  }

  async #optional<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await request;
    } catch (error) {
      if (error instanceof ConsoleApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  #get<T>(path: string, query: Query, signal: AbortSignal | undefined): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') search.set(name, String(value));
    }
    const suffix = search.size > 0 ? `?${search}` : '';
    return this.#request(`${path}${suffix}`, { method: 'GET', ...(signal ? { signal } : {}) });
  }

  #send<T>(method: 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    return this.#request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  }

  async #request<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, {
        ...init,
        headers: { accept: 'application/json', ...init.headers },
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw new ConsoleApiError(
        0,
        'Console unreachable',
        'the console server does not answer: is it still running?',
      );
    }
    const text = await response.text();
    if (!response.ok) throw problemOf(response.status, response.statusText, text);
    return JSON.parse(text) as T;
  }
}
