/**
 * A Task failure as Step Functions reports it: `name` is the error (what `ErrorEquals` matches) and
 * `message` is the cause (what a Catch puts in `Cause`). aws-local-stepfunctions builds the Catch
 * output from exactly these two fields.
 */
export class TaskFailedError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * Errors that no Retry or Catch can handle, like AWS's `States.DataLimitExceeded` (not matched by
 * `States.ALL`). aws-local-stepfunctions reads `isRetryable`/`isCatchable` off the thrown error.
 */
export class UnhandleableTaskError extends TaskFailedError {
  get isRetryable(): boolean {
    return false;
  }

  get isCatchable(): boolean {
    return false;
  }
}
