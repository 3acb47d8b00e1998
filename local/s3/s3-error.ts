import { randomText } from '../random-text';
import { MalformedXmlError, parseXml, type XmlElement, xmlDocument } from './xml';

/** An S3 error answer (`<Error><Code>…`), thrown by the local S3 additions and written by the front. */
export class S3ServiceError extends Error {
  override readonly name = 'S3ServiceError';
  constructor(
    /** S3's error code (`InvalidArgument`, `MalformedXML`, `NoSuchBucket`, …); SDKs surface it as the error name. */
    readonly code: string,
    message: string,
    readonly status = 400,
    /** For `InvalidArgument`: which part of the request was wrong, as S3 reports it. */
    readonly argument?: { readonly name: string; readonly value: string },
    /** Further elements S3 adds for this code, in order (`ProposedSize`, `MaxSizeAllowed`, …). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toXml(requestId: string, hostId: string): string {
    return xmlDocument('Error', {
      Code: this.code,
      Message: this.message,
      ...(this.argument ? { ArgumentName: this.argument.name, ArgumentValue: this.argument.value } : {}),
      ...this.details,
      RequestId: requestId,
      HostId: hostId,
    });
  }
}

/** S3 request ids are 16 uppercase hex digits. */
export const newRequestId = (): string => randomText(8, 'hex').toUpperCase();

/** S3's extended request id (`x-amz-id-2`): an opaque base64 token. */
export const newHostId = (): string => randomText(48, 'base64');

/** S3's answer to a request body that is not the XML document it expects. */
export const malformedXml = (): S3ServiceError =>
  new S3ServiceError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** The root of a request's XML document, which must be named `rootName`; else S3's `MalformedXML`. */
export const parseRequestXml = (body: string, rootName: string): XmlElement => {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (error) {
    if (error instanceof MalformedXmlError) throw malformedXml();
    throw error;
  }
  if (root.name !== rootName) throw malformedXml();
  return root;
};
