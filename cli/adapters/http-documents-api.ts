import type { z } from 'zod/mini';
import { type CostSummary, costSummarySchema } from '../../lambdas/api/cost-schemas';
import { PROBLEM_TYPES } from '../../lambdas/api/problems';
import { reprocessTicketSchema } from '../../lambdas/api/reprocess-schemas';
import {
  type DocumentDetail,
  type DocumentList,
  documentDetailSchema,
  documentListSchema,
  type TextResponse,
  textResponseSchema,
} from '../../lambdas/api/schemas';
import type { CostQuery, DocumentsApi, Downloads, ListQuery, ReprocessAnswer } from '../ports';
import type { HttpRequest } from './sigv4-fetch';

/** The API answered with an error status. `detail` is the problem's detail (or the body's message). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    /** Each rejected parameter of a 400, as the API names it. */
    readonly parameters: readonly { readonly parameter: string; readonly message: string }[] = [],
  ) {
    super(message);
  }
}

const problemMessage = (status: number, statusText: string, text: string): ApiError => {
  try {
    const body = JSON.parse(text) as {
      title?: unknown;
      detail?: unknown;
      message?: unknown;
      errors?: unknown;
    };
    const detail = typeof body.detail === 'string' ? body.detail : undefined;
    const title = typeof body.title === 'string' ? body.title : undefined;
    // API Gateway's own refusals (403 of IAM authorization, 429) carry `message`.
    const message = typeof body.message === 'string' ? body.message : undefined;
    const parameters = Array.isArray(body.errors)
      ? body.errors.filter(
          (entry): entry is { parameter: string; message: string } =>
            typeof entry?.parameter === 'string' && typeof entry?.message === 'string',
        )
      : [];
    const summary = [title, detail ?? message].filter(Boolean).join(': ');
    return new ApiError(status, `API ${status}: ${summary || statusText}`, parameters);
  } catch {
    return new ApiError(status, `API ${status}: ${statusText || text.slice(0, 200)}`);
  }
};

/** The problem a refused reprocess answered with: its type and detail, if it is problem details. */
const problemOf = (text: string): { type?: string; detail?: string } => {
  try {
    const body = JSON.parse(text) as { type?: unknown; detail?: unknown };
    return {
      ...(typeof body.type === 'string' ? { type: body.type } : {}),
      ...(typeof body.detail === 'string' ? { detail: body.detail } : {}),
    };
  } catch {
    return {};
  }
};

/**
 * The query API over HTTP (`GET /documents`, `/documents/{id}`, `/documents/{id}/text`,
 * `POST /documents/{id}/reprocess`). Answers are checked against the API's own response schemas, so a
 * contract drift fails here, loudly.
 */
export class HttpDocumentsApi implements DocumentsApi {
  readonly #base: URL;
  readonly #request: HttpRequest;

  /**
   * @param apiUrl the API's base URL (the ApiUrl output, e.g. `https://….execute-api…/prod/`)
   * @param request sends a (signed) request; it must honour the method, for the reprocess POST
   */
  constructor(apiUrl: string, request: HttpRequest) {
    this.#base = new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
    this.#request = request;
  }

  async reprocess(id: string): Promise<ReprocessAnswer> {
    const url = this.#url(`documents/${encodeURIComponent(id)}/reprocess`);
    const response = await this.#request(url, { method: 'POST' });
    const text = await response.text();
    if (response.status === 202) {
      const ticket = reprocessTicketSchema.safeParse(JSON.parse(text));
      if (!ticket.success)
        throw new ApiError(response.status, `the API answered ${url.pathname} with an unexpected body`);
      return { outcome: 'queued', ticket: ticket.data };
    }
    const { type, detail = response.statusText } = problemOf(text);
    if (response.status === 404) return { outcome: 'not-found', detail };
    if (response.status === 410) return { outcome: 'deleted', detail };
    if (response.status === 409 && type === PROBLEM_TYPES.documentInFlight)
      return { outcome: 'in-flight', detail };
    if (response.status === 409 && type === PROBLEM_TYPES.notReprocessable)
      return { outcome: 'not-reprocessable', detail };
    throw problemMessage(response.status, response.statusText, text);
  }

  async list(query: ListQuery): Promise<DocumentList> {
    const parameters: Record<string, string | undefined> = {
      status: query.status,
      type: query.type,
      uploadedAfter: query.uploadedAfter,
      uploadedBefore: query.uploadedBefore,
      limit: query.limit === undefined ? undefined : String(query.limit),
      cursor: query.cursor,
    };
    return this.#fetch(this.#url('documents', parameters), documentListSchema);
  }

  async costs(query: CostQuery): Promise<CostSummary> {
    const parameters: Record<string, string | undefined> = {
      uploadedAfter: query.uploadedAfter,
      uploadedBefore: query.uploadedBefore,
      cursor: query.cursor,
    };
    return this.#fetch(this.#url('costs', parameters), costSummarySchema);
  }

  async get(id: string): Promise<DocumentDetail | undefined> {
    return this.#fetch(this.#url(`documents/${encodeURIComponent(id)}`), documentDetailSchema, true);
  }

  async text(id: string, page: number, pageSize: number): Promise<TextResponse | undefined> {
    const url = this.#url(`documents/${encodeURIComponent(id)}/text`, {
      page: String(page),
      pageSize: String(pageSize),
    });
    return this.#fetch(url, textResponseSchema, true);
  }

  #url(path: string, parameters: Record<string, string | undefined> = {}): URL {
    const url = new URL(path, this.#base);
    for (const [name, value] of Object.entries(parameters)) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    return url;
  }

  async #fetch<S extends z.ZodMiniType>(url: URL, schema: S): Promise<z.output<S>>;
  async #fetch<S extends z.ZodMiniType>(
    url: URL,
    schema: S,
    notFound: true,
  ): Promise<z.output<S> | undefined>;
  async #fetch<S extends z.ZodMiniType>(
    url: URL,
    schema: S,
    notFound = false,
  ): Promise<z.output<S> | undefined> {
    const response = await this.#request(url);
    const text = await response.text();
    if (response.status === 404 && notFound) return undefined;
    if (!response.ok) throw problemMessage(response.status, response.statusText, text);
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new ApiError(response.status, `the API answered ${url.pathname} with an unexpected body`);
    }
    return parsed.data;
  }
}

/** Plain GETs (presigned URLs carry their own signature). */
export class FetchDownloads implements Downloads {
  constructor(private readonly fetchImpl: typeof fetch = globalThis.fetch) {}

  async download(url: string): Promise<Uint8Array> {
    const response = await this.fetchImpl(url);
    if (!response.ok) throw new ApiError(response.status, `download failed with HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
}
