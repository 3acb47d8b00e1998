import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonReply } from './json-reply';
import { type RequestHandler, readBodyWithin } from './proxy';

/** An error reply: `name` is the wire `__type`. */
export interface AwsJsonError {
  readonly name: string;
  readonly message: string;
  /** @default 400 */
  readonly status?: number;
}

/** What a local service tells `awsJsonHandler` about itself. */
export interface AwsJsonProtocol<Operation extends string> {
  /** `X-Amz-Target` prefix of the service's calls, e.g. `Textract.`. */
  readonly targetPrefix: string;
  /** AWS JSON 1.0 or 1.1: the content type of every reply. */
  readonly contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  /** A body larger than this is not buffered: it is drained and answered with `tooLarge`. */
  readonly maxBodyBytes: number;
  /** Whether the target (prefix removed) names an operation; one that does not gets `unknownOperation`. */
  isOperation(name: string): name is Operation;
  /** Runs one operation; `input` is the parsed body (`{}` when empty). */
  call(operation: Operation, input: unknown): unknown;
  /**
   * The reply to an error: one the operation threw or its reply failed on (`operation` given), or
   * an unexpected failure around it, such as the request stream breaking (`operation` undefined).
   */
  errorOf(error: unknown, operation?: Operation): AwsJsonError;
  /** The reply to a body over `maxBodyBytes`. */
  tooLarge(maxBodyBytes: number): AwsJsonError;
  /** The reply to a request that is not a POST of a known operation; `target` is the raw header. */
  unknownOperation(target: string | string[] | undefined): AwsJsonError;
  /** @default `{ __type, message }` */
  errorBody?(error: AwsJsonError): Record<string, unknown>;
}

/**
 * A node:http request handler speaking the AWS JSON protocol (`POST /`, `X-Amz-Target:
 * <prefix><Operation>`, a JSON body, errors as `{"__type","message"}`). It reads nothing but the
 * target header and the body, so it works behind a gateway. Signatures are not checked.
 */
export const awsJsonHandler = <Operation extends string>(
  protocol: AwsJsonProtocol<Operation>,
): RequestHandler => {
  const sendError = (response: ServerResponse, error: AwsJsonError): void => {
    const body = protocol.errorBody?.(error) ?? { __type: error.name, message: error.message };
    sendJsonReply(response, error.status ?? 400, body, { 'content-type': protocol.contentType });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const target = request.headers['x-amz-target'];
    const prefixed = typeof target === 'string' && target.startsWith(protocol.targetPrefix);
    const name = prefixed ? target.slice(protocol.targetPrefix.length) : '';
    if (request.method !== 'POST' || !prefixed || !protocol.isOperation(name)) {
      request.resume();
      sendError(response, protocol.unknownOperation(target));
      return;
    }
    const operation = name;
    const body = await readBodyWithin(request, protocol.maxBodyBytes);
    if (!body) {
      sendError(response, protocol.tooLarge(protocol.maxBodyBytes));
      return;
    }
    let input: unknown;
    try {
      input = body.byteLength === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendError(response, { name: 'SerializationException', message: 'The request body is not valid JSON' });
      return;
    }
    try {
      sendJsonReply(response, 200, await protocol.call(operation, input), {
        'content-type': protocol.contentType,
      });
    } catch (error) {
      sendError(response, protocol.errorOf(error, operation));
    }
  };

  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, protocol.errorOf(error));
      else response.destroy();
    });
  };
};
