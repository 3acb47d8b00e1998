/**
 * A call a local AWS service refuses. `name` is the error type the SDK maps to its modeled exception
 * class (the `__type` of an AWS JSON body, the `x-amzn-errortype` header of REST-JSON); `status` is the
 * HTTP status. Each service names its own subclass, so a handler tells its errors from anything else
 * that escapes an operation (a bug, answered with a 500).
 */
export class AwsApiError<Name extends string = string> extends Error {
  constructor(
    override readonly name: Name,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
