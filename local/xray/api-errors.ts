import { AwsApiError } from '../http/aws-api-error';

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

/** A refused X-Ray request. */
export class XRayApiError extends AwsApiError<XRayErrorName> {}

export const invalidRequest = (message: string): XRayApiError =>
  new XRayApiError('InvalidRequestException', message);
