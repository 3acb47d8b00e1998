import { invalidRequest, XRayApiError } from './api-errors';
import { type ApiInput, asInput, optionalString, stringList, timeRange, traceIdList } from './api-input';
import { matchesFilter } from './filter-evaluator';
import { FilterExpressionError } from './filter-lexer';
import { type FilterNode, parseFilterExpression } from './filter-parser';
import type { SamplingRules } from './sampling';
import { checkSegmentDocument, type RejectedDocument } from './segment-document';
import { serviceGraph } from './service-graph';
import { type AssembledTrace, assembleTrace } from './trace-assembly';
import { filterFacts, seconds, traceExtent } from './trace-facts';
import { type TraceGraph, traceGraph } from './trace-graph';
import type { TimeRangeType, TraceCursor, TraceStore } from './trace-store';
import { traceSummary } from './trace-summary';

/** The operations the local X-Ray answers, by the REST-JSON path `@aws-sdk/client-xray` posts to. */
export const OPERATION_PATHS = {
  '/TraceSegments': 'PutTraceSegments',
  '/TraceSummaries': 'GetTraceSummaries',
  '/Traces': 'BatchGetTraces',
  '/ServiceGraph': 'GetServiceGraph',
  '/TraceGraph': 'GetTraceGraph',
  '/GetSamplingRules': 'GetSamplingRules',
  '/SamplingTargets': 'GetSamplingTargets',
} as const;

export type OperationName = (typeof OPERATION_PATHS)[keyof typeof OPERATION_PATHS];

const TIME_RANGE_TYPES: readonly TimeRangeType[] = ['TraceId', 'Event', 'Service'];
/** Traces read from the store per round while a filtered page fills. */
const SCAN_BATCH = 100;

export interface XRayApiOptions {
  readonly store: TraceStore;
  readonly sampling: SamplingRules;
  /** Trace summaries per GetTraceSummaries page. @default 100 */
  readonly pageSize?: number;
  /** The clock, in epoch seconds. @default Date.now() / 1000 */
  readonly now?: () => number;
}

const encodeCursor = (cursor: TraceCursor): string =>
  Buffer.from(JSON.stringify([cursor.idTime, cursor.traceId])).toString('base64url');

const decodeCursor = (token: string | undefined): TraceCursor | undefined => {
  if (token === undefined) return undefined;
  try {
    const [idTime, traceId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof idTime === 'number' && typeof traceId === 'string') return { idTime, traceId };
  } catch {}
  throw invalidRequest('NextToken is not a token this service issued');
};

const parseFilter = (expression: string | undefined): FilterNode | undefined => {
  if (expression === undefined || expression.trim() === '') return undefined;
  try {
    return parseFilterExpression(expression);
  } catch (error) {
    if (error instanceof FilterExpressionError) throw invalidRequest(error.message);
    throw error;
  }
};

/**
 * The X-Ray API over the trace store: segment documents in, trace summaries (with filter
 * expressions), full traces and service graphs out, in the shapes `@aws-sdk/client-xray` reads.
 * Traces are assembled from their documents when read, so a late document shows up at once.
 */
export class XRayApi {
  readonly #store: TraceStore;
  readonly #sampling: SamplingRules;
  readonly #pageSize: number;
  readonly #now: () => number;

  constructor(options: XRayApiOptions) {
    this.#store = options.store;
    this.#sampling = options.sampling;
    this.#pageSize = options.pageSize ?? 100;
    this.#now = options.now ?? (() => Date.now() / 1000);
  }

  call(operation: OperationName, body: unknown): unknown {
    const input = asInput(body);
    switch (operation) {
      case 'PutTraceSegments':
        return this.putTraceSegments(input);
      case 'GetTraceSummaries':
        return this.getTraceSummaries(input);
      case 'BatchGetTraces':
        return this.batchGetTraces(input);
      case 'GetServiceGraph':
        return this.getServiceGraph(input);
      case 'GetTraceGraph':
        return this.getTraceGraph(input);
      case 'GetSamplingRules':
        return this.#sampling.getSamplingRules();
      case 'GetSamplingTargets':
        return this.#sampling.getSamplingTargets(input, this.#now());
    }
  }

  /** Validates and stores one segment document; what the daemon does with each datagram. */
  ingest(text: string): RejectedDocument | undefined {
    const checked = checkSegmentDocument(text);
    if (!checked.ok) return checked.rejection;
    this.#store.put(checked.document, this.#now());
    return undefined;
  }

