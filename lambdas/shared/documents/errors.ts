/**
 * Typed errors. Each error's `name` is its class name, because the state machine decides
 * retry-or-fail by that name (Lambda reports it as `errorType`). Handlers never swallow them.
 */

/** Why an input was rejected. Stored on the REJECTED item and returned by the API. */
export type RejectionReason =
  | 'EMPTY'
  | 'UNSUPPORTED_TYPE'
  | 'CORRUPT'
  | 'ENCRYPTED'
  | 'TOO_LARGE'
  | 'NOT_FOUND';

/** Rejection error name → reason code. The ASL catches exactly these names and never retries them. */
export const REJECTION_REASON_BY_ERROR = {
  EmptyDocumentError: 'EMPTY',
  UnsupportedDocumentError: 'UNSUPPORTED_TYPE',
  CorruptDocumentError: 'CORRUPT',
  EncryptedDocumentError: 'ENCRYPTED',
  DocumentTooLargeError: 'TOO_LARGE',
  DocumentNotFoundError: 'NOT_FOUND',
} as const satisfies Record<string, RejectionReason>;

export type RejectionErrorName = keyof typeof REJECTION_REASON_BY_ERROR;

export const REJECTION_ERROR_NAMES = Object.keys(REJECTION_REASON_BY_ERROR) as RejectionErrorName[];

/** The reason code for a rejection error name, or undefined when the name is not a rejection. */
export const reasonForErrorName = (name: string): RejectionReason | undefined =>
  Object.hasOwn(REJECTION_REASON_BY_ERROR, name)
    ? REJECTION_REASON_BY_ERROR[name as RejectionErrorName]
    : undefined;

/**
 * The input itself is unusable: the ASL catches these by name and records REJECTED.
 * The message starts with the reason code, so it survives the trip through a Catch `Cause`.
 */
export abstract class DocumentRejectedError extends Error {
  readonly reason: RejectionReason;

  protected constructor(name: RejectionErrorName, detail: string, options?: ErrorOptions) {
    const reason = REJECTION_REASON_BY_ERROR[name];
    super(`${reason}: ${detail}`, options);
    this.name = name;
    this.reason = reason;
  }
}

/**
 * A rejection class named `name`: the rejections differ in nothing else. The name is a literal, not
 * `new.target.name`, because the bundles are minified and would rename the class.
 */
const rejection = (name: RejectionErrorName) =>
  class extends DocumentRejectedError {
    constructor(detail: string, options?: ErrorOptions) {
      super(name, detail, options);
    }
  };

/** An `Error` class named `name` (a literal, for the same reason as {@link rejection}). */
const namedError = (name: string) =>
  class extends Error {
    constructor(message: string, options?: ErrorOptions) {
      super(message, options);
      this.name = name;
    }
  };

/** The object has no bytes. */
export class EmptyDocumentError extends rejection('EmptyDocumentError') {
  constructor(detail = 'the object is empty (0 bytes)', options?: ErrorOptions) {
    super(detail, options);
  }
}

/** The bytes are of a kind docflow does not process. */
export class UnsupportedDocumentError extends rejection('UnsupportedDocumentError') {}

/** The bytes claim a supported kind but cannot be parsed (truncated, malformed, hostile). */
export class CorruptDocumentError extends rejection('CorruptDocumentError') {}

/** The document is password-protected or otherwise encrypted. */
export class EncryptedDocumentError extends rejection('EncryptedDocumentError') {}

/** The document exceeds a configured limit (bytes, pixels, pages) or a processing budget. */
export class DocumentTooLargeError extends rejection('DocumentTooLargeError') {}

/** The object version is gone (deleted before it was processed): retrying cannot bring it back. */
export class DocumentNotFoundError extends rejection('DocumentNotFoundError') {}

/** Textract throttled or hit a concurrency limit. Transient: the ASL retries it with backoff. */
export class TextractThrottledError extends namedError('TextractThrottledError') {}

/**
 * An asynchronous Textract job ended FAILED (or ERROR) for a reason that says nothing against the
 * document, or its results could not be read any more. Transient: the ASL's `States.ALL` retrier starts
 * a new job, and after its retries the document is recorded FAILED.
 */
export class TextractJobFailedError extends namedError('TextractJobFailedError') {}

/** Parses the reason code back out of a rejection message (`"CORRUPT: truncated JPEG"`). */
export const parseRejectionMessage = (message: string): { reason?: RejectionReason; detail: string } => {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(message);
  const reasons = Object.values(REJECTION_REASON_BY_ERROR) as string[];
  if (match?.[1] && match[2] !== undefined && reasons.includes(match[1])) {
    return { reason: match[1] as RejectionReason, detail: match[2] };
  }
  return { detail: message };
};

/**
 * An ingest message that is not an S3 event notification (not JSON, wrong shape, undecodable key).
 * The starter fails the message instead of dropping it, so SQS redrive moves it to the ingest DLQ
 * after maxReceiveCount receives, where an operator can read it.
 */
export class MalformedNotificationError extends namedError('MalformedNotificationError') {}

/**
 * RecordRejected received a caught error that is not a rejection: a wiring bug in the state machine.
 * Recording it as REJECTED would hide a system fault behind a verdict on the input and skip the DLQ,
 * so the index-metadata function throws this instead, and the state's Catch records FAILED.
 */
export class NotARejectionError extends namedError('NotARejectionError') {}
