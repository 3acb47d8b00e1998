import type { MetadataItem } from '../shared/documents/metadata-item';
import type { DocumentCatalog, ListFilters, ShardPosition } from './ports';

/**
 * A shard's state between pages: `null` once it has nothing more, otherwise where to resume
 * (`after` absent: from its newest item).
 */
export type ShardCursor = { readonly after?: ShardPosition } | null;

export interface ListPageRequest {
  readonly filters: ListFilters;
  readonly limit: number;
  /** One entry per shard; every shard from its start on the first page. */
  readonly shards: readonly ShardCursor[];
  /**
   * Query budget of one request, so that a very selective filter over a large table cannot run into
   * the API Gateway timeout: past it the page comes back short, with a cursor to carry on.
   */
  readonly maxQueries?: number;
}

export interface ListPage {
  readonly items: readonly MetadataItem[];
  /** Where the next page starts; undefined when every shard is exhausted. */
  readonly shards?: readonly ShardCursor[];
}

const DEFAULT_MAX_QUERIES = 64;

/**
 * A shard's first query asks for its share of the page and half as much again. Items fall into the
 * shards by their id's hash, so each holds about `1 / shards` of any page: asking every shard for a whole
 * page, as the listing did, read eight items for each one it returned (a page of 100 evaluated 808).
 */
const SHARE_HEADROOM = 1.5;

/** The first page's shard states. */
export const initialShards = (shardCount: number): ShardCursor[] =>
  Array.from({ length: shardCount }, () => ({}));

/**
 * Newest first; equal times by document id, descending, so the merged order does not depend on
 * which shard answered first. Plain code-unit comparison, as DynamoDB orders ASCII strings.
 */
const newerFirst = (a: MetadataItem, b: MetadataItem): number => {
  if (a.uploadedAt !== b.uploadedAt) return a.uploadedAt > b.uploadedAt ? -1 : 1;
  if (a.documentId === b.documentId) return 0;
  return a.documentId > b.documentId ? -1 : 1;
};

const positionOf = (item: MetadataItem): ShardPosition => ({
  documentId: item.documentId,
  uploadedAt: item.uploadedAt,
});

class QueryBudget {
  #left: number;
  constructor(max: number) {
    this.#left = max;
  }
  take(): boolean {
    if (this.#left <= 0) return false;
    this.#left -= 1;
    return true;
  }
}

/** One shard's newest-first stream: fetched items not yet returned, and where reading stopped. */
class ShardStream {
  #buffer: MetadataItem[] = [];
  #lastTaken: ShardPosition | undefined;
  #next: ShardPosition | undefined;
  #exhausted = false;
  #queried = false;

  constructor(
    private readonly catalog: DocumentCatalog,
    private readonly filters: ListFilters,
    readonly shard: number,
    private readonly start: ShardPosition | undefined,
  ) {
    this.#next = start;
  }

  get head(): MetadataItem | undefined {
    return this.#buffer[0];
  }

  /** Whether this request has queried the shard yet. */
  get queried(): boolean {
    return this.#queried;
  }

  /** Whether the head is known: an item is buffered or the shard has nothing more. */
  get settled(): boolean {
    return this.#buffer.length > 0 || this.#exhausted;
  }

  /** Reads until an item is buffered or the shard ends; false when the budget ran out first. */
  async fill(limit: number, budget: QueryBudget): Promise<boolean> {
    while (!this.settled) {
      if (!budget.take()) return false;
      this.#queried = true;
      const page = await this.catalog.queryShard({
        ...this.filters,
        shard: this.shard,
        limit,
        ...(this.#next ? { startAfter: this.#next } : {}),
      });
      this.#buffer.push(...page.items);
      this.#next = page.next;
      this.#exhausted = page.next === undefined;
    }
    return true;
  }

  take(): MetadataItem | undefined {
    const item = this.#buffer.shift();
    if (item) this.#lastTaken = positionOf(item);
    return item;
  }

  /**
   * Where the next request resumes. Buffered items were read but not returned, so they are read
   * again: resume after the last item returned (or where this request started).
   */
  cursor(): ShardCursor {
    if (this.#buffer.length > 0) {
      const after = this.#lastTaken ?? this.start;
      return after ? { after } : {};
    }
    if (this.#exhausted) return null;
    return this.#next ? { after: this.#next } : {};
  }
}

/**
 * One page of the listing: a k-way merge of the shards' newest-first streams. An item is returned
 * only once every live shard's head is known, so the page is globally newest-first and holds
 * exactly `limit` items when that many remain (unless the query budget ran out). Each shard's
 * position is carried separately, so paging through returns every item exactly once.
 */
export const listPage = async (catalog: DocumentCatalog, request: ListPageRequest): Promise<ListPage> => {
  const { filters, limit } = request;
  const streams = request.shards.flatMap((cursor, shard) =>
    cursor === null ? [] : [new ShardStream(catalog, filters, shard, cursor.after)],
  );
  // Never less than one query per live shard: the first round then always completes, so every
  // request moves some shard forward (or returns an item) and paging cannot stall.
  const budget = new QueryBudget(Math.max(request.maxQueries ?? DEFAULT_MAX_QUERIES, streams.length));
  /**
   * Items one query of `stream` asks for when `want` more are wanted. A shard that ran dry before the
   * others holds more than its share: it is asked for all that is still wanted. With a type filter,
   * `Limit` counts the items evaluated before the filter, which may match few of them: a whole page.
   * One extra item per query tells, without another round trip, whether a shard has more.
   */
  const querySize = (stream: ShardStream, want: number): number => {
    if (filters.type !== undefined) return limit + 1;
    if (stream.queried) return want + 1;
    return Math.min(want, Math.ceil((want * SHARE_HEADROOM) / streams.length)) + 1;
  };
  const fillAll = async (want: number): Promise<boolean> => {
    const results = await Promise.all(streams.map((stream) => stream.fill(querySize(stream, want), budget)));
    return results.every(Boolean);
  };

  const items: MetadataItem[] = [];
  let complete = true;
  while (items.length < limit) {
    if (!(await fillAll(limit - items.length))) {
      complete = false;
      break;
    }
    let newest: ShardStream | undefined;
    for (const stream of streams) {
      const head = stream.head;
      if (head && (!newest?.head || newerFirst(head, newest.head) < 0)) newest = stream;
    }
    const item = newest?.take();
    if (!item) break;
    items.push(item);
  }
  // Peek so that a cursor is only handed out when another page really has items: one item tells, and
  // what is read here is read again by the next page.
  if (complete) await fillAll(1);

  const shards = streams.reduce<ShardCursor[]>(
    (all, stream) => {
      all[stream.shard] = stream.cursor();
      return all;
    },
    request.shards.map(() => null),
  );
  return shards.some((cursor) => cursor !== null) ? { items, shards } : { items };
};
