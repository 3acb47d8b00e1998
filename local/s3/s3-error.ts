import { randomBytes } from 'node:crypto';
import { escapeXml } from './xml';

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
    const argument = this.argument
      ? `<ArgumentName>${escapeXml(this.argument.name)}</ArgumentName><ArgumentValue>${escapeXml(this.argument.value)}</ArgumentValue>`
      : '';
    const details = Object.entries(this.details)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(this.code)}</Code><Message>${escapeXml(this.message)}</Message>${argument}${details}<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`;
  }
}

/** S3 request ids are 16 uppercase hex digits. */
export const newRequestId = (): string => randomBytes(8).toString('hex').toUpperCase();

/** S3's extended request id (`x-amz-id-2`): an opaque base64 token. */
export const newHostId = (): string => randomBytes(48).toString('base64');
