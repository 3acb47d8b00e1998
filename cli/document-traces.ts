import type { RawTrace } from '../console/shared/trace-entities';
import { buildTraceTree, type TraceFacts } from '../console/shared/trace-tree';
import type { DocumentDetail } from '../lambdas/api/schemas';
import type { FoundTrace, TimeWindow, TracesReader } from './ports';

/** X-Ray keeps traces 30 days. */
export const TRACE_RETENTION_MS = 30 * 24 * 3_600_000;
/**
 * The longest time range one GetTraceSummaries call is given. X-Ray scans by time: short ranges keep
 * each call quick, and a few calls find a document's runs, which happen near known instants.
 */
export const QUERY_WINDOW_MS = 6 * 3_600_000;
/** Slack before a known instant: clocks differ, and a run's trace starts before the record's write. */
const SLACK_MS = 60_000;
/** How long before an execution's trace the starter's trace (which started it) is looked for. */
const STARTER_LOOKBACK_MS = 15 * 60_000;

/** The annotation every handler subsegment of a document's run carries. */
export const DOCUMENT_ANNOTATION = 'documentId';
/** The annotation the starter's per-record subsegment carries: the trace of the execution it started. */
export const STARTER_ANNOTATION = 'executionTraceId';

const merge = (windows: readonly [number, number][]): [number, number][] => {
  const sorted = windows.filter(([from, to]) => to > from).toSorted((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
};

/**
 * Where a document's traces are looked for, newest first, each at most {@link QUERY_WINDOW_MS} long.
 * With `since`, everything from then to now. Otherwise the hours after the upload (its run) and after
 * the record's last write (the newest run: a redrive, a re-upload, a deletion), within X-Ray's 30 days;
 * a run in between that wrote nothing later is found with `since`.
 */
export const searchWindows = (
  document: Pick<DocumentDetail, 'uploadedAt' | 'updatedAt'>,
  now: number,
  since?: number,
): TimeWindow[] => {
  const earliest = now - TRACE_RETENTION_MS;
  const latest = now + SLACK_MS;
  const around = (instant: string): [number, number] => {
    const at = Date.parse(instant);
    return Number.isNaN(at) ? [earliest, latest] : [at - SLACK_MS, at - SLACK_MS + QUERY_WINDOW_MS];
  };
  const wanted: [number, number][] =
    since === undefined ? [around(document.uploadedAt), around(document.updatedAt)] : [[since, latest]];
  const clipped = wanted.map(([from, to]): [number, number] => [
    Math.max(from, earliest),
    Math.min(to, latest),
  ]);
  const windows: TimeWindow[] = [];
  for (const [from, to] of merge(clipped).toReversed()) {
    for (let end = to; end > from; end -= QUERY_WINDOW_MS) {
      windows.push({ from: new Date(Math.max(from, end - QUERY_WINDOW_MS)), to: new Date(end) });
    }
  }
  return windows;
};

/** The document's traces found in the windows, newest first (by start). */
export const findDocumentTraces = async (
  traces: Pick<TracesReader, 'findByAnnotation'>,
  documentId: string,
  windows: readonly TimeWindow[],
): Promise<FoundTrace[]> => {
  const byId = new Map<string, FoundTrace>();
  for (const window of windows) {
    for (const found of await traces.findByAnnotation(DOCUMENT_ANNOTATION, documentId, window)) {
      if (!byId.has(found.id)) byId.set(found.id, found);
    }
  }
  return [...byId.values()].sort(
    (a, b) => b.startTime.getTime() - a.startTime.getTime() || (a.id < b.id ? 1 : -1),
  );
};

/** The starter's trace that started an execution's trace, found by the starter's annotation. */
export const findStarterTrace = async (
  traces: Pick<TracesReader, 'findByAnnotation'>,
  traceId: string,
  startedAt: number,
): Promise<FoundTrace | undefined> => {
  // By start: the starter's trace began just before the execution it started.
  const [found] = await traces.findByAnnotation(STARTER_ANNOTATION, traceId, {
    from: new Date(startedAt - STARTER_LOOKBACK_MS),
    to: new Date(startedAt + SLACK_MS),
    by: 'started',
  });
  return found;
};

/** A document's newest trace, read whole, with its facts and the ids of its other traces. */
export interface NewestTrace {
  readonly trace: RawTrace;
  readonly facts: TraceFacts;
  /** The document's other traces, newest first. */
  readonly others: readonly FoundTrace[];
}

/** The newest trace of a document (what `show` summarizes); undefined when X-Ray has none (yet). */
export const newestDocumentTrace = async (
  traces: TracesReader,
  document: Pick<DocumentDetail, 'id' | 'uploadedAt' | 'updatedAt'>,
  now: number,
): Promise<NewestTrace | undefined> => {
  const found = await findDocumentTraces(traces, document.id, searchWindows(document, now));
  const [newest, ...others] = found;
  if (!newest) return undefined;
  const [trace] = await traces.get([newest.id]);
  if (!trace) return undefined;
  return { trace, facts: buildTraceTree(trace).facts, others };
};

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** Whether a string is an X-Ray trace id (`1-<8 hex>-<24 hex>`). */
export const isTraceId = (value: string): boolean => TRACE_ID.test(value);
