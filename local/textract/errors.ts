/**
 * Textract's error names, as the AWS JSON 1.1 protocol carries them in `__type`. The SDK turns each
 * into its typed exception class (`UnsupportedDocumentException`, …) by that name alone.
 */
export type TextractErrorName =
  | 'AccessDeniedException'
  | 'BadDocumentException'
  | 'DocumentTooLargeException'
  | 'IdempotentParameterMismatchException'
  | 'InternalServerError'
  | 'InvalidJobIdException'
  | 'InvalidParameterException'
  | 'InvalidS3ObjectException'
  | 'LimitExceededException'
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'UnsupportedDocumentException'
  | 'SerializationException'
  | 'UnknownOperationException';

/** Errors the service can be told to inject (see `TextractFaults`): the throttling family and a 500. */
export type InjectableErrorName = Extract<
  TextractErrorName,
  | 'ProvisionedThroughputExceededException'
  | 'ThrottlingException'
  | 'LimitExceededException'
  | 'InternalServerError'
>;

/** A Textract error response: `name` is the wire `__type`, `statusCode` the HTTP status. */
export class TextractError extends Error {
  override readonly name: TextractErrorName;
  readonly statusCode: number;

  constructor(name: TextractErrorName, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
    this.statusCode = name === 'InternalServerError' ? 500 : 400;
  }
}

/** AWS's own wording where it is known, so logs read the same locally and in the cloud. */
export const textractErrors = {
  invalidParameter: (detail: string): TextractError =>
    new TextractError('InvalidParameterException', `Request has invalid parameters: ${detail}`),
  unsupportedDocument: (detail: string): TextractError =>
    new TextractError('UnsupportedDocumentException', `Request has unsupported document format: ${detail}`),
  badDocument: (detail: string, cause?: unknown): TextractError =>
    new TextractError('BadDocumentException', `Unable to read the document: ${detail}`, { cause }),
  tooLarge: (detail: string): TextractError => new TextractError('DocumentTooLargeException', detail),
  invalidS3Object: (cause?: unknown): TextractError =>
    new TextractError(
      'InvalidS3ObjectException',
      'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
      { cause },
    ),
  invalidJobId: (): TextractError => new TextractError('InvalidJobIdException', 'Request has invalid Job Id'),
} as const;
