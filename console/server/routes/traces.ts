import { paginateBatchGetTraces, paginateGetTraceSummaries, type XRayClient } from '@aws-sdk/client-xray';
import { Hono } from 'hono';
import { z } from 'zod';
import { DOCUMENT_ANNOTATION } from '../../../cli/document-traces';
import type { Trace, TraceSummary, TraceSummaryList } from '../../shared/api';
import { answerJson, badRequest, type ErrorLog, problemOf, problemResponse } from '../problems';

export interface TraceRoutesOptions {
  readonly xray: XRayClient;
  readonly description: string;
  readonly log: ErrorLog;
  /** @default Date.now */
  readonly now?: () => number;
}

/** X-Ray refuses a GetTraceSummaries range over 24 hours. */
const MAX_RANGE_MS = 24 * 3_600_000;
const DEFAULT_RANGE_MS = 6 * 3_600_000;
/** Bounds the paging: a document has a handful of traces. */
const MAX_SUMMARIES = 1000;

const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const summariesQuery = z.strictObject({
  documentId: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be a document id (22 base64url characters)'),
  from: instant.optional(),
  to: instant.optional(),
});

const traceId = z.string().regex(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/, 'must be an X-Ray trace id (1-xxxxxxxx-…)');

/**
 * X-Ray for the console: a document's traces (by the `documentId` annotation every handler subsegment
 * carries) and one whole trace with its segment documents parsed.
 */
export const traceRoutes = ({ xray, description, log, now = Date.now }: TraceRoutesOptions): Hono => {
  const routes = new Hono();
  const fail = (error: unknown): Response => problemOf(error, `X-Ray of ${description}`, log);

  routes.get('/traces', async (c) => {
    const query = summariesQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(query.error);
    const to = query.data.to ?? new Date(now());
    const from = query.data.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
    if (to.getTime() - from.getTime() > MAX_RANGE_MS || to < from) {
      return problemResponse(400, 'Bad Request', 'from must be before to, and at most 24 hours before it', [
        { parameter: 'from', message: 'must be at most 24 hours before to' },
      ]);
    }
    return answerJson(async () => {
      const items: TraceSummary[] = [];
      const pages = paginateGetTraceSummaries(
        { client: xray },
        {
          StartTime: from,
          EndTime: to,
          TimeRangeType: 'Event',
          FilterExpression: `annotation.${DOCUMENT_ANNOTATION} = "${query.data.documentId}"`,
        },
      );
      for await (const page of pages) {
        for (const summary of page.TraceSummaries ?? []) {
          if (!summary.Id) continue;
          items.push({
            id: summary.Id,
            ...(summary.StartTime ? { startTime: summary.StartTime.toISOString() } : {}),
            ...(summary.Duration === undefined ? {} : { durationSeconds: summary.Duration }),
            ...(summary.ResponseTime === undefined ? {} : { responseTimeSeconds: summary.ResponseTime }),
            hasError: summary.HasError ?? false,
            hasFault: summary.HasFault ?? false,
            hasThrottle: summary.HasThrottle ?? false,
            ...(summary.EntryPoint?.Name ? { entryPoint: summary.EntryPoint.Name } : {}),
          });
        }
        if (items.length >= MAX_SUMMARIES) break;
      }
      const list: TraceSummaryList = { items };
      return list;
    }, fail);
  });

  routes.get('/traces/:id', async (c) => {
    const id = traceId.safeParse(c.req.param('id'));
    if (!id.success) return badRequest(id.error);
    return answerJson(async () => {
      let trace: { id: string; durationSeconds?: number; segments: Trace['segments'][number][] } | undefined;
      for await (const page of paginateBatchGetTraces({ client: xray }, { TraceIds: [id.data] })) {
        for (const found of page.Traces ?? []) {
          trace ??= {
            id: found.Id ?? id.data,
            ...(found.Duration === undefined ? {} : { durationSeconds: found.Duration }),
            segments: [],
          };
          for (const segment of found.Segments ?? []) {
            if (!segment.Id || !segment.Document) continue;
            let document: unknown;
            try {
              document = JSON.parse(segment.Document);
            } catch {
              document = { unparsable: segment.Document };
            }
            trace.segments.push({ id: segment.Id, document });
          }
        }
      }
      if (!trace) return problemResponse(404, 'Not Found', `X-Ray has no trace ${id.data}`);
      return trace satisfies Trace;
    }, fail);
  });

  return routes;
};
