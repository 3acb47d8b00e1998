import { listDocumentsQuery } from '../lambdas/api/schemas';
import { DOCUMENT_STATUSES, type DocumentStatus } from '../lambdas/shared/documents/document';
import type { OptionValues } from './args';
import { isTraceId } from './document-traces';
import { UsageError } from './errors';

/** Uploads outside this prefix never trigger the pipeline (the bucket notification filters on it). */
export const INCOMING_PREFIX = 'incoming/';

/** Key prefix of the demo's uploads: each run makes new versions of the same keys. */
export const DEMO_PREFIX = `${INCOMING_PREFIX}demo/`;

const DEFAULT_TIMEOUT_SECONDS = 300;
const DEFAULT_LIST_LIMIT = 25;
const MAX_LIST_LIMIT = 10_000;

const text = (values: OptionValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

/** A whole number from 1 to `max`. */
export const positiveInteger = (
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number => {
  if (value === undefined) return fallback;
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new UsageError(`--${flag} must be a whole number from 1 to ${max}, not "${value}"`, command);
  }
  return number;
};

/**
 * A key prefix under `incoming/`, ending in `/` (`incoming/batch-7` means the folder). A leading `/`
 * is dropped: S3 keys do not start with one, and `/incoming/x` would be a different key.
 */
export const normalizePrefix = (command: string, prefix: string | undefined): string => {
  const trimmed = (prefix ?? INCOMING_PREFIX).replace(/^\/+/, '');
  const withSlash = trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  if (!withSlash.startsWith(INCOMING_PREFIX)) {
    throw new UsageError(
      `--prefix must start with ${INCOMING_PREFIX}: only uploads there start the pipeline (got "${prefix}")`,
      command,
    );
  }
  return withSlash;
};

export interface UploadOptions {
  readonly inputs: readonly string[];
  readonly prefix: string;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
}

export const uploadOptions = (values: OptionValues, positionals: readonly string[]): UploadOptions => {
  const wait = values.wait === true;
  if (!wait && values.timeout !== undefined)
    throw new UsageError('--timeout only applies with --wait', 'upload');
  return {
    inputs: positionals,
    prefix: normalizePrefix('upload', text(values, 'prefix')),
    wait,
    timeoutSeconds: positiveInteger('upload', 'timeout', text(values, 'timeout'), DEFAULT_TIMEOUT_SECONDS),
  };
};

export interface ListOptions {
  readonly status?: DocumentStatus;
  readonly type?: string;
  readonly uploadedAfter?: string;
  readonly uploadedBefore?: string;
  /** At most this many; undefined with --all. */
  readonly limit?: number;
  readonly json: boolean;
}

/** ls flags, checked with the API's own query schema so that a bad value fails before any request. */
export const listOptions = (values: OptionValues): ListOptions => {
  if (values.all === true && values.limit !== undefined) {
    throw new UsageError('--all and --limit exclude each other', 'ls');
  }
  const status = text(values, 'status')?.toUpperCase();
  if (status !== undefined && !(DOCUMENT_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${DOCUMENT_STATUSES.join(', ')}, not "${status}"`, 'ls');
  }
  const query = {
    ...(status ? { status } : {}),
    ...(values.type !== undefined ? { type: text(values, 'type') } : {}),
    ...(values.after !== undefined ? { uploadedAfter: text(values, 'after') } : {}),
    ...(values.before !== undefined ? { uploadedBefore: text(values, 'before') } : {}),
  };
  const parsed = listDocumentsQuery.safeParse(query);
  if (!parsed.success) {
    const flagOf: Record<string, string> = { uploadedAfter: '--after', uploadedBefore: '--before' };
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw new UsageError(`${flagOf[field] ?? `--${field}`} ${issue?.message ?? 'is invalid'}`, 'ls');
  }
  const { status: checkedStatus, type, uploadedAfter, uploadedBefore } = parsed.data;
  return {
    ...(checkedStatus ? { status: checkedStatus } : {}),
    ...(type ? { type } : {}),
    ...(uploadedAfter ? { uploadedAfter } : {}),
    ...(uploadedBefore ? { uploadedBefore } : {}),
    ...(values.all === true
      ? {}
      : { limit: positiveInteger('ls', 'limit', text(values, 'limit'), DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT) }),
    json: values.json === true,
  };
};

export interface DemoOptions {
  readonly timeoutSeconds: number;
}

export const demoOptions = (values: OptionValues): DemoOptions => ({
  timeoutSeconds: positiveInteger('demo', 'timeout', text(values, 'timeout'), DEFAULT_TIMEOUT_SECONDS),
});

export interface UpOptions {
  readonly port: number;
  readonly apiPort: number;
  readonly fresh: boolean;
}

const portOption = (values: OptionValues, flag: string, fallback: number, command = 'up'): number => {
  const port = text(values, flag);
  if (port === undefined) return fallback;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) {
    throw new UsageError(`--${flag} must be a port number from 0 to 65535, not "${port}"`, command);
  }
  return Number(port);
};

/** The console's port: given (it must be free), or undefined for the default (a free one if taken). */
export const consolePortOption = (values: OptionValues, flag: string, command: string): number | undefined =>
  values[flag] === undefined ? undefined : portOption(values, flag, 0, command);

/** The ports of the AWS endpoint (LocalStack's 4566 by default) and of the query API; 0 picks a free one. */
export const upOptions = (values: OptionValues, defaults: { port: number; apiPort: number }): UpOptions => {
  const port = portOption(values, 'port', defaults.port);
  const apiPort = portOption(values, 'api-port', defaults.apiPort);
  if (port !== 0 && port === apiPort) {
    throw new UsageError(`--port and --api-port must differ (both are ${port})`, 'up');
  }
  return { port, apiPort, fresh: values.fresh === true };
};

export interface TraceOptions {
  /** Every trace of the document, not only the newest. */
  readonly all: boolean;
  /** One trace by its id, instead of the document's newest. */
  readonly traceId?: string;
  /** Epoch milliseconds: look for traces from then on, instead of near the upload and the last write. */
  readonly since?: number;
  readonly json: boolean;
}

const RELATIVE = /^(\d{1,6})\s*(m|min|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO date or time (`2026-11-23`, `2026-11-23T10:00:00Z`) or a time ago (`90m`, `6h`, `7d`). */
export const parseSince = (command: string, value: string, now: number): number => {
  const relative = RELATIVE.exec(value.trim());
  if (relative) return now - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'd'] ?? 0);
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `--since must be a date or time (2026-11-23, 2026-11-23T10:00:00Z) or a time ago (90m, 6h, 7d), not "${value}"`,
      command,
    );
  }
  if (at > now) throw new UsageError(`--since must not be in the future (${value})`, command);
  return at;
};

export const traceOptions = (values: OptionValues, now: number): TraceOptions => {
  const traceId = text(values, 'trace');
  if (traceId !== undefined && !isTraceId(traceId)) {
    throw new UsageError(
      `--trace must be an X-Ray trace id (1-5f8a2b3c-0123456789abcdef01234567), not "${traceId}"`,
      'trace',
    );
  }
  if (traceId !== undefined && (values.all === true || values.since !== undefined)) {
    throw new UsageError('--trace names one trace; it cannot be used with --all or --since', 'trace');
  }
  const since = text(values, 'since');
  return {
    all: values.all === true,
    ...(traceId === undefined ? {} : { traceId }),
    ...(since === undefined ? {} : { since: parseSince('trace', since, now) }),
    json: values.json === true,
  };
};
