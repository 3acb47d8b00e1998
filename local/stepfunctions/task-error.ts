/**
 * A Task failure as Step Functions reports it: `name` is the error (what `ErrorEquals` matches) and
 * `message` is the cause (what a Catch puts in `Cause`). aws-local-stepfunctions builds the Catch
 * output from exactly these two fields.
 */
export class TaskFailedError extends Error {
  /**
   * The HTTP status of the failed call, when the service answered one (a function error has none:
   * Lambda answers 200 with `X-Amz-Function-Error`). The X-Ray attempt subsegment reads it to say
   * error (4xx), throttle (429) or fault.
   */
  readonly httpStatus: number | undefined;

  constructor(error: string, cause: string, httpStatus?: number) {
    super(cause);
    this.name = error;
    this.httpStatus = httpStatus;
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
