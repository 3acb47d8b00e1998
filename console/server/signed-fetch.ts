import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { NodeSha256 } from '../../cli/adapters/sigv4-fetch';

/** One request to an IAM-authorized HTTP API. */
export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  /** JSON text; sent with `content-type: application/json`. */
  readonly body?: string;
}

/** Sends a request signed with SigV4 and answers with the fetch Response. */
export type SignedFetch = (request: SignedRequest) => Promise<Response>;

export interface SignedFetchOptions {
  /** Signing region (the API's). */
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** @default 'execute-api' (API Gateway with IAM authorization) */
  readonly service?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * Requests signed with SigV4 as API Gateway's IAM authorization wants them: the body's hash is part of
 * the signature, so a POST is signed with its exact bytes. The local API does not check signatures;
 * it is signed all the same, so the local and the deployed path are one path.
 */
export const signedFetch = (options: SignedFetchOptions): SignedFetch => {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async ({ method, url, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const existing = query[name];
      query[name] =
        existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      // URL.pathname is encoded once; the signer encodes it again, as SigV4 wants for all but S3.
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    // fetch sets Host from the URL (the value that was signed).
    const { host: _host, ...headers } = signed.headers;
    return fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }) });
  };
};
