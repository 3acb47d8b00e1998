/**
 * HTTP problems (RFC 9457 problem details). Route code throws these; the router turns them into an
 * `application/problem+json` response. Anything else that escapes a route is a 500 without internals.
 */

/** Media type of every error response. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Problem type URIs. RFC 9457 §3.1.1 suggests a `tag:` URI for types that are not meant to be
 * dereferenced; plain status problems use `about:blank`, whose title is the status phrase.
 */
export const PROBLEM_TYPES = {
  blank: 'about:blank',
  invalidParameter: 'tag:docflow,2026:problem:invalid-parameter',
  invalidCursor: 'tag:docflow,2026:problem:invalid-cursor',
  textUnavailable: 'tag:docflow,2026:problem:text-unavailable',
  documentDeleted: 'tag:docflow,2026:problem:document-deleted',
  documentInFlight: 'tag:docflow,2026:problem:document-in-flight',
  notReprocessable: 'tag:docflow,2026:problem:not-reprocessable',
} as const;

/** One rejected request parameter, listed in a 400 problem's `errors` member. */
export interface ParameterError {
  /** Query or path parameter name (`limit`, `id`). */
  readonly parameter: string;
  readonly message: string;
}

/** The body of an error response. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly ParameterError[];
}

/** What one kind of problem answers with, besides its detail. */
interface ProblemKind {
  /** The error's `name`: a literal, because the bundles are minified and would rename the class. */
  readonly name: string;
  readonly status: number;
  readonly title: string;
  /** @default PROBLEM_TYPES.blank */
  readonly type?: string;
  /** Extra response headers (`Allow` on a 405). @default - none */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Base class of the errors that map to a problem response. */
export abstract class HttpProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;

  protected constructor(kind: ProblemKind, detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = kind.name;
    this.status = kind.status;
    this.title = kind.title;
    this.type = kind.type ?? PROBLEM_TYPES.blank;
    this.headers = kind.headers ?? {};
  }

  toProblem(): ProblemDetails {
    return { type: this.type, title: this.title, status: this.status, detail: this.message };
  }
}

/** A problem class of one fixed kind, built from its detail alone. */
const problem = (kind: ProblemKind) =>
  class extends HttpProblemError {
    constructor(detail: string, options?: ErrorOptions) {
      super(kind, detail, options);
    }
  };

/** A query or path parameter is missing, malformed or out of range. */
export class InvalidParameterError extends HttpProblemError {
  readonly errors: readonly ParameterError[];

  constructor(errors: readonly ParameterError[], options?: ErrorOptions) {
    super(
      {
        name: 'InvalidParameterError',
        status: 400,
        title: 'Invalid request parameter',
        type: PROBLEM_TYPES.invalidParameter,
      },
      errors.map((e) => `${e.parameter}: ${e.message}`).join('; '),
      options,
    );
    this.errors = errors;
  }

  override toProblem(): ProblemDetails {
    return { ...super.toProblem(), errors: this.errors };
  }
}

/**
 * A pagination cursor was tampered with, truncated, signed with another key, or is being replayed
 * with filters other than the ones it was issued for. The message never echoes the cursor.
 */
export class InvalidCursorError extends problem({
  name: 'InvalidCursorError',
  status: 400,
  title: 'Invalid cursor',
  type: PROBLEM_TYPES.invalidCursor,
}) {}

/** No resource at this path: an unknown route or a document that does not exist. */
export class NotFoundError extends problem({ name: 'NotFoundError', status: 404, title: 'Not Found' }) {}

/** The document exists but has no extracted text (rejected, failed, in progress, or a picture without text). */
export class TextUnavailableError extends problem({
  name: 'TextUnavailableError',
  status: 404,
  title: 'Text not available',
  type: PROBLEM_TYPES.textUnavailable,
}) {}

/** The document was deleted from the uploads bucket, and with it everything derived from it. */
export class DocumentDeletedError extends problem({
  name: 'DocumentDeletedError',
  status: 410,
  title: 'Document deleted',
  type: PROBLEM_TYPES.documentDeleted,
}) {}

/** The document's state does not allow the request now (it is being processed, or cannot be run again). */
export class ConflictError extends HttpProblemError {
  constructor(
    type: typeof PROBLEM_TYPES.documentInFlight | typeof PROBLEM_TYPES.notReprocessable,
    detail: string,
    options?: ErrorOptions,
  ) {
    const title =
      type === PROBLEM_TYPES.documentInFlight ? 'Document being processed' : 'Document cannot be reprocessed';
    super({ name: 'ConflictError', status: 409, title, type }, detail, options);
  }
}

/** The request body is not in a media type the route reads (every body is `application/json`). */
export class UnsupportedMediaTypeError extends problem({
  name: 'UnsupportedMediaTypeError',
  status: 415,
  title: 'Unsupported Media Type',
  headers: { 'accept-post': 'application/json' },
}) {}

/** The path exists but not for this method. */
export class MethodNotAllowedError extends HttpProblemError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(
      {
        name: 'MethodNotAllowedError',
        status: 405,
        title: 'Method Not Allowed',
        headers: { allow: allowed.join(', ') },
      },
      `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
    );
  }
}

/** The body of the 500 response: deliberately says nothing about the cause. */
export const internalErrorProblem = (requestId: string): ProblemDetails => ({
  type: PROBLEM_TYPES.blank,
  title: 'Internal Server Error',
  status: 500,
  detail: `The request could not be completed. Request id: ${requestId}`,
});
