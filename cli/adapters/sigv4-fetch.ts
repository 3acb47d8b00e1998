import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, Provider, SourceData } from '@smithy/types';

const toBuffer = (data: SourceData): Buffer => {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
};

/**
 * SHA-256 (and HMAC-SHA256 when given a secret) on node:crypto, in the shape the Smithy signer takes.
 * It saves a dependency on @aws-crypto/sha256-js or @smithy/hash-node for a dozen lines.
 */
export class NodeSha256 implements Checksum {
  readonly #secret: Buffer | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : toBuffer(secret);
    this.#hash = this.#create();
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(toBuffer(chunk));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#create();
  }

  #create(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

/** A GET of a URL, answered with a fetch Response. */
export type HttpGet = (url: URL) => Promise<Response>;

/**
 * What a request sends besides its URL: the method (GET when absent) and, for a POST that has one, a
 * JSON body (sent with `content-type: application/json`).
 */
export interface HttpRequestInit {
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
}

/** A request to a URL, GET unless `init` says otherwise, answered with a fetch Response. */
export type HttpRequest = (url: URL, init?: HttpRequestInit) => Promise<Response>;

export interface SignedGetOptions {
  /** Signing region (the API's region). */
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** @default 'execute-api' (API Gateway with IAM authorization) */
  readonly service?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const queryOf = (url: URL): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
};

/**
 * Requests signed with SigV4, as an IAM-authorized API Gateway REST API requires; the one signing path
 * of the CLI and the console's server. The body's hash is part of the signature, so a POST is signed
 * with its exact bytes. The local API does not check signatures; it is signed all the same, so the local
 * and the deployed path are one path.
 */
export const signedRequest = (options: SignedGetOptions): HttpRequest => {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async (url, init = {}) => {
    const method = init.method ?? 'GET';
    const { body } = init;
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      // The signer escapes the path once more, which is the double encoding SigV4 wants for every
      // service but S3 (URL.pathname is already percent-encoded once).
      path: url.pathname,
      query: queryOf(url),
      headers: { host: url.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
    // fetch sets Host from the URL itself (the same value that was signed).
    const { host: _host, ...headers } = signed.headers;
    return fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }) });
  };
};

/** GETs signed with SigV4, as an IAM-authorized API Gateway REST API requires. */
export const signedGet = (options: SignedGetOptions): HttpGet => {
  const request = signedRequest(options);
  return (url) => request(url);
};
