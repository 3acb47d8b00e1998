import * as z from '../runtime/zod';

/**
 * The AWS prices the cost model multiplies usage by, in USD per unit. One table, dated and sourced, so
 * that a figure is changed in one place; the CDK app can merge other figures over it (`docflow:prices`,
 * other regions or negotiated prices) and hands the result to the function that prices runs.
 */
export interface PriceTable {
  /** The region the figures are the list prices of. */
  readonly region: string;
  /** The day the figures were read (ISO date). */
  readonly asOf: string;
  readonly currency: 'USD';
  readonly stepFunctions: {
    /** Standard workflows: per state transition (retries are transitions). */
    readonly perStateTransition: number;
  };
  readonly lambda: {
    /** Per invocation, either architecture. */
    readonly perRequest: number;
    /** Duration: per GB-second of configured memory, first pricing tier. */
    readonly arm64PerGbSecond: number;
    readonly x86PerGbSecond: number;
    /** Ephemeral storage above the free 512 MB, per GB-second. */
    readonly ephemeralStoragePerGbSecond: number;
  };
  readonly textract: {
    /** DetectDocumentText, per page (first 1 million pages a month). */
    readonly detectDocumentTextPerPage: number;
    /** StartDocumentTextDetection (asynchronous), per page. */
    readonly asyncDocumentTextPerPage: number;
  };
  readonly s3: {
    /** S3 Standard PUT, COPY, POST, LIST (multipart parts included), per request. */
    readonly tier1PerRequest: number;
    /** S3 Standard GET, HEAD and all other requests, per request. */
    readonly tier2PerRequest: number;
  };
  readonly dynamodb: {
    /** On-demand, per write request unit (1 KB). */
    readonly perWriteRequestUnit: number;
    /** On-demand, per read request unit (4 KB strongly consistent). */
    readonly perReadRequestUnit: number;
  };
  readonly sqs: {
    /** Standard queue, per request (64 KB chunk), after the monthly free million. */
    readonly perRequest: number;
  };
  readonly sns: {
    /** Standard topic, per publish (64 KB chunk), after the monthly free million. */
    readonly perPublish: number;
  };
}

/**
 * Where each figure of {@link DEFAULT_PRICES} was read, and how sure it is. AWS's pricing pages render
 * their tables with script; where the stored page text held no figure, the figure is the one AWS
 * publishes on the page as cited by secondary sources that quote it, and says so.
 */
export const PRICE_SOURCES = {
  stepFunctions:
    'https://aws.amazon.com/step-functions/pricing/ (read 2026-12-07: US East (N. Virginia) $0.0250 per 1,000 state transitions; "each retry will be charged as an additional state transition")',
  lambda:
    'https://aws.amazon.com/lambda/pricing/ (read 2026-12-07; the page renders its table with script, so the figures are as quoted from it: requests $0.20 per 1M, Arm $0.0000133334 and x86 $0.0000166667 per GB-second in the first tier, ephemeral storage $0.0000000309 per GB-second)',
  textract:
    'https://aws.amazon.com/textract/pricing/ (read 2026-12-07; table rendered with script, figure as quoted from it: Detect Document Text API $1.50 per 1,000 pages for the first million pages a month, the same API asynchronously at the same price; not confirmed from the stored page text: override it if your bill says otherwise)',
  s3: 'https://aws.amazon.com/s3/pricing/ (read 2026-12-07, as quoted from it: S3 Standard PUT/COPY/POST/LIST $0.005 per 1,000, GET/SELECT/other $0.0004 per 1,000; DELETE is free)',
  dynamodb:
    'https://aws.amazon.com/dynamodb/pricing/on-demand/ (read 2026-12-07, as quoted from it after the November 2024 reduction: $0.625 per million write request units, $0.125 per million read request units)',
  sqs: 'https://aws.amazon.com/sqs/pricing/ (read 2026-12-07; not found in the stored page text: $0.40 per million standard-queue requests is the long-standing list price; override it if your bill says otherwise)',
  sns: 'https://aws.amazon.com/sns/pricing/ (read 2026-12-07; not found in the stored page text: $0.50 per million publishes is the long-standing list price; override it if your bill says otherwise)',
} as const;

