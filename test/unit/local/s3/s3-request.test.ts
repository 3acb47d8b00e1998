import { describe, expect, it } from 'vitest';
import { accessKeyIdOf, classifyS3Request } from '../../../../local/s3/s3-request';

const pathStyle = { host: '127.0.0.1:4566' };

describe('classifyS3Request', () => {
  it.each([
    ['GET', '/bkt?notification', {}, { kind: 'get-notification', bucket: 'bkt' }],
    ['PUT', '/bkt/?notification=', {}, { kind: 'put-notification', bucket: 'bkt' }],
    [
      'PUT',
      '/bkt/incoming/red%20flower%2B1.jpg?x-id=PutObject',
      {},
      { kind: 'put-object', bucket: 'bkt', key: 'incoming/red flower+1.jpg' },
    ],
    [
      'PUT',
      '/bkt/a.txt',
      { 'x-amz-copy-source': '/bkt/b.txt' },
      { kind: 'copy-object', bucket: 'bkt', key: 'a.txt' },
    ],
    [
      'POST',
      '/bkt/a.txt?uploadId=u1',
      {},
      { kind: 'complete-multipart-upload', bucket: 'bkt', key: 'a.txt' },
    ],
    [
      'POST',
      '/bkt',
      { 'content-type': 'multipart/form-data; boundary=x' },
      { kind: 'post-object', bucket: 'bkt' },
    ],
    ['POST', '/bkt?delete', { 'content-type': 'application/xml' }, { kind: 'delete-objects', bucket: 'bkt' }],
    [
      'DELETE',
      '/bkt/a%F0%9F%98%80.txt?x-id=DeleteObject',
      {},
      { kind: 'delete-object', bucket: 'bkt', key: 'a😀.txt' },
    ],
    ['DELETE', '/bkt', {}, { kind: 'delete-bucket', bucket: 'bkt' }],
  ])('%s %s is %o', (method, url, headers, expected) => {
    // Act
    const request = classifyS3Request(method, url, { ...pathStyle, ...headers });

    // Assess
    expect(request).toEqual(expected);
  });

  it.each([
    ['PUT', '/bkt/a.txt?partNumber=1&uploadId=u1'],
    ['PUT', '/bkt/a.txt?partNumber=2&uploadId=u1'],
    ['PUT', '/bkt/a.txt?tagging'],
    ['DELETE', '/bkt/a.txt?uploadId=u1'],
    ['DELETE', '/bkt/a.txt?tagging'],
    ['DELETE', '/bkt?lifecycle'],
    ['POST', '/bkt/a.txt?uploads'],
    ['GET', '/bkt/a.txt'],
    ['PUT', '/bkt'],
    ['GET', '/'],
  ])('passes %s %s through', (method, url) => {
    // Act
    const request = classifyS3Request(method, url, pathStyle);

    // Assess
    expect(request).toEqual({ kind: 'other' });
  });

  it('treats a presigned PUT as a PutObject', () => {
    // Act
    const request = classifyS3Request(
      'PUT',
      '/bkt/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Signature=0&x-id=PutObject',
      pathStyle,
    );

    // Assess
    expect(request).toEqual({ kind: 'put-object', bucket: 'bkt', key: 'k.txt' });
  });

  it('reads the bucket of a virtual-hosted request from Host', () => {
    // Act
    const request = classifyS3Request('PUT', '/incoming/a.txt', { host: 'uploads.localhost:4566' });

    // Assess
    expect(request).toEqual({ kind: 'put-object', bucket: 'uploads', key: 'incoming/a.txt' });
  });
});

describe('accessKeyIdOf', () => {
  it('reads the access key from a SigV4 header, a presigned URL or SigV2', () => {
    // Act
    const keys = [
      accessKeyIdOf('/', {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDV4/20260101/us-east-1/s3/aws4_request, X',
      }),
      accessKeyIdOf('/b/k?X-Amz-Credential=AKIDQ%2F20260101%2Fus-east-1%2Fs3%2Faws4_request', {}),
      accessKeyIdOf('/', { authorization: 'AWS AKIDV2:sig' }),
      accessKeyIdOf('/', {}),
    ];

    // Assess
    expect(keys).toEqual(['AKIDV4', 'AKIDQ', 'AKIDV2', undefined]);
  });
});
