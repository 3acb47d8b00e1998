import type { IncomingHttpHeaders } from 'node:http';

/** The S3 requests the notification layer acts on; everything else passes through untouched. */
export type S3Request =
  | {
      readonly kind:
        | 'get-notification'
        | 'put-notification'
        | 'post-object'
        | 'delete-objects'
        | 'delete-bucket';
      readonly bucket: string;
    }
  | {
      readonly kind: 'put-object' | 'copy-object' | 'complete-multipart-upload' | 'delete-object';
      readonly bucket: string;
      /** The decoded object key. */
      readonly key: string;
    }
  | { readonly kind: 'other' };

const OTHER: S3Request = { kind: 'other' };

const header = (headers: IncomingHttpHeaders, name: string): string => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/**
 * The bucket named by a virtual-hosted request's Host (`bucket.localhost:4566`), by the same rule
 * fauxqs rewrites them with: a dotted host name that is not an IP address, on a request that is not
 * SQS (JSON 1.0) or SNS (form) traffic.
 */
const virtualHostBucket = (headers: IncomingHttpHeaders): string | undefined => {
  const hostname = header(headers, 'host').split(':')[0] ?? '';
  if (!hostname.includes('.') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname)) return undefined;
  const contentType = header(headers, 'content-type');
  if (contentType.includes('x-www-form-urlencoded') || contentType.includes('x-amz-json-1.0'))
    return undefined;
  return hostname.slice(0, hostname.indexOf('.'));
};

const splitPath = (
  pathname: string,
  headers: IncomingHttpHeaders,
): { bucket: string; key: string } | undefined => {
  const path = pathname.replace(/^\//, '');
  const hostBucket = virtualHostBucket(headers);
  const [bucket, rawKey] =
    hostBucket === undefined
      ? [
          path.slice(0, path.includes('/') ? path.indexOf('/') : path.length),
          path.includes('/') ? path.slice(path.indexOf('/') + 1) : '',
        ]
      : [hostBucket, path];
  if (!bucket) return undefined;
  try {
    return { bucket: decodeURIComponent(bucket), key: decodeURIComponent(rawKey) };
  } catch {
    return undefined;
  }
};

/** The bucket and decoded key a request names (path-style or virtual-hosted); undefined without a bucket. */
export const s3TargetOf = (
  url: string,
  headers: IncomingHttpHeaders,
): { readonly bucket: string; readonly key: string } | undefined =>
  splitPath(new URL(url, 'http://s3.local').pathname, headers);

/** Query parameters that sign or label a request rather than name a subresource (`?tagging`, `?acl`). */
const NOT_A_SUBRESOURCE = /^(x-id|x-amz-.*|awsaccesskeyid|signature|expires)$/i;

const hasSubresource = (query: URLSearchParams): boolean =>
  [...query.keys()].some((name) => !NOT_A_SUBRESOURCE.test(name));

/**
 * Tells which S3 operation a request is, from its method, path, query and headers — the same way
 * fauxqs (and S3) route them: `?notification` on a bucket, PutObject vs. UploadPart vs. CopyObject,
 * CompleteMultipartUpload (`POST ?uploadId`), browser POST uploads, DeleteObject(s), DeleteBucket.
 */
export const classifyS3Request = (method: string, url: string, headers: IncomingHttpHeaders): S3Request => {
  const { pathname, searchParams: query } = new URL(url, 'http://s3.local');
  const target = splitPath(pathname, headers);
  if (!target) return OTHER;
  const { bucket, key } = target;
  if (!key) {
    if (query.has('notification')) {
      if (method === 'GET') return { kind: 'get-notification', bucket };
      if (method === 'PUT') return { kind: 'put-notification', bucket };
      return OTHER;
    }
    if (method === 'POST') {
      if (header(headers, 'content-type').toLowerCase().includes('multipart/form-data')) {
        return { kind: 'post-object', bucket };
      }
      return query.has('delete') ? { kind: 'delete-objects', bucket } : OTHER;
    }
    // fauxqs deletes the bucket on any bucket-level DELETE but the lifecycle one.
    if (method === 'DELETE' && !query.has('lifecycle')) return { kind: 'delete-bucket', bucket };
    return OTHER;
  }
  const uploadId = query.get('uploadId');
  if (method === 'PUT') {
    if (uploadId || query.has('partNumber') || query.has('renameObject')) return OTHER;
    if (hasSubresource(query)) return OTHER;
    return header(headers, 'x-amz-copy-source')
      ? { kind: 'copy-object', bucket, key }
      : { kind: 'put-object', bucket, key };
  }
  if (method === 'POST' && uploadId) return { kind: 'complete-multipart-upload', bucket, key };
  if (method === 'DELETE' && !hasSubresource(query)) return { kind: 'delete-object', bucket, key };
  return OTHER;
};

/** The access key id a request was signed with (header or presigned query), if any. */
export const accessKeyIdOf = (url: string, headers: IncomingHttpHeaders): string | undefined => {
  const authorization = header(headers, 'authorization');
  const fromHeader =
    /Credential=([^/,\s]+)\//.exec(authorization)?.[1] ?? /^AWS ([^:\s]+):/.exec(authorization)?.[1];
  if (fromHeader) return fromHeader;
  const query = new URL(url, 'http://s3.local').searchParams;
  return query.get('X-Amz-Credential')?.split('/')[0] ?? query.get('AWSAccessKeyId') ?? undefined;
};
