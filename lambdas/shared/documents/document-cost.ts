/**
 * The modelled AWS cost of a document, as its record carries it (`cost` on the metadata item): the sum
 * of its runs (the upload's execution, redrives, a deletion), each priced from its own execution
 * history when it ended. Shared by the function that records it, the API, the CLI and the bench.
 */

/** The parts a cost is split into, one per AWS service a run uses. */
export const COST_PARTS = ['stepFunctions', 'lambda', 'textract', 's3', 'dynamodb', 'sqs', 'sns'] as const;
export type CostPart = (typeof COST_PARTS)[number];
export type CostParts = Readonly<Record<CostPart, number>>;

/** Usage of one Lambda function in one run. */
export interface FunctionUsage {
  readonly invocations: number;
  /** Billed duration summed over the invocations, in milliseconds (each rounded up to 1 ms). */
  readonly billedMs: number;
  /** Configured memory. */
  readonly memoryMb: number;
}

/** What one run used: the counts the cost is the price of. */
export interface RunUsage {
  /** States entered plus retries: what Step Functions bills for a Standard workflow. */
  readonly stateTransitions: number;
  /** The retries among them. */
  readonly retries: number;
  readonly lambda: {
    readonly invocations: number;
    /**
     * Invocations whose duration the history does not show and the model assumes: the starter's and
     * the Textract callback's (outside the execution), a task-token task's where no TaskSubmitted event
     * marks its end.
     */
    readonly modelledInvocations: number;
    readonly gbSeconds: number;
    /** Per function name. */
    readonly functions: Readonly<Record<string, FunctionUsage>>;
  };
  readonly textract: {
    /** Pages read by synchronous DetectDocumentText calls (one per successful call). */
    readonly detectDocumentTextPages: number;
    /** Pages read by asynchronous StartDocumentTextDetection jobs. */
    readonly asyncPages: number;
  };
  readonly s3: {
    /** PUT, COPY, POST, LIST (each multipart part is one). */
    readonly tier1Requests: number;
    /** GET, HEAD. */
    readonly tier2Requests: number;
  };
  readonly dynamodb: { readonly writeUnits: number; readonly readUnits: number };
  readonly sqs: { readonly requests: number };
  readonly sns: { readonly publishes: number };
}

/** Terminal statuses of an execution, as EventBridge reports them. */
export const RUN_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One priced run, under its key in {@link DocumentCost.runs}. */
export interface RunCost {
  /** The execution's name. */
  readonly execution: string;
  /** 0 for the execution's own run; n for its n-th RedriveExecution. */
  readonly redriveCount: number;
  readonly status: RunStatus;
  /** ISO-8601 start and end of the run. */
  readonly startedAt: string;
  readonly stoppedAt: string;
  readonly totalUsd: number;
  readonly parts: CostParts;
  readonly usage: RunUsage;
  /** The price table's region and date. */
  readonly prices: { readonly region: string; readonly asOf: string };
}

/** A document's cost: every run's, summed (parts and total). */
export interface DocumentCost {
  readonly currency: 'USD';
  readonly totalUsd: number;
  readonly parts: CostParts;
  readonly runs: Readonly<Record<string, RunCost>>;
}

/**
 * Costs are computed in whole picodollars (10⁻¹² USD) and stored as USD with at most 12 decimals: sums
 * of integers are exact, so a document's parts add up to its total to the last digit, and DynamoDB,
 * which adds decimals exactly, keeps them so.
 */
export const PICODOLLARS_PER_USD = 1_000_000_000_000;

export const usdOf = (picodollars: number): number => picodollars / PICODOLLARS_PER_USD;
export const picodollarsOf = (usd: number): number => Math.round(usd * PICODOLLARS_PER_USD);

export const zeroParts = (): Record<CostPart, number> => ({
  stepFunctions: 0,
  lambda: 0,
  textract: 0,
  s3: 0,
  dynamodb: 0,
  sqs: 0,
  sns: 0,
});

/** Sums parts exactly (through picodollars). */
export const sumParts = (all: readonly Partial<CostParts>[]): CostParts => {
  const sums = zeroParts();
  for (const parts of all) {
    for (const part of COST_PARTS) sums[part] += picodollarsOf(parts[part] ?? 0);
  }
  for (const part of COST_PARTS) sums[part] = usdOf(sums[part]);
  return sums;
};

/** The total of parts, exact to the picodollar. */
export const totalOf = (parts: Partial<CostParts>): number =>
  usdOf(COST_PARTS.reduce((sum, part) => sum + picodollarsOf(parts[part] ?? 0), 0));

/**
 * The modelled cost per 1,000 documents of a set of documents: the mean of their totals × 1,000.
 * Documents with no cost recorded (yet) are left out; undefined when none has one.
 */
export const costPer1000Documents = (
  costs: readonly (Pick<DocumentCost, 'totalUsd'> | undefined | null)[],
): number | undefined => {
  const known = costs.filter((cost): cost is Pick<DocumentCost, 'totalUsd'> => cost != null);
  if (known.length === 0) return undefined;
  const total = known.reduce((sum, cost) => sum + picodollarsOf(cost.totalUsd), 0);
  return usdOf(Math.round((total * 1000) / known.length));
};
