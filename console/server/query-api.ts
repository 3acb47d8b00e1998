import type { SignedFetch } from './signed-fetch';

/** An answer of the query API as the browser gets it: status, content type and body unchanged. */
export interface ApiAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/**
 * The query API (`GET /documents…`, `POST /uploads`) through signed requests. The console passes its
 * answers on unchanged, so the API stays the one judge of its parameters and the one author of its
 * problem details.
 */
export class QueryApi {
  readonly #base: URL;
  readonly #send: SignedFetch;

  /** @param apiUrl the ApiUrl output, e.g. `https://….execute-api.eu-west-1.amazonaws.com/prod/` */
  constructor(apiUrl: string, send: SignedFetch) {
    this.#base = new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
    this.#send = send;
  }

  /** Where the API is, for messages. */
  get description(): string {
    return `the query API at ${this.#base.href}`;
  }

  /**
   * @param path relative to the API's base, each segment already encoded (`documents/abc/text`)
   * @param query only the given parameters are sent
   */
  async get(path: string, query: Readonly<Record<string, string | undefined>> = {}): Promise<ApiAnswer> {
    return this.#answer(await this.#send({ method: 'GET', url: this.#url(path, query) }));
  }

  async post(path: string, body: unknown): Promise<ApiAnswer> {
    return this.#answer(
      await this.#send({ method: 'POST', url: this.#url(path), body: JSON.stringify(body) }),
    );
  }

  #url(path: string, query: Readonly<Record<string, string | undefined>> = {}): URL {
    const url = new URL(path, this.#base);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    return url;
  }

  async #answer(response: Response): Promise<ApiAnswer> {
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/json',
      text: await response.text(),
    };
  }
}

/** The answer as a Response to the browser, never cached (presigned URLs inside expire). */
export const relay = (answer: ApiAnswer): Response =>
  new Response(answer.status === 204 ? null : answer.text, {
    status: answer.status,
    headers: { 'content-type': answer.contentType, 'cache-control': 'no-store' },
  });
