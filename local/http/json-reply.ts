import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Answers with `body` as JSON, the way AWS's JSON services do: with its length and a fresh
 * `x-amzn-requestid`. `headers` add to or replace these (the AWS JSON protocol's content type,
 * `x-amzn-errortype`, Lambda's `x-amz-function-error`).
 */
export const sendJsonReply = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void => {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(json);
};
