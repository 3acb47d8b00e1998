import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { finished, type Readable, type Writable } from 'node:stream';

/** A node:http request handler: what every local service exposes so the gateway can mount it. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Connection-level headers (RFC 9110 §7.6.1) belong to one hop, not to the message: forwarding them
 * would, for example, keep a socket open the proxy means to close. `transfer-encoding` is left to Node,
 * which chunks a body of unknown length by itself; `expect: 100-continue` was already answered by this
 * hop's server.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The end-to-end headers of a message, for forwarding it one hop further. */
export const endToEndHeaders = (headers: IncomingHttpHeaders): OutgoingHttpHeaders => {
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  return result;
};

/** What an upstream server answered, body fully read. */
export interface UpstreamReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request to send upstream. `url` is the path and query, as the client sent them. */
export interface UpstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: OutgoingHttpHeaders;
  /** A buffer, a stream to pipe (e.g. the client's request), or nothing. */
  readonly body?: Buffer | Readable;
}

/**
 * Pipes `source` into `destination`; settles when the destination has finished, or rejects when
 * either stream fails or closes early, destroying both. What `stream.pipeline` does, without the
 * AbortController it creates and aborts per call: building that abort's DOMException was 2 % of the
 * gateway's loop in a burst, two per proxied request (decisions 45).
 */
const pipeTo = (source: Readable, destination: Writable): Promise<void> =>
  new Promise((resolve, reject) => {
    const cleanups: Array<() => void> = [];
    let settled = false;
    const settle = (error?: Error | null): void => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      if (!error) {
        resolve();
        return;
      }
      source.destroy();
      destination.destroy();
      reject(error);
    };
    cleanups.push(
      finished(source, (error) => {
        if (error) settle(error);
      }),
      finished(destination, settle),
    );
    source.pipe(destination);
  });

/** Sends a request upstream; resolves as soon as the answer's head arrives, its body still to read. */
const open = (upstream: URL, spec: UpstreamRequest): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: spec.method,
        path: spec.url,
        headers:
          spec.body instanceof Buffer
            ? { ...spec.headers, 'content-length': spec.body.byteLength }
            : spec.headers,
      },
      resolve,
    );
    outgoing.once('error', reject);
    if (spec.body === undefined) outgoing.end();
    else if (spec.body instanceof Buffer) outgoing.end(spec.body);
    else pipeTo(spec.body as Readable, outgoing).catch(reject);
  });

const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Sends a request upstream and reads the whole answer (for small answers the caller inspects). */
export const exchange = async (upstream: URL, spec: UpstreamRequest): Promise<UpstreamReply> => {
  const reply = await open(upstream, spec);
  return { status: reply.statusCode ?? 502, headers: reply.headers, body: await readAll(reply) };
};

/** Reads a client's request body, refusing more than `limit` bytes. */
export const readRequestBody = async (request: IncomingMessage, limit: number): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw new RequestTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

/**
 * Reads a client's request body, or undefined when it is over `maxBodyBytes`. Unlike
 * {@link readRequestBody} it reads the rest and drops it, so a client still sending reads the error
 * reply instead of a reset connection.
 */
export const readBodyWithin = (request: IncomingMessage, maxBodyBytes: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBodyBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });

/** A request body over the size a local service buffers. */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
  }
}

/** Writes an upstream answer (already read) to the client. */
export const sendReply = (
  response: ServerResponse,
  reply: UpstreamReply,
  body: Buffer = reply.body,
): void => {
  const headers = endToEndHeaders(reply.headers);
  // Only a rewritten body needs a new length: a HEAD answer's length describes the object, not its empty body.
  if (body !== reply.body) headers['content-length'] = body.byteLength;
  response.writeHead(reply.status, headers);
  response.end(body);
};

/** Answers a request the proxy could not forward: 502 when the upstream is down, like a load balancer. */
export const sendProxyError = (response: ServerResponse, error: unknown): void => {
  if (response.headersSent) {
    response.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const body = JSON.stringify({ __type: 'BadGateway', message: `local cloud upstream failed: ${message}` });
  response.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
};

/**
 * Forwards a request to `upstream` with its method, path, query and end-to-end headers (Host included,
 * so virtual-hosted S3 requests and host-derived URLs keep working), streaming both bodies.
 */
export const forward = async (
  upstream: URL,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> => {
  const reply = await open(upstream, {
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers: endToEndHeaders(request.headers),
    body: request,
  });
  response.writeHead(reply.statusCode ?? 502, endToEndHeaders(reply.headers));
  await pipeTo(reply, response);
};

/** A handler that forwards every request to `endpoint` (e.g. `http://127.0.0.1:9324`). */
export const proxyTo = (endpoint: string): RequestHandler => {
  const upstream = new URL(endpoint);
  return (request, response) => {
    forward(upstream, request, response).catch((error: unknown) => sendProxyError(response, error));
  };
};
