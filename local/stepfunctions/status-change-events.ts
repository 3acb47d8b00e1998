import type { ExecutionRecord } from './execution-store';

/** EventBridge's `source` and `detail-type` of what Step Functions sends on every status change. */
export const STATES_EVENT_SOURCE = 'aws.states';
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/**
 * Step Functions leaves the input out of the event when the escaped input and output together exceed
 * 248 KB, and the output when it alone does (EventBridge's event size quota).
 */
export const MAX_ESCAPED_PAYLOAD_BYTES = 248 * 1024;

/** Where the status changes go: the local EventBridge's default bus. */
export interface ExecutionEventSink {
  put(entry: {
    readonly source: string;
    readonly detailType: string;
    readonly detail: unknown;
    readonly resources: readonly string[];
    readonly time: Date;
  }): unknown;
}

/** The `detail` of a "Step Functions Execution Status Change" event. */
export interface ExecutionStatusChangeDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionRecord['status'];
  /** Epoch milliseconds. */
  readonly startDate: number;
  readonly stopDate: number | null;
  readonly input: string | null;
  readonly inputDetails: { readonly included: boolean };
  readonly output: string | null;
  readonly outputDetails: { readonly included: boolean } | null;
  readonly error: string | null;
  readonly cause: string | null;
  readonly redriveCount: number;
  readonly redriveDate: number | null;
  readonly redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  readonly redriveStatusReason: string | null;
}

const escapedBytes = (text: string | undefined): number =>
  text === undefined ? 0 : Buffer.byteLength(JSON.stringify(text));

/**
 * The event detail for an execution as it is now, shaped as Step Functions sends it to EventBridge
 * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html): the DescribeExecution fields
 * with dates in epoch milliseconds and `null` for what is not set.
 */
export const statusChangeDetail = (execution: ExecutionRecord): ExecutionStatusChangeDetail => {
  const outputIncluded = escapedBytes(execution.output) <= MAX_ESCAPED_PAYLOAD_BYTES;
  const inputIncluded =
    escapedBytes(execution.input) + (outputIncluded ? escapedBytes(execution.output) : 0) <=
    MAX_ESCAPED_PAYLOAD_BYTES;
  const redrivable = execution.status !== 'RUNNING' && execution.status !== 'SUCCEEDED';
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    stopDate: execution.stopDate ?? null,
    input: inputIncluded ? execution.input : null,
    inputDetails: { included: inputIncluded },
    output: execution.output !== undefined && outputIncluded ? execution.output : null,
    outputDetails: execution.output === undefined ? null : { included: outputIncluded },
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate ?? null,
    redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    redriveStatusReason: redrivable ? null : `Execution is ${execution.status} and cannot be redriven`,
  };
};

/**
 * Sends the execution's current status to the sink: `RUNNING` when it starts or is redriven, the
 * terminal status when it ends. The event's time is the change's own (start, redrive or stop date).
 */
export const publishStatusChange = (sink: ExecutionEventSink, execution: ExecutionRecord): void => {
  const at =
    execution.status === 'RUNNING'
      ? (execution.redriveDate ?? execution.startDate)
      : (execution.stopDate ?? Date.now());
  sink.put({
    source: STATES_EVENT_SOURCE,
    detailType: EXECUTION_STATUS_CHANGE,
    detail: statusChangeDetail(execution),
    resources: [execution.executionArn],
    time: new Date(at),
  });
};