  putTraceSegments(input: ApiInput): Record<string, unknown> {
    const documents = stringList(input, 'TraceSegmentDocuments');
    const unprocessed = documents.flatMap((document) => {
      const rejection = this.ingest(document);
      return rejection
        ? [
            {
              ...(rejection.id ? { Id: rejection.id } : {}),
              ErrorCode: rejection.errorCode,
              Message: rejection.message,
            },
          ]
        : [];
    });
    return { UnprocessedTraceSegments: unprocessed };
  }

  #read(traceId: string): { trace: AssembledTrace; graph: TraceGraph } {
    const trace = assembleTrace(traceId, this.#store.documents(traceId));
    return { trace, graph: traceGraph(trace) };
  }

  getTraceSummaries(input: ApiInput): Record<string, unknown> {
    const { start, end } = timeRange(input);
    const timeRangeType = (optionalString(input, 'TimeRangeType') ?? 'Event') as TimeRangeType;
    if (!TIME_RANGE_TYPES.includes(timeRangeType))
      throw invalidRequest(`TimeRangeType must be one of ${TIME_RANGE_TYPES.join(', ')}`);
    const filter = parseFilter(optionalString(input, 'FilterExpression'));
    let cursor = decodeCursor(optionalString(input, 'NextToken'));
    const summaries: Record<string, unknown>[] = [];
    let processed = 0;
    for (;;) {
      const batch = this.#store.traces({
        timeRangeType,
        start,
        end,
        limit: SCAN_BATCH,
        ...(cursor ? { after: cursor } : {}),
      });
      for (const stored of batch) {
        processed += 1;
        cursor = stored;
        const { trace, graph } = this.#read(stored.traceId);
        if (filter && !matchesFilter(filter, filterFacts(trace, graph))) continue;
        summaries.push(traceSummary(stored, trace, graph));
        if (summaries.length === this.#pageSize)
          return this.#summaries(
            summaries,
            processed,
            encodeCursor({ idTime: stored.idTime, traceId: stored.traceId }),
          );
      }
      if (batch.length < SCAN_BATCH) return this.#summaries(summaries, processed);
    }
  }

  #summaries(
    summaries: Record<string, unknown>[],
    processed: number,
    nextToken?: string,
  ): Record<string, unknown> {
    return {
      TraceSummaries: summaries,
      ApproximateTime: Math.floor(this.#now()),
      TracesProcessedCount: processed,
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  batchGetTraces(input: ApiInput): Record<string, unknown> {
    const traceIds = traceIdList(input, 'TraceIds');
    const traces: Record<string, unknown>[] = [];
    const unprocessed: string[] = [];
    for (const traceId of traceIds) {
      if (!this.#store.trace(traceId)) {
        unprocessed.push(traceId);
        continue;
      }
      const { trace, graph } = this.#read(traceId);
      const extent = traceExtent(trace);
      traces.push({
        Id: traceId,
        Duration: extent ? seconds(extent.end - extent.start) : 0,
        LimitExceeded: false,
        Segments: [...trace.segments, ...graph.inferred].map((segment) => ({
          Id: segment.id,
          Document: JSON.stringify(segment),
        })),
      });
    }
    return { Traces: traces, UnprocessedTraceIds: unprocessed };
  }

  getServiceGraph(input: ApiInput): Record<string, unknown> {
    const window = timeRange(input);
    const group = optionalString(input, 'GroupName');
    if ((group !== undefined && group !== 'Default') || input.GroupARN !== undefined)
      throw invalidRequest('The local X-Ray has only the Default group');
    const graphs = this.#store
      .tracesActiveBetween(window.start, window.end)
      .map((stored) => this.#read(stored.traceId).graph);
    return {
      StartTime: window.start,
      EndTime: window.end,
      Services: serviceGraph(graphs, window),
      ContainsOldGroupVersions: false,
    };
  }

  getTraceGraph(input: ApiInput): Record<string, unknown> {
    const graphs = traceIdList(input, 'TraceIds')
      .filter((traceId) => this.#store.trace(traceId) !== undefined)
      .map((traceId) => this.#read(traceId).graph);
    return { Services: serviceGraph(graphs) };
  }
}

/** An operation X-Ray has and the local X-Ray does not: answered 501 naming it. */
export const notImplemented = (operation: string): XRayApiError =>
  new XRayApiError(
    'NotImplemented',
    `The local X-Ray does not implement ${operation} (it implements: ${Object.values(OPERATION_PATHS).join(', ')})`,
    501,
  );
