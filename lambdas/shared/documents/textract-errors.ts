import {
  CorruptDocumentError,
  DocumentNotFoundError,
  DocumentTooLargeError,
  EncryptedDocumentError,
  TextractJobFailedError,
  TextractThrottledError,
  UnsupportedDocumentError,
} from './errors';

/** Textract's answers to "too much, too fast": transient, retried by the ASL with backoff. */
export const TEXTRACT_THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  // Too many asynchronous jobs in progress: a quota, so waiting helps.
  'LimitExceededException',
]);

/**
 * The Powertools metric (Count) extract-text adds when a Textract call still ends in one of
 * {@link TEXTRACT_THROTTLING_ERRORS} after the SDK's retries; the stack's throttling alarm watches it.
 */
export const TEXTRACT_THROTTLED_METRIC = 'TextractThrottled';

/** Textract's verdicts on the input: the document itself is unusable, so these are never retried. */
const REJECTIONS: Readonly<Record<string, (detail: string, cause: unknown) => Error>> = {
  BadDocumentException: (detail, cause) =>
    new CorruptDocumentError(`Textract cannot read the document: ${detail}`, { cause }),
  UnsupportedDocumentException: (detail, cause) =>
    new UnsupportedDocumentError(`Textract does not support the document: ${detail}`, { cause }),
  DocumentTooLargeException: (detail, cause) =>
    new DocumentTooLargeError(`the document is over Textract's limits: ${detail}`, { cause }),
  // Textract's "cannot get the object": the version is gone (S3 permissions are a deployment fault the
  // integration tests and the IAM grants cover; treating it as retryable would only delay the verdict).
  InvalidS3ObjectException: (detail, cause) =>
    new DocumentNotFoundError(`Textract cannot read the object: ${detail}`, { cause }),
};

/**
 * Maps an error from a Textract call to docflow's typed errors: throttling and quota errors become
 * {@link TextractThrottledError}, document verdicts become rejections, and everything else (a 500, an
 * access error, a network failure) is returned unchanged for the ASL's generic retry.
 */
export const mapTextractError = (error: unknown): unknown => {
  if (!(error instanceof Error)) return error;
  if (TEXTRACT_THROTTLING_ERRORS.has(error.name)) {
    return new TextractThrottledError(`${error.name}: ${error.message}`, { cause: error });
  }
  const rejection = REJECTIONS[error.name];
  return rejection ? rejection(error.message, error) : error;
};

/**
 * What a FAILED job's `StatusMessage` says, as a typed error. Textract does not document the messages;
 * they name the exception or describe it in words, so both are matched. A message that says nothing
 * against the document is a {@link TextractJobFailedError}: transient, so the ASL starts a new job.
 */
const FAILED_JOB_VERDICTS: readonly {
  readonly pattern: RegExp;
  readonly error: (detail: string) => Error;
}[] = [
  {
    pattern: /password|encrypted/i,
    error: (detail) => new EncryptedDocumentError(`Textract cannot read the document: ${detail}`),
  },
  {
    pattern: /UnsupportedDocument|unsupported (document|format|file)/i,
    error: (detail) => new UnsupportedDocumentError(`Textract does not support the document: ${detail}`),
  },
  {
    pattern: /DocumentTooLarge|too large|too many pages|exceeds? (the )?(maximum|limit)/i,
    error: (detail) => new DocumentTooLargeError(`the document is over Textract's limits: ${detail}`),
  },
  {
    pattern:
      /BadDocument|unable to (read|process) the document|invalid (image|document|pdf)|corrupt|damaged/i,
    error: (detail) => new CorruptDocumentError(`Textract cannot read the document: ${detail}`),
  },
  {
    pattern: /InvalidS3Object|unable to get object/i,
    error: (detail) => new DocumentNotFoundError(`Textract cannot read the object: ${detail}`),
  },
];

/**
 * The error a failed asynchronous job ends its task with. `status` is the job's (`FAILED`) or the
 * notification's (`ERROR`: Textract itself failed, never the document's fault).
 */
export const failedJobError = (status: string, statusMessage: string | undefined): Error => {
  const detail = statusMessage?.trim() || 'no status message';
  if (status === 'FAILED') {
    const verdict = FAILED_JOB_VERDICTS.find(({ pattern }) => pattern.test(detail));
    if (verdict) return verdict.error(detail);
  }
  return new TextractJobFailedError(`the Textract job ended ${status}: ${detail}`);
};
