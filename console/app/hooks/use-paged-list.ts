import { useState } from 'preact/hooks';
import { type Poll, usePoll } from './use-poll';

/** One page of a list, whatever the API calls its continuation (`nextCursor`, `nextToken`). */
export interface ListPage<Item> {
  readonly items: readonly Item[];
  /** Where the next page starts; `null` after the last. */
  readonly next: string | null;
}

/** Reads the page that starts at `after` (the first when undefined). */
export type ReadListPage<Item> = (after: string | undefined, signal?: AbortSignal) => Promise<ListPage<Item>>;

/** Older pages, read on demand. */
export interface MorePages {
  /** True while a page beyond those shown exists. */
  readonly available: boolean;
  readonly loading: boolean;
  /** The last "Show more" read's error; cleared by the next one. */
  readonly error: unknown;
  load(): void;
}

export interface PagedList<Item> {
  /** The first page, read again every poll. */
  readonly first: Poll<ListPage<Item>>;
  /** The first page, then the older pages read so far, each item once. */
  readonly rows: readonly Item[];
  readonly more: MorePages;
}

/**
 * A list as the Documents and Executions pages show it, newest first: the first page is read again
 * every poll (new items appear and move without a reload), older pages ("Show more") are read once and
 * kept while `filterKey` (the filters, serialized) stays the same. An item on both is shown once, where
 * the first page has it.
 */
export const usePagedList = <Item>(
  readPage: ReadListPage<Item>,
  keyOf: (item: Item) => string,
  filterKey: string,
  intervalMs: number | undefined,
): PagedList<Item> => {
  const [older, setOlder] = useState<{ filterKey: string; items: readonly Item[]; next: string | null }>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const first = usePoll((signal) => readPage(undefined, signal), [filterKey], intervalMs);

  const extra = older?.filterKey === filterKey ? older : undefined;
  const shown = new Set(first.data?.items.map(keyOf));
  const rows = [
    ...(first.data?.items ?? []),
    ...(extra?.items.filter((item) => !shown.has(keyOf(item))) ?? []),
  ];
  const next = extra ? extra.next : (first.data?.next ?? null);

  const load = async (): Promise<void> => {
    if (!next) return;
    setLoading(true);
    setError(undefined);
    try {
      const page = await readPage(next);
      setOlder({ filterKey, items: [...(extra?.items ?? []), ...page.items], next: page.next });
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };
  return { first, rows, more: { available: next !== null, loading, error, load: () => void load() } };
};
