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

/** Base class of the errors that map to a problem response. */
export abstract class HttpProblemError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly type: string = PROBLEM_TYPES.blank;
  /** Extra response headers (`Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>> = {};

  toProblem(): ProblemDetails {
    return { type: this.type, title: this.title, status: this.status, detail: this.message };
  }
}

/** A query or path parameter is missing, malformed or out of range. */
export class InvalidParameterError extends HttpProblemError {
  readonly status = 400;
  readonly title = 'Invalid request parameter';
  override readonly type: string = PROBLEM_TYPES.invalidParameter;
  readonly errors: readonly ParameterError[];

  constructor(errors: readonly ParameterError[], options?: ErrorOptions) {
    super(errors.map((e) => `${e.parameter}: ${e.message}`).join('; '), options);
    this.name = 'InvalidParameterError';
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
export class InvalidCursorError extends HttpProblemError {
  readonly status = 400;
  readonly title = 'Invalid cursor';
  override readonly type: string = PROBLEM_TYPES.invalidCursor;

  constructor(detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = 'InvalidCursorError';
  }
}

/** No resource at this path: an unknown route or a document that does not exist. */
export class NotFoundError extends HttpProblemError {
  readonly status = 404;
  readonly title: string = 'Not Found';

  constructor(detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = 'NotFoundError';
  }
}

/** The document exists but has no extracted text (rejected, failed, in progress, or a picture without text). */
export class TextUnavailableError extends NotFoundError {
  override readonly title = 'Text not available';
  override readonly type: string = PROBLEM_TYPES.textUnavailable;

  constructor(detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = 'TextUnavailableError';
  }
}

/** The document was deleted from the uploads bucket, and with it everything derived from it. */
export class DocumentDeletedError extends HttpProblemError {
  readonly status = 410;
  readonly title = 'Document deleted';
  override readonly type: string = PROBLEM_TYPES.documentDeleted;

  constructor(detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = 'DocumentDeletedError';
  }
}

/** The document's state does not allow the request now (it is being processed, or cannot be run again). */
export class ConflictError extends HttpProblemError {
  readonly status = 409;
  readonly title: string;
  override readonly type: string;

  constructor(
    type: typeof PROBLEM_TYPES.documentInFlight | typeof PROBLEM_TYPES.notReprocessable,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = 'ConflictError';
    this.type = type;
    this.title =
      type === PROBLEM_TYPES.documentInFlight ? 'Document being processed' : 'Document cannot be reprocessed';
  }
}

/** The request body is not in a media type the route reads (every body is `application/json`). */
export class UnsupportedMediaTypeError extends HttpProblemError {
  readonly status = 415;
  readonly title = 'Unsupported Media Type';
  override readonly headers: Readonly<Record<string, string>> = { 'accept-post': 'application/json' };

  constructor(detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The path exists but not for this method. */
export class MethodNotAllowedError extends HttpProblemError {
  readonly status = 405;
  readonly title = 'Method Not Allowed';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
    this.name = 'MethodNotAllowedError';
    this.headers = { allow: allowed.join(', ') };
  }
}

/** The body of the 500 response: deliberately says nothing about the cause. */
export const internalErrorProblem = (requestId: string): ProblemDetails => ({
  type: PROBLEM_TYPES.blank,
  title: 'Internal Server Error',
  status: 500,
  detail: `The request could not be completed. Request id: ${requestId}`,
});
