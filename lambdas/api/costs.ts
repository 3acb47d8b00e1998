import { LIST_SHARDS } from '../shared/documents/document';
import {
  COST_PARTS,
  type CostPart,
  type DocumentCost,
  picodollarsOf,
  usdOf,
} from '../shared/documents/document-cost';
import type { MetadataItem } from '../shared/documents/metadata-item';
import * as z from '../shared/runtime/zod';
import type { CostSummary, DocumentCostDetail, DocumentCostSummary } from './cost-schemas';
import { CursorCodec } from './cursor';
import { cursorShardsSchema, fromCursorShards, toCursorShards } from './cursor-shards';
import { initialShards, listPage, type ShardCursor } from './listing';
import type { DocumentCatalog, ListFilters } from './ports';
import { InvalidCursorError, InvalidParameterError } from './problems';
import { type ApiRequest, type ApiResponse, parseParameters, type Route } from './router';
import { listDocumentsQuery } from './schemas';

/** The cost on a document summary (allow-listed: totals, parts, how many runs). */
export const costSummaryOf = (cost: DocumentCost): DocumentCostSummary => ({
  currency: 'USD',
  totalUsd: cost.totalUsd,
  parts: Object.fromEntries(COST_PARTS.map((part) => [part, cost.parts[part] ?? 0])) as Record<
    CostPart,
    number
  >,
  runCount: Object.keys(cost.runs ?? {}).length,
});

/** The cost on a document's detail: the summary and each run, oldest first. */
export const costDetailOf = (cost: DocumentCost): DocumentCostDetail => ({
  ...costSummaryOf(cost),
  runs: Object.entries(cost.runs ?? {})
    .map(([key, run]) => ({
      key,
      execution: run.execution,
      redriveCount: run.redriveCount,
      status: run.status,
      startedAt: run.startedAt,
      stoppedAt: run.stoppedAt,
      totalUsd: run.totalUsd,
      parts: Object.fromEntries(COST_PARTS.map((part) => [part, run.parts[part] ?? 0])) as Record<
        CostPart,
        number
      >,
      usage: run.usage,
      prices: { region: run.prices.region, asOf: run.prices.asOf },
    }))
    .sort((a, b) =>
      a.startedAt === b.startedAt ? a.key.localeCompare(b.key) : a.startedAt < b.startedAt ? -1 : 1,
    ),
});

/** Group key of documents that have no type or strategy recorded (rejected before Inspect said). */
export const UNKNOWN_GROUP = 'unknown';

interface Group {
  documents: number;
  pico: number;
}

type GroupName = 'byType' | 'byStrategy' | 'byStatus';

/**
 * Adds documents' costs up, exactly (in picodollars): totals and parts, and per type, text strategy
 * and status. Documents without a cost count as documents, not in the averages.
 */
