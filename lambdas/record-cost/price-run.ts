import {
  COST_PARTS,
  type CostPart,
  type CostParts,
  type FunctionUsage,
  PICODOLLARS_PER_USD,
  type RunUsage,
  usdOf,
} from '../shared/documents/document-cost';
import type { PriceTable } from '../shared/documents/prices';
import type { Invocation, MeasuredRun } from './measure-run';

/** Lambda's ephemeral storage up to this size is free. */
export const FREE_EPHEMERAL_STORAGE_MB = 512;

const MB_PER_GB = 1024;
const MS_PER_SECOND = 1000;

/** GB-seconds of an invocation: configured memory in GB (1,024 MB) × billed seconds. */
export const gbSecondsOf = (invocation: Pick<Invocation, 'billedMs' | 'config'>): number =>
  (invocation.config.memoryMb / MB_PER_GB) * (invocation.billedMs / MS_PER_SECOND);

/** A price in whole picodollars: every price is used to the picodollar (10⁻¹² USD), so sums are exact. */
const picoPrice = (usd: number): bigint => BigInt(Math.round(usd * PICODOLLARS_PER_USD));

/** `numerator / denominator` rounded half up, for non-negative integers. */
const divideRounded = (numerator: bigint, denominator: bigint): bigint =>
  (numerator * 2n + denominator) / (denominator * 2n);

/**
 * One invocation's price in picodollars: the request, plus memory (MB) × billed ms at the
 * architecture's GB-second rate, plus the /tmp above 512 MB at its rate; the duration part is exact
 * (BigInt) and rounded once, half up.
 */
const invocationPico = (invocation: Invocation, prices: PriceTable): bigint => {
  const { config, billedMs } = invocation;
  const perGbSecond = picoPrice(
    config.architecture === 'arm64' ? prices.lambda.arm64PerGbSecond : prices.lambda.x86PerGbSecond,
  );
  const extraStorageMb = BigInt(Math.max(0, config.ephemeralStorageMb - FREE_EPHEMERAL_STORAGE_MB));
  const ms = BigInt(billedMs);
  const mbMilliseconds =
    BigInt(config.memoryMb) * ms * perGbSecond +
    extraStorageMb * ms * picoPrice(prices.lambda.ephemeralStoragePerGbSecond);
  return (
    picoPrice(prices.lambda.perRequest) + divideRounded(mbMilliseconds, BigInt(MB_PER_GB * MS_PER_SECOND))
  );
};

/** Rounded to a millionth, enough for a GB-seconds figure a person compares. */
const roundMillionths = (value: number): number => Math.round(value * 1_000_000) / 1_000_000;

/** A function's name, from its name or its ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export const functionNameOf = (nameOrArn: string): string =>
  /:function:([^:]+)/.exec(nameOrArn)?.[1] ?? nameOrArn;

const functionUsage = (invocations: readonly Invocation[]): Record<string, FunctionUsage> => {
  const usage: Record<string, FunctionUsage> = {};
  for (const invocation of invocations) {
    const name = functionNameOf(invocation.function);
    const current = usage[name];
    usage[name] = {
      invocations: (current?.invocations ?? 0) + 1,
      billedMs: (current?.billedMs ?? 0) + invocation.billedMs,
      memoryMb: invocation.config.memoryMb,
    };
  }
  return usage;
};

/** What a run used, as its record shows it. */
export const usageOf = (run: MeasuredRun): RunUsage => ({
  stateTransitions: run.stateTransitions,
  retries: run.retries,
  lambda: {
    invocations: run.invocations.length,
    modelledInvocations: run.invocations.filter((invocation) => invocation.modelled).length,
    gbSeconds: roundMillionths(run.invocations.reduce((sum, invocation) => sum + gbSecondsOf(invocation), 0)),
    functions: functionUsage(run.invocations),
  },
  textract: { detectDocumentTextPages: run.detectDocumentTextPages, asyncPages: run.asyncTextPages },
  s3: { tier1Requests: run.s3Tier1Requests, tier2Requests: run.s3Tier2Requests },
  dynamodb: { writeUnits: run.dynamodbWriteUnits, readUnits: run.dynamodbReadUnits },
  sqs: { requests: run.sqsRequests },
  sns: { publishes: run.snsPublishes },
});

/**
 * Prices a measured run: each part in whole picodollars (counts × prices to the picodollar; Lambda per
 * invocation), the total their exact sum, both returned in USD.
 */
export const priceRun = (run: MeasuredRun, prices: PriceTable): { parts: CostParts; totalUsd: number } => {
  const times = (count: number, usd: number): bigint => BigInt(count) * picoPrice(usd);
  const pico: Record<CostPart, bigint> = {
    stepFunctions: times(run.stateTransitions, prices.stepFunctions.perStateTransition),
    lambda: run.invocations.reduce((sum, invocation) => sum + invocationPico(invocation, prices), 0n),
    textract:
      times(run.detectDocumentTextPages, prices.textract.detectDocumentTextPerPage) +
      times(run.asyncTextPages, prices.textract.asyncDocumentTextPerPage),
    s3:
      times(run.s3Tier1Requests, prices.s3.tier1PerRequest) +
      times(run.s3Tier2Requests, prices.s3.tier2PerRequest),
    dynamodb:
      times(run.dynamodbWriteUnits, prices.dynamodb.perWriteRequestUnit) +
      times(run.dynamodbReadUnits, prices.dynamodb.perReadRequestUnit),
    sqs: times(run.sqsRequests, prices.sqs.perRequest),
    sns: times(run.snsPublishes, prices.sns.perPublish),
  };
  const total = COST_PARTS.reduce((sum, part) => sum + pico[part], 0n);
  const parts = Object.fromEntries(COST_PARTS.map((part) => [part, usdOf(Number(pico[part]))])) as Record<
    CostPart,
    number
  >;
  return { parts, totalUsd: usdOf(Number(total)) };
};
