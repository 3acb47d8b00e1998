/**
 * The error names the local X-Ray answers with. `@aws-sdk/client-xray` maps the `x-amzn-errortype`
 * header of a REST-JSON error to its modeled exception class by this name.
 */
export type XRayErrorName =
  | 'InvalidRequestException'
  | 'ThrottledException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'NotImplemented'
  | 'InternalFailure';

/** A refused request: `name` is what the client sees as the error's type. */
export class XRayApiError extends Error {
  override readonly name: XRayErrorName;
  readonly statusCode: number;

  constructor(name: XRayErrorName, message: string, statusCode = 400) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

export const invalidRequest = (message: string): XRayApiError =>
  new XRayApiError('InvalidRequestException', message);
