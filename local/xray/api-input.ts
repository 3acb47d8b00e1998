import { invalidRequest } from './api-errors';
import { isTraceId } from './ids';

/** A request body as the REST-JSON protocol delivers it: a JSON object. */
export type ApiInput = Readonly<Record<string, unknown>>;

export const asInput = (body: unknown): ApiInput => {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('The request body must be a JSON object');
  return body as ApiInput;
};

/**
 * A timestamp member in epoch seconds. REST-JSON sends epoch seconds (fractions allowed); an ISO 8601
 * string is accepted too, as hand-written requests use it.
 */
export const timestamp = (input: ApiInput, field: string): number => {
  const value = input[field];
  if (value === undefined || value === null) throw invalidRequest(`${field} is required`);
  const parsed =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? /^\d+(\.\d+)?$/.test(value)
          ? Number(value)
          : Date.parse(value) / 1000
        : Number.NaN;
  if (!Number.isFinite(parsed))
    throw invalidRequest(`${field} must be a timestamp, not ${JSON.stringify(value)}`);
  return parsed;
};

export const optionalString = (input: ApiInput, field: string): string | undefined => {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field} must be a string`);
  return value;
};

export const stringList = (input: ApiInput, field: string): string[] => {
  const value = input[field];
  if (value === undefined || value === null) throw invalidRequest(`${field} is required`);
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw invalidRequest(`${field} must be a list of strings`);
  return value as string[];
};

/** Trace ids a caller asks for: each must be in X-Ray's `1-<8 hex>-<24 hex>` format. */
export const traceIdList = (input: ApiInput, field: string): string[] => {
  const ids = stringList(input, field);
  if (ids.length === 0) throw invalidRequest(`${field} must name at least one trace`);
  const bad = ids.find((id) => !isTraceId(id));
  if (bad !== undefined)
    throw invalidRequest(
      `${JSON.stringify(bad)} is not a trace id: expected 1-<8 hex digits>-<24 hex digits>`,
    );
  return [...new Set(ids)];
};

/** A start/end pair; the end may not come before the start. */
export const timeRange = (input: ApiInput): { start: number; end: number } => {
  const start = timestamp(input, 'StartTime');
  const end = timestamp(input, 'EndTime');
  if (end < start) throw invalidRequest('EndTime must not be before StartTime');
  return { start, end };
};
