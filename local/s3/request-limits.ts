import type { IncomingHttpHeaders } from 'node:http';
import { bodyDigestError } from './checksums';
import { newHostId, newRequestId, S3ServiceError } from './s3-error';

const MiB = 1024 * 1024;

/** S3's own limit for the body of one PutObject or UploadPart: 5 GiB. */
export const S3_MAX_UPLOAD_BYTES = 5 * 1024 * MiB;

/**
 * Largest body the local S3 takes in one request (PutObject, UploadPart, a browser POST upload).
 * S3 takes 5 GiB; locally the body is held in memory and stored as one SQLite value (at most 10⁹
 * bytes), so the local limit is lower: above Textract's 500 MB (the largest document any step of the
 * pipeline reads) and well inside what SQLite and the process's memory hold. Over it, the answer is
 * S3's `EntityTooLarge`, as S3 answers over 5 GiB.
 */
export const LOCAL_S3_MAX_BODY_BYTES = 512 * MiB;

/** The parts of a Fastify route's options this module reads and sets (fauxqs builds its S3 on Fastify 5). */
interface RouteOptions {
  method: string | string[];
  url: string;
  bodyLimit?: number;
  errorHandler?: ErrorHandler;
  onRequest?: RequestHook | RequestHook[];
  preHandler?: RequestHook | RequestHook[];
}

interface FastifyErrorLike {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message: string;
}

interface ReplyLike {
  readonly sent: boolean;
  status(code: number): ReplyLike;
  header(name: string, value: string | number): ReplyLike;
  send(payload?: string): ReplyLike;
}

interface RequestLike {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed body: the raw bytes on S3 routes (fauxqs parses every S3 body as a Buffer). */
  readonly body?: unknown;
}

type ErrorHandler = (error: FastifyErrorLike, request: RequestLike, reply: ReplyLike) => void;

type RequestHook = (request: RequestLike, reply: ReplyLike, done: () => void) => void;

