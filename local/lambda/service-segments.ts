import {
  epochSeconds,
  formatTraceHeader,
  newEntityId,
  newTraceId,
  parseTraceHeader,
  type SegmentSink,
} from '../xray/trace-header';
import type { ErrorPayload } from './runtime-protocol';

/** `TracingConfig.Mode` of a function. */
export type TracingMode = 'Active' | 'PassThrough';

/** What Lambda decided about one invocation's trace. */
export interface InvocationTrace {
  /** The function's `_X_AMZN_TRACE_ID` for this invocation. */
  readonly header: string;
  /** Present when the invocation is sampled: Lambda then writes its two segments. */
  readonly sampled?: {
    readonly traceId: string;
    /** The caller's segment or subsegment, the `AWS::Lambda` segment's parent. */
    readonly callerId?: string;
    readonly serviceSegmentId: string;
    readonly functionSegmentId: string;
  };
}

/**
 * Decides an invocation's trace as Lambda does: the caller's sampling decision stands (`Sampled=1` is
 * traced even in PassThrough mode, `Sampled=0` never); with no decision, an `Active` function samples
 * (locally, everything) and a PassThrough one does not. A call without a header starts a new trace.
 * A sampled function sees its own `AWS::Lambda::Function` segment as the Parent, so the X-Ray SDK in it
 * hangs its subsegments there.
 */
export const traceInvocation = (mode: TracingMode, callerHeader: string | undefined): InvocationTrace => {
  const caller = parseTraceHeader(callerHeader);
  const sampled = caller?.sampled ?? mode === 'Active';
  if (!sampled) {
    return {
      header: caller
        ? (callerHeader ?? '')
        : formatTraceHeader({ root: newTraceId(), parent: newEntityId(), sampled: false }),
    };
  }
  const traceId = caller?.root ?? newTraceId();
  const functionSegmentId = newEntityId();
  return {
    header: formatTraceHeader({ root: traceId, parent: functionSegmentId, sampled: true }),
    sampled: {
      traceId,
      ...(caller?.parent ? { callerId: caller.parent } : {}),
      serviceSegmentId: newEntityId(),
      functionSegmentId,
    },
  };
};

/** A stretch of time in epoch milliseconds. */
export interface Span {
  readonly startedAt: number;
  readonly endedAt: number;
}

/** How one invocation went, as the Lambda service saw it. */
export interface InvocationRecord {
  readonly requestId: string;
  /** When the service took the request, and when it answered. */
  readonly receivedAt: number;
  readonly respondedAt: number;
  readonly outcome:
    | { readonly kind: 'success' }
    /** The function failed (`X-Amz-Function-Error: Unhandled`): its own error or the runtime's. */
    | { readonly kind: 'function-error'; readonly error: ErrorPayload }
    /** Refused before any environment ran it (reserved concurrency 0). */
    | { readonly kind: 'throttled' };
  /** The Init phase, on the first invocation of an execution environment only (a cold start). */
  readonly initialization?: Span;
  /** From the handler's call to its response; absent when the Init phase failed. */
  readonly invocation?: Span;
  /** From the response to the environment being ready for the next event. */
  readonly overhead?: Span;
}

/** The function as its segments name it. */
export interface TracedFunction {
  readonly name: string;
  readonly arn: string;
}

/** X-Ray keeps a document to 64 KiB; an error message is cut well below that. */
const MAX_MESSAGE_CHARS = 4_096;

const causeOf = (error: ErrorPayload) => ({
  exceptions: [
    {
      id: newEntityId(),
      type: error.errorType,
      message:
        error.errorMessage.length > MAX_MESSAGE_CHARS
          ? `${error.errorMessage.slice(0, MAX_MESSAGE_CHARS)}…`
          : error.errorMessage,
    },
  ],
});

const subsegment = (name: string, span: Span, error?: ErrorPayload): Record<string, unknown> => ({
  id: newEntityId(),
  name,
  start_time: epochSeconds(span.startedAt),
  end_time: epochSeconds(Math.max(span.startedAt, span.endedAt)),
  ...(error ? { fault: true, cause: causeOf(error) } : {}),
});

/**
 * The segments the Lambda service writes for a sampled invocation: `AWS::Lambda` (the service: from
 * receiving the request to answering it, with its HTTP status; `error` when the function failed,
 * `throttle` when it was refused) and, when an environment ran it, `AWS::Lambda::Function` under it
 * (`Initialization` on a cold start, `Invocation`, `Overhead`; `fault` and the cause on the phase that
 * failed). The X-Ray SDK inside the function adds its subsegments to the function segment.
 */
export const lambdaServiceSegments = (
  fn: TracedFunction,
  trace: NonNullable<InvocationTrace['sampled']>,
  record: InvocationRecord,
): Record<string, unknown>[] => {
  const { outcome } = record;
  const functionError = outcome.kind === 'function-error' ? outcome.error : undefined;
  const phases = [record.initialization, record.invocation, record.overhead].filter(
    (span): span is Span => span !== undefined,
  );
  const functionStart = Math.min(...phases.map((span) => span.startedAt));
  const functionEnd = Math.max(...phases.map((span) => span.endedAt));
  const service = {
    trace_id: trace.traceId,
    id: trace.serviceSegmentId,
    name: fn.name,
    origin: 'AWS::Lambda',
    ...(trace.callerId ? { parent_id: trace.callerId } : {}),
    start_time: epochSeconds(Math.min(record.receivedAt, functionStart)),
    end_time: epochSeconds(Math.max(record.respondedAt, functionEnd)),
    resource_arn: fn.arn,
    aws: { request_id: record.requestId },
    http: { response: { status: outcome.kind === 'throttled' ? 429 : 200 } },
    ...(outcome.kind === 'throttled' ? { error: true, throttle: true } : {}),
    ...(functionError ? { error: true } : {}),
  };
  if (phases.length === 0) return [service];
  const failedInInit = functionError !== undefined && record.invocation === undefined;
  const subsegments = [
    ...(record.initialization
      ? [subsegment('Initialization', record.initialization, failedInInit ? functionError : undefined)]
      : []),
    ...(record.invocation ? [subsegment('Invocation', record.invocation, functionError)] : []),
    ...(record.overhead ? [subsegment('Overhead', record.overhead)] : []),
  ];
  const accountId = fn.arn.split(':')[4];
  const functionSegment = {
    trace_id: trace.traceId,
    id: trace.functionSegmentId,
    name: fn.name,
    origin: 'AWS::Lambda::Function',
    parent_id: trace.serviceSegmentId,
    start_time: epochSeconds(functionStart),
    end_time: epochSeconds(functionEnd),
    aws: { ...(accountId ? { account_id: accountId } : {}), function_arn: fn.arn, resource_names: [fn.name] },
    ...(functionError ? { fault: true, cause: causeOf(functionError) } : {}),
    subsegments,
  };
  return [service, functionSegment];
};

/** Puts each document; a sink that throws loses the segment, never the invocation. */
export const writeSegments = (
  sink: SegmentSink,
  documents: readonly Record<string, unknown>[],
  onError: (error: unknown) => void,
): void => {
  for (const document of documents) {
    try {
      sink.put(document);
    } catch (error) {
      onError(error);
    }
  }
};
