import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJsonReply } from '../../local/http/json-reply';
import { TaskTokenError, type TaskTokens } from '../../local/stepfunctions/task-tokens';

/**
 * The task-callback operations of the Step Functions API (SendTaskSuccess, SendTaskFailure,
 * SendTaskHeartbeat) over HTTP, in AWS JSON 1.0 as `@aws-sdk/client-sfn` speaks it, settling the tokens
 * of a local {@link TaskTokens} registry. Until the local Step Functions API serves these operations,
 * tests point a handler's SFN client (`AWS_ENDPOINT_URL_SFN`) here, so the real SDK client is exercised.
 */
export interface TaskCallbackEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every call received, in order. */
  readonly calls: { readonly operation: string; readonly input: Record<string, unknown> }[];
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';

const reply = (response: ServerResponse, status: number, body: unknown): void =>
  sendJsonReply(response, status, body, { 'content-type': 'application/x-amz-json-1.0' });

const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
};

class ApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const settle = (tokens: TaskTokens, operation: string, input: Record<string, unknown>): void => {
  const token = input.taskToken;
  if (typeof token !== 'string' || token === '') throw new ApiError('InvalidToken', 'taskToken is required');
  switch (operation) {
    case 'SendTaskSuccess': {
      let output: unknown;
      try {
        output = JSON.parse(String(input.output));
      } catch {
        throw new ApiError('InvalidOutput', 'output is not valid JSON');
      }
      tokens.succeed(token, output);
      return;
    }
    case 'SendTaskFailure':
      tokens.fail(
        token,
        typeof input.error === 'string' ? input.error : undefined,
        typeof input.cause === 'string' ? input.cause : undefined,
      );
      return;
    case 'SendTaskHeartbeat':
      tokens.heartbeat(token);
      return;
    default:
      throw new ApiError('UnknownOperationException', `operation ${operation} is not served here`);
  }
};

/** Starts the endpoint on 127.0.0.1 on a free port. */
export const startTaskCallbackEndpoint = async (tokens: TaskTokens): Promise<TaskCallbackEndpoint> => {
  const calls: TaskCallbackEndpoint['calls'] = [];
  const server = createServer((request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    readJson(request)
      .then((input) => {
        calls.push({ operation, input });
        settle(tokens, operation, input);
        reply(response, 200, {});
      })
      .catch((error: unknown) => {
        const known = error instanceof ApiError || error instanceof TaskTokenError;
        const name = known ? error.name : 'InternalServerError';
        reply(response, known ? 400 : 500, {
          __type: name,
          message: error instanceof Error ? error.message : '',
        });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
