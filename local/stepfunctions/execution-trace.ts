import { isEntityId, isTraceId } from '../xray/ids';
import { formatTraceHeader, newTraceId, parseTraceHeader } from '../xray/trace-header';

/** Where an execution writes its X-Ray segments. */
export interface ExecutionTrace {
  readonly traceId: string;
  /** The caller's segment or subsegment (the `Parent` of StartExecution's header): the segment's parent. */
  readonly parentId?: string;
}

/**
 * Step Functions' tracing decision at StartExecution. A state machine with tracing enabled traces every
 * execution, continuing the trace of the header it was given or starting one; one without tracing
 * traces only an execution whose header says `Sampled=1`, as AWS documents ("if a trace ID is passed
 * by an upstream service, Step Functions will then send traces"). `Sampled=0` is the caller's decision
 * not to trace. Returns the trace id, or undefined when the execution is not traced.
 */
export const traceIdFor = (tracingEnabled: boolean, traceHeader: string | undefined): string | undefined => {
  const header = parseTraceHeader(traceHeader);
  if (header?.sampled === false) return undefined;
  if (!tracingEnabled && header?.sampled !== true) return undefined;
  return header && isTraceId(header.root) ? header.root : newTraceId();
};

/** The trace of a stored execution: its trace id, and the parent its StartExecution header named. */
export const executionTraceOf = (execution: {
  readonly traceId?: string;
  readonly traceHeader?: string;
}): ExecutionTrace | undefined => {
  if (execution.traceId === undefined) return undefined;
  const header = parseTraceHeader(execution.traceHeader);
  const continues = header?.root === execution.traceId && isEntityId(header.parent);
  return { traceId: execution.traceId, ...(continues && header.parent ? { parentId: header.parent } : {}) };
};

/**
 * The header an untraced execution passes to the functions it invokes: its caller's trace id with the
 * caller's decision not to sample, so the trace id still follows the request. Undefined without one.
 */
export const untracedHeaderOf = (traceHeader: string | undefined): string | undefined => {
  const header = parseTraceHeader(traceHeader);
  return header && isTraceId(header.root)
    ? formatTraceHeader({ root: header.root, sampled: false })
    : undefined;
};

/** The header a traced Task attempt passes downstream: the function's segments nest under the attempt. */
export const attemptHeader = (traceId: string, attemptId: string): string =>
  formatTraceHeader({ root: traceId, parent: attemptId, sampled: true });
