import type * as z from '../shared/runtime/zod';
import { InvalidParameterError, type ParameterError, UnsupportedMediaTypeError } from './problems';
import type { ApiRequest } from './router';

/** Request bodies are small JSON documents; anything larger is refused before it is parsed. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

const bodyError = (message: string) => new InvalidParameterError([{ parameter: 'body', message }]);

/**
 * Reads a JSON request body and validates it with a zod schema: a 415 for another media type, a 400
 * for a missing, oversized or unparsable body, and a 400 naming each bad member (never a 500).
 */
export const parseJsonBody = <S extends z.ZodMiniType>(schema: S, request: ApiRequest): z.output<S> => {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json')
    throw new UnsupportedMediaTypeError(
      `the body must be application/json, not ${mediaType ? mediaType : 'without a Content-Type'}`,
    );
  if (request.body === null || request.body.trim() === '') throw bodyError('must be a JSON object');
  if (Buffer.byteLength(request.body) > MAX_JSON_BODY_BYTES)
    throw bodyError(`must be at most ${MAX_JSON_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(request.body);
  } catch (error) {
    throw new InvalidParameterError([{ parameter: 'body', message: 'is not valid JSON' }], { cause: error });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidParameterError(
    result.error.issues.flatMap((issue): ParameterError[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((parameter) => ({ parameter, message: 'unknown member' }))
        : [{ parameter: issue.path.map(String).join('.') || 'body', message: issue.message }],
    ),
  );
};