/** The Fastify instance, as far as adding a route hook goes. */
export interface RouteHookTarget {
  addHook(name: 'onRoute', hook: (options: RouteOptions) => void): unknown;
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The size the client says it sends: the decoded length of an aws-chunked body, else Content-Length. */
const proposedSize = (headers: IncomingHttpHeaders): string | undefined =>
  single(headers['x-amz-decoded-content-length']) ?? single(headers['content-length']);

/** S3's answer to a body over the limit, with the sizes S3 reports. */
const entityTooLarge = (size: string | undefined, maxBodyBytes: number): S3ServiceError =>
  new S3ServiceError(
    'EntityTooLarge',
    `Your proposed upload exceeds the maximum allowed size (the local S3 takes at most ${maxBodyBytes} bytes in one request; upload larger objects in parts)`,
    400,
    undefined,
    { ...(size === undefined ? {} : { ProposedSize: size }), MaxSizeAllowed: String(maxBodyBytes) },
  );

/**
 * The raw body limit that lets a body of `maxBodyBytes` through in aws-chunked framing: each chunk
 * (at least 8 KiB, S3's minimum) adds its size line, an optional 64-digit signature and CRLFs, under
 * 1.1 %, plus the trailers.
 */
export const rawBodyLimit = (maxBodyBytes: number): number =>
  maxBodyBytes + Math.ceil(maxBodyBytes / 64) + 64 * 1024;

/**
 * S3's answer to a PUT or POST body it will not read: `MissingContentLength` when its size is not
 * declared at all (chunked transfer encoding with no `x-amz-decoded-content-length`: S3 needs the size
 * up front), `EntityTooLarge` when the declared size (the decoded one for aws-chunked, else
 * Content-Length) is over `maxBodyBytes`; undefined for every other request. Checked before any byte
 * is read, as S3 does, so the client gets the answer instead of a connection reset.
 */
export const bodySizeError = (
  method: string,
  headers: IncomingHttpHeaders,
  maxBodyBytes: number,
): S3ServiceError | undefined => {
  if (method !== 'PUT' && method !== 'POST') return undefined;
  const size = proposedSize(headers);
  if (size === undefined) {
    return headers['transfer-encoding'] === undefined
      ? undefined
      : new S3ServiceError('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
  }
  return Number(size) > maxBodyBytes ? entityTooLarge(size, maxBodyBytes) : undefined;
};

/**
 * The S3 error for a failure Fastify itself raised on an S3 route (fauxqs answers its own `S3Error`s):
 * a body over the limit is S3's `EntityTooLarge`; a body shorter than its Content-Length is
 * `IncompleteBody`; any other client error `InvalidRequest`, anything else `InternalError`.
 */
export const s3ErrorOf = (
  error: FastifyErrorLike,
  headers: IncomingHttpHeaders,
  maxBodyBytes: number,
): S3ServiceError => {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return entityTooLarge(proposedSize(headers), maxBodyBytes);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new S3ServiceError(
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header.',
      );
    default: {
      const status = error.statusCode ?? 500;
      return status >= 400 && status < 500
        ? new S3ServiceError('InvalidRequest', error.message, status)
        : new S3ServiceError('InternalError', `We encountered an internal error: ${error.message}`, 500);
    }
  }
};

/** fauxqs' S3 routes: everything under `/:bucket` (SQS and SNS are `POST /`, the rest is fauxqs' own). */
const isS3Route = (url: string): boolean => url === '/:bucket' || url.startsWith('/:bucket/');

const methodsOf = (method: string | string[]): string[] => (Array.isArray(method) ? method : [method]);

const hasBody = (method: string | string[]): boolean =>
  methodsOf(method).some((name) => name === 'PUT' || name === 'POST');

const appended = (hooks: RequestHook | RequestHook[] | undefined, hook: RequestHook): RequestHook[] => [
  ...[hooks ?? []].flat(),
  hook,
];

/**
 * Makes fauxqs' S3 routes take request bodies as large as `maxBodyBytes` (fauxqs fixes Fastify's limit
 * at 11 MiB for the whole server) and answer every failure on them as S3 does, with an XML `<Error>`:
 * SDKs cannot parse Fastify's JSON errors ("XML parse error: unexpected content"). Must run before
 * fauxqs adds its routes (see `fastify.initialization` in `local/emulators/fauxqs.ts`). A body of
 * undeclared or too large a size is refused before it is read ({@link bodySizeError}); Fastify's own
 * limit stays as a backstop, with room for aws-chunked framing. A PUT body that does not match its
 * declared Content-MD5 or checksum is refused before fauxqs stores it ({@link bodyDigestError}):
 * fauxqs itself stores whatever checksum it is told.
 */
export const applyS3RequestLimits = (app: RouteHookTarget, maxBodyBytes = LOCAL_S3_MAX_BODY_BYTES): void => {
  const send = (s3Error: S3ServiceError, method: string, reply: ReplyLike): void => {
    const requestId = newRequestId();
    const hostId = newHostId();
    reply
      .status(s3Error.status)
      .header('x-amz-request-id', requestId)
      .header('x-amz-id-2', hostId)
      .header('content-type', 'application/xml');
    // A HEAD answer has no body, in S3 as in HTTP.
    reply.send(method === 'HEAD' ? undefined : s3Error.toXml(requestId, hostId));
  };
  const errorHandler: ErrorHandler = (error, request, reply) => {
    if (!reply.sent) send(s3ErrorOf(error, request.headers, maxBodyBytes), request.method, reply);
  };
  const refuseUnreadable: RequestHook = (request, reply, done) => {
    const refused = bodySizeError(request.method, request.headers, maxBodyBytes);
    if (refused) send(refused, request.method, reply);
    else done();
  };
  // A PUT's checksums describe its body (a copy's describe the source, a completion's the whole object).
  const refuseCorrupt: RequestHook = (request, reply, done) => {
    const corrupt =
      request.method === 'PUT' &&
      request.headers['x-amz-copy-source'] === undefined &&
      Buffer.isBuffer(request.body)
        ? bodyDigestError(request.headers, request.body)
        : undefined;
    if (corrupt) send(corrupt, request.method, reply);
    else done();
  };
  app.addHook('onRoute', (options) => {
    if (!isS3Route(options.url)) return;
    if (hasBody(options.method)) {
      options.bodyLimit = rawBodyLimit(maxBodyBytes);
      options.onRequest = appended(options.onRequest, refuseUnreadable);
    }
    if (methodsOf(options.method).includes('PUT'))
      options.preHandler = appended(options.preHandler, refuseCorrupt);
    options.errorHandler = errorHandler;
  });
};