/** US East (N. Virginia) list prices, read on {@link PriceTable.asOf}; free tiers are not subtracted. */
export const DEFAULT_PRICES: PriceTable = {
  region: 'us-east-1',
  asOf: '2026-12-07',
  currency: 'USD',
  // Written as decimals (not 0.2 / 1e6): the table travels as JSON, and a quotient's binary noise would too.
  stepFunctions: { perStateTransition: 0.000025 },
  lambda: {
    perRequest: 0.0000002,
    arm64PerGbSecond: 0.0000133334,
    x86PerGbSecond: 0.0000166667,
    ephemeralStoragePerGbSecond: 0.0000000309,
  },
  textract: { detectDocumentTextPerPage: 0.0015, asyncDocumentTextPerPage: 0.0015 },
  s3: { tier1PerRequest: 0.000005, tier2PerRequest: 0.0000004 },
  dynamodb: { perWriteRequestUnit: 0.000000625, perReadRequestUnit: 0.000000125 },
  sqs: { perRequest: 0.0000004 },
  sns: { perPublish: 0.0000005 },
};

const price = z.number().check(z.nonnegative());

/** The whole table, strict: a misspelt key is an error, not a price silently left at its default. */
export const priceTableSchema = z.strictObject({
  region: z.string().check(z.minLength(1)),
  asOf: z.iso.date(),
  currency: z.literal('USD'),
  stepFunctions: z.strictObject({ perStateTransition: price }),
  lambda: z.strictObject({
    perRequest: price,
    arm64PerGbSecond: price,
    x86PerGbSecond: price,
    ephemeralStoragePerGbSecond: price,
  }),
  textract: z.strictObject({ detectDocumentTextPerPage: price, asyncDocumentTextPerPage: price }),
  s3: z.strictObject({ tier1PerRequest: price, tier2PerRequest: price }),
  dynamodb: z.strictObject({ perWriteRequestUnit: price, perReadRequestUnit: price }),
  sqs: z.strictObject({ perRequest: price }),
  sns: z.strictObject({ perPublish: price }),
}) satisfies z.ZodMiniType<PriceTable>;

/** A bad price table or override; the message names the offending key path. */
export class InvalidPriceTableError extends Error {
  override readonly name = 'InvalidPriceTableError';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const deepMerge = (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> => {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
};

const describeIssues = (error: z.core.$ZodError, label: string): string =>
  error.issues.map((issue) => `${[label, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');

/**
 * Merges `overrides` (any part of a {@link PriceTable}, e.g. `{"textract":{"asyncDocumentTextPerPage":
 * 0.0006}}`) over `base` and validates the result.
 * @throws InvalidPriceTableError naming every unknown key and bad value, under `label`
 */
export const mergePrices = (base: PriceTable, overrides: unknown, label = 'prices'): PriceTable => {
  if (!isPlainObject(overrides)) throw new InvalidPriceTableError(`${label} must be an object`);
  const parsed = priceTableSchema.safeParse(deepMerge({ ...base }, overrides));
  if (!parsed.success) throw new InvalidPriceTableError(describeIssues(parsed.error, label));
  return parsed.data;
};

/** The environment variable that carries the merged table to the function that prices runs. */
export const PRICES_ENV = 'DOCFLOW_PRICES';

/**
 * The table a function runs with: {@link PRICES_ENV} (the whole table, as the CDK app writes it) when
 * set, else {@link DEFAULT_PRICES}. Read once, at module scope; a bad value fails the cold start.
 */
export const readPrices = (raw = process.env[PRICES_ENV]): PriceTable => {
  if (raw === undefined || raw === '') return DEFAULT_PRICES;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidPriceTableError(`${PRICES_ENV} is not JSON`);
  }
  const parsed = priceTableSchema.safeParse(value);
  if (!parsed.success) throw new InvalidPriceTableError(describeIssues(parsed.error, PRICES_ENV));
  return parsed.data;
};
