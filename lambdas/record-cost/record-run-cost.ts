import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { RUN_STATUSES, type RunCost } from '../shared/documents/document-cost';
import type { PriceTable } from '../shared/documents/prices';
import * as z from '../shared/runtime/zod';
import { type FunctionConfig, functionsOf, measureRun, runEvents } from './measure-run';
import { priceRun, usageOf } from './price-run';

/** The detail of EventBridge's "Step Functions Execution Status Change", as far as it is read here. */
export const statusChangeDetailSchema = z.object({
  executionArn: z.string().check(z.minLength(1)),
  stateMachineArn: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  status: z.enum(RUN_STATUSES),
  /** The execution's input as a JSON string (null when it was too large to include). */
  input: z.nullish(z.string()),
  /** 0 for the execution's own run, n after the n-th RedriveExecution. Absent on older events. */
  redriveCount: z.optional(z.int().check(z.nonnegative())),
});

/** The whole event; `source` and `detail-type` are checked, so nothing else is priced by mistake. */
export const statusChangeEventSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: statusChangeDetailSchema,
});

export type StatusChangeEvent = z.output<typeof statusChangeEventSchema>;

/** Reads an execution's whole history (every page), with its inputs and outputs. */
export interface ExecutionHistory {
  events(executionArn: string): Promise<HistoryEvent[]>;
}

/** Reads a Lambda function's configuration (memory, architecture, /tmp). */
export interface FunctionConfigurations {
  get(functionName: string): Promise<FunctionConfig>;
}

/** What adding a run to a document's cost came to. */
export type LedgerOutcome =
  /** The run is now part of the document's cost. */
  | 'recorded'
  /** The run was recorded before (a redelivered event): nothing changed. */
  | 'duplicate'
  /** No item for the document: nothing recorded the run's document (it ended before any write). */
  | 'no-document';

/** The documents' costs, on their metadata items. */
export interface CostLedger {
  /**
   * Adds `run` under `runKey` to the document's cost, and its parts and total to the document's,
   * once: a run already recorded under the key changes nothing.
   */
  addRun(documentId: string, runKey: string, run: RunCost): Promise<LedgerOutcome>;
}

export interface RecordCostMetrics {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

export interface RecordCostPorts {
  readonly history: ExecutionHistory;
  readonly functions: FunctionConfigurations;
  readonly ledger: CostLedger;
  readonly prices: PriceTable;
  /** The starter and textract-callback functions (names or ARNs), invoked outside the execution. */
  readonly starterFunction: string;
  readonly textractCallbackFunction: string;
  readonly metrics: RecordCostMetrics;
  /** Told the document id as soon as it is known (log keys, trace annotation). */
  readonly onDocument?: (documentId: string) => void;
}

export type RecordCostResult =
  | {
      readonly documentId: string;
      readonly runKey: string;
      readonly outcome: LedgerOutcome;
      readonly totalUsd: number;
    }
  /** The execution's input names no document (started by hand with other input): nothing to price. */
  | { readonly runKey: string; readonly outcome: 'not-a-document' };

/**
 * The key of a run in a document's cost: the execution's name for its own run, `<name>#redrive<n>` for
 * its n-th RedriveExecution. `#` cannot occur in an execution name, so keys never collide, and the key
 * is what makes recording idempotent: EventBridge may deliver an event more than once.
 */
export const runKeyOf = (name: string, redriveCount = 0): string =>
  redriveCount > 0 ? `${name}#redrive${redriveCount}` : name;

/**
 * Whether the starter started this run: not for redrives (RedriveExecution, or `docflow redrive`'s new
 * execution `<name>-r<n>`, decision 23), which reuse the original input without a new notification.
 */
export const startedByStarter = (name: string, redriveCount: number): boolean =>
  redriveCount === 0 && !/-r\d+$/.test(name);

const documentInputSchema = z.union([
  z.object({ document: z.object({ id: z.string().check(z.minLength(1)) }) }),
  z.object({ deletion: z.object({ id: z.string().check(z.minLength(1)) }) }),
]);

/** The document id of an execution input: `document.id` of an upload, `deletion.id` of a removal. */
export const documentIdOfInput = (input: string | null | undefined): string | undefined => {
  if (input == null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    return undefined;
  }
  const parsed = documentInputSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return 'document' in parsed.data ? parsed.data.document.id : parsed.data.deletion.id;
};

const isoOf = (event: HistoryEvent | undefined, fallback: string): string =>
  event?.timestamp ? event.timestamp.toISOString() : fallback;

/**
 * Prices one ended run of the pipeline and adds it to its document's cost: reads the execution's
 * history, counts what the run used (`measureRun`), prices it with the configured table and records it
 * under the run's key (once). The figures come from the execution itself, so they are the same in AWS
 * and in the local cloud.
 * @throws when the history or a function's configuration cannot be read, or the run has no events (the
 *   event is retried, then dead-lettered)
 */
export const recordRunCost = async (
  detail: z.output<typeof statusChangeDetailSchema>,
  ports: RecordCostPorts,
): Promise<RecordCostResult> => {
  const redriveCount = detail.redriveCount ?? 0;
  const runKey = runKeyOf(detail.name, redriveCount);
  const history = await ports.history.events(detail.executionArn);
  const started = history.find((event) => event.type === 'ExecutionStarted');
  const documentId =
    documentIdOfInput(detail.input) ?? documentIdOfInput(started?.executionStartedEventDetails?.input);
  if (documentId === undefined) {
    ports.metrics.addMetric('CostNotADocument', MetricUnit.Count, 1);
    return { runKey, outcome: 'not-a-document' };
  }
  ports.onDocument?.(documentId);
  const run = runEvents(history, redriveCount);
  if (run.length === 0) {
    throw new Error(`the history of ${detail.executionArn} has no events of redrive ${redriveCount}`);
  }
  const names = [...functionsOf(run), ports.starterFunction, ports.textractCallbackFunction];
  const configs = new Map(
    await Promise.all(names.map(async (name) => [name, await ports.functions.get(name)] as const)),
  );
  const measured = measureRun(run, history, {
    configOf: (name) => {
      const config = configs.get(name);
      if (!config) throw new Error(`no configuration read for function ${name}`);
      return config;
    },
    starterFunction: ports.starterFunction,
    textractCallbackFunction: ports.textractCallbackFunction,
    startedByStarter: startedByStarter(detail.name, redriveCount),
  });
  const priced = priceRun(measured, ports.prices);
  const now = new Date().toISOString();
  const cost: RunCost = {
    execution: detail.name,
    redriveCount,
    status: detail.status,
    startedAt: isoOf(run[0], now),
    stoppedAt: isoOf(run.at(-1), now),
    totalUsd: priced.totalUsd,
    parts: priced.parts,
    usage: usageOf(measured),
    prices: { region: ports.prices.region, asOf: ports.prices.asOf },
  };
  const outcome = await ports.ledger.addRun(documentId, runKey, cost);
  if (outcome === 'recorded') {
    ports.metrics.addMetric('RunCostRecorded', MetricUnit.Count, 1);
    ports.metrics.addMetric('StateTransitions', MetricUnit.Count, measured.stateTransitions);
  } else if (outcome === 'no-document') {
    ports.metrics.addMetric('CostWithoutDocument', MetricUnit.Count, 1);
  }
  return { documentId, runKey, outcome, totalUsd: cost.totalUsd };
};
