import { paginateBatchGetTraces, paginateGetTraceSummaries, type XRayClient } from '@aws-sdk/client-xray';
import { type RawTrace, readTrace } from '../../console/shared/trace-entities';
import type { FoundTrace, TimeWindow, TracesReader } from '../ports';

/** BatchGetTraces takes at most 5 trace ids a call. */
const IDS_PER_CALL = 5;
/** Bounds the paging even against a faulty server: a document has a handful of traces, not thousands. */
const MAX_SUMMARIES = 1000;

/** A string literal of X-Ray's filter expression language. */
const quoted = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** X-Ray through @aws-sdk/client-xray: trace summaries by annotation, and whole traces. */
export class XRayTraces implements TracesReader {
  constructor(private readonly xray: XRayClient) {}

  async findByAnnotation(key: string, value: string, window: TimeWindow): Promise<FoundTrace[]> {
    const found: FoundTrace[] = [];
    const pages = paginateGetTraceSummaries(
      { client: this.xray },
      {
        StartTime: window.from,
        EndTime: window.to,
        TimeRangeType: window.by === 'started' ? 'TraceId' : 'Event',
        FilterExpression: `annotation.${key} = ${quoted(value)}`,
      },
    );
    for await (const page of pages) {
      for (const summary of page.TraceSummaries ?? []) {
        if (!summary.Id) continue;
        found.push({
          id: summary.Id,
          startTime: summary.StartTime ?? window.from,
          ...(summary.Duration === undefined ? {} : { durationMs: Math.round(summary.Duration * 1000) }),
          ...(summary.EntryPoint?.Name ? { entryPoint: summary.EntryPoint.Name } : {}),
        });
      }
      if (found.length >= MAX_SUMMARIES) break;
    }
    return found;
  }

  async get(ids: readonly string[]): Promise<RawTrace[]> {
    const unique = [...new Set(ids)];
    const byId = new Map<string, RawTrace>();
    for (let at = 0; at < unique.length; at += IDS_PER_CALL) {
      const pages = paginateBatchGetTraces(
        { client: this.xray },
        { TraceIds: unique.slice(at, at + IDS_PER_CALL) },
      );
      for await (const page of pages) {
        for (const trace of page.Traces ?? []) {
          const read = readTrace(trace);
          const earlier = byId.get(read.id);
          // A large trace may come in more than one page: its segments are joined.
          byId.set(
            read.id,
            earlier
              ? {
                  id: read.id,
                  segments: [...earlier.segments, ...read.segments],
                  documents: [...earlier.documents, ...read.documents],
                  unreadable: earlier.unreadable + read.unreadable,
                }
              : read,
          );
        }
      }
    }
    return unique.flatMap((id) => byId.get(id) ?? []);
  }
}
