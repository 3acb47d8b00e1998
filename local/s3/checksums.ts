import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { S3ServiceError } from './s3-error';

/** An aws-chunked body taken apart: the object's bytes and the trailing headers (checksums). */
export interface AwsChunkedBody {
  readonly body: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
}

const CRLF = Buffer.from('\r\n');

/**
 * Decodes `aws-chunked` content encoding (`<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n`,
 * then trailing headers and an empty line), as the SDKs send a streamed body with a trailing
 * checksum. Undefined when the framing is broken.
 */
export const decodeAwsChunked = (raw: Buffer): AwsChunkedBody | undefined => {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf(CRLF, offset);
    if (lineEnd < 0) return undefined;
    const sizeText = raw.toString('latin1', offset, lineEnd).split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return undefined;
    const size = Number.parseInt(sizeText, 16);
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size + 2 > raw.length || !raw.subarray(offset + size, offset + size + 2).equals(CRLF)) {
      return undefined;
    }
    chunks.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.toString('latin1', offset).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
};

/**
 * The algorithms verified here, by the header that carries the value (base64 of the big-endian
 * digest). CRC32C and CRC64NVME have no implementation in Node itself and pass unverified.
 */
const DIGESTS: Readonly<Record<string, { readonly name: string; readonly of: (body: Buffer) => Buffer }>> = {
  'x-amz-checksum-crc32': {
    name: 'CRC32',
    of: (body) => {
      const digest = Buffer.alloc(4);
      digest.writeUInt32BE(crc32(body) >>> 0);
      return digest;
    },
  },
  'x-amz-checksum-sha1': { name: 'SHA1', of: (body) => createHash('sha1').update(body).digest() },
  'x-amz-checksum-sha256': { name: 'SHA256', of: (body) => createHash('sha256').update(body).digest() },
};

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

const incompleteBody = (): S3ServiceError =>
  new S3ServiceError('IncompleteBody', 'The request body terminated unexpectedly');

/**
 * What S3 answers when an object body does not match what its request declares: `BadDigest` for a
 * Content-MD5 or flexible checksum (header, or trailer of an aws-chunked body) that is not the body's,
 * `IncompleteBody` for aws-chunked framing that is broken or decodes to another length than
 * `x-amz-decoded-content-length`. Undefined when everything declared holds.
 */
export const bodyDigestError = (headers: IncomingHttpHeaders, raw: Buffer): S3ServiceError | undefined => {
  let body = raw;
  let declared: Readonly<Record<string, string | string[] | undefined>> = headers;
  if ((single(headers['content-encoding']) ?? '').includes('aws-chunked')) {
    const decoded = decodeAwsChunked(raw);
    if (!decoded) return incompleteBody();
    const decodedLength = single(headers['x-amz-decoded-content-length']);
    if (decodedLength !== undefined && Number(decodedLength) !== decoded.body.length) return incompleteBody();
    body = decoded.body;
    declared = { ...headers, ...decoded.trailers };
  }
  const md5 = single(declared['content-md5']);
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
    return new S3ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  for (const [header, digest] of Object.entries(DIGESTS)) {
    const value = single(declared[header]);
    if (value !== undefined && digest.of(body).toString('base64') !== value) {
      return new S3ServiceError(
        'BadDigest',
        `The ${digest.name} you specified did not match the calculated checksum.`,
      );
    }
  }
  return undefined;
};