export class CostTotals {
  documents = 0;
  costed = 0;
  #pico = 0;
  readonly #parts = Object.fromEntries(COST_PARTS.map((part) => [part, 0])) as Record<CostPart, number>;
  readonly #groups: Record<GroupName, Map<string, Group>> = {
    byType: new Map(),
    byStrategy: new Map(),
    byStatus: new Map(),
  };

  add(item: Pick<MetadataItem, 'cost' | 'type' | 'textStrategy' | 'status'>): void {
    this.documents += 1;
    const { cost } = item;
    if (!cost) return;
    this.costed += 1;
    const pico = picodollarsOf(cost.totalUsd);
    this.#pico += pico;
    for (const part of COST_PARTS) this.#parts[part] += picodollarsOf(cost.parts[part] ?? 0);
    const keys = {
      byType: item.type ?? UNKNOWN_GROUP,
      byStrategy: item.textStrategy ?? UNKNOWN_GROUP,
      byStatus: item.status,
    };
    for (const [name, key] of Object.entries(keys) as [GroupName, string][]) {
      const group = this.#groups[name].get(key) ?? { documents: 0, pico: 0 };
      group.documents += 1;
      group.pico += pico;
      this.#groups[name].set(key, group);
    }
  }

  summary(
    range: { uploadedAfter?: string; uploadedBefore?: string },
    nextCursor: string | null,
  ): CostSummary {
    const groups = (name: GroupName) =>
      [...this.#groups[name].entries()]
        .map(([key, group]) => ({
          key,
          documents: group.documents,
          totalUsd: usdOf(group.pico),
          averageUsd: usdOf(Math.round(group.pico / group.documents)),
        }))
        .sort((a, b) => b.totalUsd - a.totalUsd || a.key.localeCompare(b.key));
    return {
      uploadedAfter: range.uploadedAfter ?? null,
      uploadedBefore: range.uploadedBefore ?? null,
      currency: 'USD',
      documents: this.documents,
      costedDocuments: this.costed,
      totalUsd: usdOf(this.#pico),
      averageUsd: this.costed === 0 ? null : usdOf(Math.round(this.#pico / this.costed)),
      parts: Object.fromEntries(COST_PARTS.map((part) => [part, usdOf(this.#parts[part])])) as Record<
        CostPart,
        number
      >,
      byType: groups('byType'),
      byStrategy: groups('byStrategy'),
      byStatus: groups('byStatus'),
      nextCursor,
    };
  }
}

export const costsQuery = z.pick(listDocumentsQuery, {
  uploadedAfter: true,
  uploadedBefore: true,
  cursor: true,
});

const CURSOR_VERSION = 1;

const costsCursorSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  k: z.literal('costs'),
  f: z.strictObject({ uploadedAfter: z.optional(z.string()), uploadedBefore: z.optional(z.string()) }),
  s: cursorShardsSchema,
});

export interface CostsApiConfig {
  /** HMAC key of the cursors (the listing's). */
  readonly cursorSecret: string;
  /** @default LIST_SHARDS */
  readonly shardCount?: number;
  /**
   * Documents one response reads at most, so that a wide range answers within the API's time: past it
   * the response carries a cursor. @default {@link MAX_DOCUMENTS_PER_RESPONSE}
   */
  readonly maxDocuments?: number;
}

/** Documents one `GET /costs` reads before it answers with a cursor (20 listing pages of 100). */
export const MAX_DOCUMENTS_PER_RESPONSE = 2_000;

/** The listing's page size while summing. */
const PAGE = 100;

/**
 * `GET /costs?uploadedAfter=&uploadedBefore=`: the modelled cost of the documents uploaded in a range,
 * in total, per part, and per type, text strategy and status (sums and averages), read through the
 * sharded listing (decision 6) without a scan.
 */
export const costRoutes = (catalog: DocumentCatalog, config: CostsApiConfig): Route[] => {
  const shardCount = config.shardCount ?? LIST_SHARDS;
  const maxDocuments = config.maxDocuments ?? MAX_DOCUMENTS_PER_RESPONSE;
  const cursors = new CursorCodec(config.cursorSecret, costsCursorSchema);

  const summarize = async (request: ApiRequest): Promise<ApiResponse> => {
    const query = parseParameters(costsQuery, request.query);
    const filters: ListFilters = {
      ...(query.uploadedAfter ? { uploadedAfter: new Date(query.uploadedAfter).toISOString() } : {}),
      ...(query.uploadedBefore ? { uploadedBefore: new Date(query.uploadedBefore).toISOString() } : {}),
    };
    if (filters.uploadedAfter && filters.uploadedBefore && filters.uploadedAfter > filters.uploadedBefore) {
      throw new InvalidParameterError([
        { parameter: 'uploadedBefore', message: 'must not be earlier than uploadedAfter' },
      ]);
    }
    let shards: readonly ShardCursor[] | undefined = initialShards(shardCount);
    if (query.cursor !== undefined) {
      const cursor = cursors.decode(query.cursor);
      if (
        cursor.f.uploadedAfter !== filters.uploadedAfter ||
        cursor.f.uploadedBefore !== filters.uploadedBefore
      )
        throw new InvalidCursorError('the cursor was issued for another range; repeat it unchanged');
      if (cursor.s.length !== shardCount)
        throw new InvalidCursorError('the cursor is from an incompatible listing layout');
      shards = fromCursorShards(cursor.s);
    }
    const totals = new CostTotals();
    while (shards && totals.documents < maxDocuments) {
      const page = await listPage(catalog, {
        filters,
        limit: Math.min(PAGE, maxDocuments - totals.documents),
        shards,
      });
      for (const item of page.items) totals.add(item);
      shards = page.shards;
    }
    const nextCursor = shards
      ? cursors.encode({ v: CURSOR_VERSION, k: 'costs', f: filters, s: toCursorShards(shards) })
      : null;
    return { status: 200, body: totals.summary(filters, nextCursor) };
  };

  return [{ method: 'GET', path: '/costs', handle: summarize }];
};
