import { type SignedGetOptions, signedRequest } from '../../cli/adapters/sigv4-fetch';

/** One request to an IAM-authorized HTTP API. */
export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  /** JSON text; sent with `content-type: application/json`. */
  readonly body?: string;
}

/** Sends a request signed with SigV4 and answers with the fetch Response. */
export type SignedFetch = (request: SignedRequest) => Promise<Response>;

/**
 * The console server's view of the CLI's signed requests ({@link signedRequest}): one request object
 * per call, as the server's routes pass them on.
 */
export const signedFetch = (options: SignedGetOptions): SignedFetch => {
  const send = signedRequest(options);
  return ({ method, url, body }) => send(url, { method, ...(body === undefined ? {} : { body }) });
};
