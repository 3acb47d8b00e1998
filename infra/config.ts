import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, type Limits } from '../lambdas/shared/documents/limits';
import { DEFAULT_PRICES, mergePrices, type PriceTable } from '../lambdas/shared/documents/prices';
import { isCorsOrigin } from './constructs/document-store';
import { CONTEXT_KEYS } from './keys';

/** Everything the app reads from CDK context, validated once in the composition root. */
export interface DocflowConfig {
  /** Deployment stage (`dev`, `prod`, …): part of the stack name and a tag. */
  readonly stage: string;
  /** Input limits of the document-reading functions. */
  readonly limits: Limits;
  /** CloudWatch namespace of the Powertools metrics. */
  readonly metricsNamespace: string;
  /** Retention of every log group. */
  readonly logRetention: RetentionDays;
  /** Timeout of the starter; the ingest queue's visibility timeout is six times it. */
  readonly starterTimeout: Duration;
  /**
   * Web origins whose pages may POST uploads straight to the uploads bucket (its CORS rule); none by
   * default, so a deployed bucket answers no cross-origin request until an origin is named.
   */
  readonly uploadCorsOrigins: readonly string[];
  /**
   * The prices the cost of each document is modelled with: the dated us-east-1 list prices, with
   * whatever `docflow:prices` merges over them (another region's, negotiated ones).
   */
  readonly prices: PriceTable;
}

/** Reads a context value; `-c` gives strings, cdk.json gives JSON values. */
export type ContextReader = (key: string) => unknown;

/**
 * Builds the configuration from context, with defaults for what is absent. Throws a plain error
 * naming the key for a value that is present but invalid.
 */
export const readConfig = (context: ContextReader): DocflowConfig => {
  const stage = stringValue(context(CONTEXT_KEYS.stage), CONTEXT_KEYS.stage) ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`${CONTEXT_KEYS.stage} must be 1–20 lowercase letters, digits or dashes, got "${stage}"`);
  }
  const metricsNamespace =
    stringValue(context(CONTEXT_KEYS.metricsNamespace), CONTEXT_KEYS.metricsNamespace) ?? 'docflow';
  if (!/^[A-Za-z0-9._/#:-]{1,255}$/.test(metricsNamespace)) {
    throw new Error(
      `${CONTEXT_KEYS.metricsNamespace} is not a valid CloudWatch namespace: "${metricsNamespace}"`,
    );
  }
  return {
    stage,
    metricsNamespace,
    limits: readLimits(context(CONTEXT_KEYS.limits)),
    logRetention: readRetention(context(CONTEXT_KEYS.logRetentionDays)),
    starterTimeout: readStarterTimeout(context(CONTEXT_KEYS.starterTimeoutSeconds)),
    uploadCorsOrigins: readOrigins(context(CONTEXT_KEYS.uploadCorsOrigins)),
    prices: readPriceOverrides(context(CONTEXT_KEYS.prices)),
  };
};

const stringValue = (value: unknown, key: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`${key} must be a string`);
  return value;
};

const parseJsonish = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

const readLimits = (raw: unknown): Limits => {
  if (raw === undefined) return DEFAULT_LIMITS;
  const value = parseJsonish(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${CONTEXT_KEYS.limits} must be an object`);
  }
  const known = Object.keys(LIMIT_SETTINGS);
  const entries = Object.entries(value);
  for (const [key, limit] of entries) {
    if (!known.includes(key)) {
      throw new Error(`${CONTEXT_KEYS.limits}.${key} is not a limit (known: ${known.join(', ')})`);
    }
    if (!Number.isSafeInteger(limit) || (limit as number) <= 0) {
      throw new Error(`${CONTEXT_KEYS.limits}.${key} must be a positive integer`);
    }
  }
  return { ...DEFAULT_LIMITS, ...(Object.fromEntries(entries) as Partial<Limits>) };
};

/** A JSON object of any part of the price table (`{"region":"eu-west-1","textract":{…}}`), merged over the defaults. */
const readPriceOverrides = (raw: unknown): PriceTable => {
  if (raw === undefined) return DEFAULT_PRICES;
  let value: unknown;
  try {
    value = parseJsonish(raw);
  } catch {
    throw new Error(`${CONTEXT_KEYS.prices} must be a JSON object`);
  }
  return mergePrices(DEFAULT_PRICES, value, CONTEXT_KEYS.prices);
};

const readRetention = (raw: unknown): RetentionDays => {
  if (raw === undefined) return RetentionDays.ONE_MONTH;
  const days = Number(raw);
  // Logs are always bounded: INFINITE is not offered.
  const allowed = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number' && value !== RetentionDays.INFINITE,
  );
  const match = allowed.find((retention) => retention === days);
  if (match === undefined) {
    throw new Error(`${CONTEXT_KEYS.logRetentionDays} must be one of ${allowed.join(', ')} days`);
  }
  return match;
};

/** SQS caps a visibility timeout at 12 hours, and the ingest queue's is six times the starter's timeout. */
const MAX_STARTER_TIMEOUT_SECONDS = 7200;

const readStarterTimeout = (raw: unknown): Duration => {
  if (raw === undefined) return Duration.seconds(30);
  const seconds = Number(raw);
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_STARTER_TIMEOUT_SECONDS) {
    throw new Error(
      `${CONTEXT_KEYS.starterTimeoutSeconds} must be a whole number of seconds from 1 to ${MAX_STARTER_TIMEOUT_SECONDS}`,
    );
  }
  return Duration.seconds(seconds);
};

/** A JSON list (cdk.json, or `-c` as JSON) or a comma-separated string (`-c key=a,b`). */
const readOrigins = (raw: unknown): readonly string[] => {
  if (raw === undefined) return [];
  const key = CONTEXT_KEYS.uploadCorsOrigins;
  const value = typeof raw === 'string' && raw.trim().startsWith('[') ? JSON.parse(raw) : raw;
  const origins = typeof value === 'string' ? value.split(',').map((origin) => origin.trim()) : value;
  if (!Array.isArray(origins) || origins.some((origin) => typeof origin !== 'string'))
    throw new Error(`${key} must be a list of origins`);
  const listed = (origins as string[]).filter((origin) => origin !== '');
  const bad = listed.find((origin) => !isCorsOrigin(origin));
  if (bad !== undefined)
    throw new Error(`${key} must list origins as scheme://host[:port] with at most one *, got "${bad}"`);
  return listed;
};
