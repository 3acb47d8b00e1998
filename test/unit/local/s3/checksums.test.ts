import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyDigestError, decodeAwsChunked } from '../../../../local/s3/checksums';

const body = Buffer.from('Hello, aws-chunked world');
/** "Hello, aws-chunked world" in two chunks, then one trailer. */
const encoded = (trailer: string): Buffer =>
  Buffer.from(`5;chunk-signature=abc\r\nHello\r\n13\r\n, aws-chunked world\r\n0\r\n${trailer}\r\n\r\n`);
const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('base64');

describe('decodeAwsChunked', () => {
  it('joins the chunks, ignores chunk signatures, and reads the trailers', () => {
    // Act
    const decoded = decodeAwsChunked(encoded('X-Amz-Checksum-CRC32: VPNeAA=='));

    // Assess
    expect(decoded?.body.toString()).toBe(body.toString());
    expect(decoded?.trailers).toEqual({ 'x-amz-checksum-crc32': 'VPNeAA==' });
  });

  it.each([
    ['a size that is not hex', 'zz\r\nHello\r\n0\r\n\r\n'],
    ['a chunk shorter than its size', '9\r\nHello\r\n0\r\n\r\n'],
    ['no terminating chunk', '5\r\nHello\r\n'],
  ])('refuses %s', (_, raw) => {
    // Act, Assess
    expect(decodeAwsChunked(Buffer.from(raw))).toBeUndefined();
  });
});

describe('bodyDigestError', () => {
  const chunked = (trailer: string, decodedLength = body.length) => ({
    headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(decodedLength) },
    raw: encoded(trailer),
  });

  it('accepts a body that matches its checksum header, its trailer, or declares none', () => {
    // Prepare
    const good = chunked(`x-amz-checksum-sha1:${sha1(body)}`);

    // Act, Assess
    expect(bodyDigestError({ 'x-amz-checksum-sha1': sha1(body) }, body)).toBeUndefined();
    expect(bodyDigestError(good.headers, good.raw)).toBeUndefined();
    expect(bodyDigestError({}, body)).toBeUndefined();
  });

  it('answers BadDigest to a checksum of other bytes, in a header or a trailer', () => {
    // Prepare
    const other = sha1(Buffer.from('other'));
    const bad = chunked(`x-amz-checksum-sha1:${other}`);

    // Act, Assess
    expect(bodyDigestError({ 'x-amz-checksum-sha1': other }, body)).toMatchObject({
      code: 'BadDigest',
      message: 'The SHA1 you specified did not match the calculated checksum.',
    });
    expect(bodyDigestError(bad.headers, bad.raw)?.code).toBe('BadDigest');
  });

  it('answers IncompleteBody to broken framing or a decoded length other than declared', () => {
    // Prepare
    const short = chunked(`x-amz-checksum-sha1:${sha1(body)}`, body.length + 1);

    // Act, Assess
    expect(bodyDigestError(short.headers, short.raw)?.code).toBe('IncompleteBody');
    expect(bodyDigestError({ 'content-encoding': 'aws-chunked' }, body)?.code).toBe('IncompleteBody');
  });

  it('lets CRC32C and CRC64NVME through unverified: Node has no implementation of them', () => {
    // Act, Assess
    expect(bodyDigestError({ 'x-amz-checksum-crc32c': 'AAAAAA==' }, body)).toBeUndefined();
    expect(bodyDigestError({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }, body)).toBeUndefined();
  });
});
