import { describe, expect, it } from 'vitest';
import { bodySizeError, rawBodyLimit, s3ErrorOf } from '../../../../local/s3/request-limits';

const LIMIT = 1000;

describe('bodySizeError', () => {
  it('refuses a declared Content-Length over the limit with the sizes S3 reports', () => {
    // Act
    const error = bodySizeError('PUT', { 'content-length': '1001' }, LIMIT);

    // Assess
    expect(error).toMatchObject({
      code: 'EntityTooLarge',
      status: 400,
      details: { ProposedSize: '1001', MaxSizeAllowed: '1000' },
    });
    expect(error?.toXml('REQ', 'HOST')).toContain(
      '<ProposedSize>1001</ProposedSize><MaxSizeAllowed>1000</MaxSizeAllowed><RequestId>REQ</RequestId>',
    );
  });

  it('judges an aws-chunked body by its decoded length, not by its framing', () => {
    // Prepare
    const chunked = { 'content-encoding': 'aws-chunked', 'content-length': '1100' };

    // Act
    const within = bodySizeError('PUT', { ...chunked, 'x-amz-decoded-content-length': '1000' }, LIMIT);
    const over = bodySizeError('PUT', { ...chunked, 'x-amz-decoded-content-length': '1001' }, LIMIT);

    // Assess
    expect(within).toBeUndefined();
    expect(over?.code).toBe('EntityTooLarge');
  });

  it('asks for the size of a chunked body that declares none', () => {
    // Act
    const error = bodySizeError('PUT', { 'transfer-encoding': 'chunked' }, LIMIT);

    // Assess
    expect(error).toMatchObject({ code: 'MissingContentLength', status: 411 });
  });

  it.each([
    ['a GET', 'GET', { 'content-length': '5000' }],
    ['a body at the limit', 'PUT', { 'content-length': '1000' }],
    ['a PUT with no body', 'PUT', {}],
    ['a POST with a declared size', 'POST', { 'content-length': '10' }],
  ])('lets %s through', (_, method, headers) => {
    // Act, Assess
    expect(bodySizeError(method, headers, LIMIT)).toBeUndefined();
  });
});

describe('s3ErrorOf', () => {
  it.each([
    [{ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'x' }, 'EntityTooLarge', 400],
    [{ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400, message: 'x' }, 'IncompleteBody', 400],
    [{ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'x' }, 'InvalidRequest', 415],
    [{ message: 'string or blob too big' }, 'InternalError', 500],
  ])('names %o as S3 does', (error, code, status) => {
    // Act
    const s3Error = s3ErrorOf(error, {}, LIMIT);

    // Assess
    expect({ code: s3Error.code, status: s3Error.status }).toEqual({ code, status });
  });
});

describe('rawBodyLimit', () => {
  it('leaves room for aws-chunked framing of 8 KiB chunks with signatures', () => {
    // Prepare: each chunk is "<hex size>;chunk-signature=<64 hex>\r\n<data>\r\n".
    const body = 512 * 1024 * 1024;
    const chunks = Math.ceil(body / 8192);
    const framed = body + chunks * ('2000;chunk-signature='.length + 64 + 4) + 1024;

    // Act, Assess
    expect(rawBodyLimit(body)).toBeGreaterThanOrEqual(framed);
  });
});
