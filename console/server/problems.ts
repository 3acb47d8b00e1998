import type { ZodError } from 'zod';
import { networkErrorCode } from '../../cli/errors';
import type { Problem } from '../shared/api';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem-details answer (RFC 9457), the shape the query API answers errors with too. */
export const problemResponse = (
  status: number,
  title: string,
  detail: string,
  errors?: Problem['errors'],
): Response => {
  const body: Problem = { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
  });
};

/** A 400 naming each bad parameter, from a failed zod parse. */
export const badRequest = (error: ZodError): Response =>
  problemResponse(
    400,
    'Bad Request',
    'One or more parameters are invalid.',
    error.issues.map((issue) => ({ parameter: issue.path.join('.') || '(body)', message: issue.message })),
  );

const STATUS_BY_ERROR_NAME: Readonly<Record<string, number>> = {
  ExecutionDoesNotExist: 404,
  StateMachineDoesNotExist: 404,
  QueueDoesNotExist: 404,
  'AWS.SimpleQueueService.NonExistentQueue': 404,
  ResourceNotFoundException: 404,
  InvalidArn: 400,
  InvalidToken: 400,
  InvalidName: 400,
  ValidationException: 400,
  InvalidRequestException: 400,
  InvalidParameterValue: 400,
  ExecutionNotRedrivable: 409,
  ExecutionLimitExceeded: 429,
  ThrottlingException: 429,
  TooManyRequestsException: 429,
  AccessDenied: 403,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ExpiredTokenException: 403,
};

/** Logs what the user cannot act on; defaults to stderr. */
export type ErrorLog = (message: string, error: unknown) => void;

/**
 * What the browser is told about an error of an AWS call or of the query API: service errors keep
 * their name and message (they say what to do: AccessDenied, ExecutionDoesNotExist), a refused
 * connection says where, anything else is a 500 whose details stay in the server's log.
 */
export const problemOf = (error: unknown, where: string, log: ErrorLog): Response => {
  const network = networkErrorCode(error);
  if (network) return problemResponse(502, 'Bad Gateway', `cannot reach ${where} (${network})`);
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return problemResponse(
      503,
      'Service Unavailable',
      'no AWS credentials found for the console server: configure a profile or set AWS_PROFILE, then restart it',
    );
  }
  if (error instanceof Error && (error as { $metadata?: unknown }).$metadata !== undefined) {
    const status = STATUS_BY_ERROR_NAME[error.name] ?? 502;
    return problemResponse(status, error.name, error.message || error.name);
  }
  log(`console: unexpected error while calling ${where}`, error);
  return problemResponse(500, 'Internal Server Error', 'the console server failed; its log says why');
};

/**
 * A route's answer: what `read` resolves, as JSON never cached (every answer is live), or a Response
 * it chose itself (a 404 it found); a failure is `fail`'s problem. Parameter checks answer before it.
 */
export const answerJson = async (
  read: () => Promise<unknown>,
  fail: (error: unknown) => Response,
): Promise<Response> => {
  try {
    const value = await read();
    return value instanceof Response
      ? value
      : Response.json(value, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return fail(error);
  }
};
