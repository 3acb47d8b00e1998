import type { ComponentChildren } from 'preact';
import type { PagedList } from '../hooks/use-paged-list';
import { PollError } from './live-status';
import { ShowMore } from './show-more';

/** A column's header: its label, right-aligned for numbers, or read by screen readers only. */
interface PagedTableColumn {
  readonly label: string;
  readonly numeric?: boolean;
  readonly visuallyHidden?: boolean;
}

interface PagedTableProps<Item> {
  readonly list: PagedList<Item>;
  /** What the list holds, for the error of a first read that failed: `documents`. */
  readonly what: string;
  /** Shown once a read found nothing. */
  readonly empty: ComponentChildren;
  /** The table's caption, for screen readers only. */
  readonly caption: string;
  readonly class: string;
  readonly columns: readonly PagedTableColumn[];
  /** One item's row. */
  readonly row: (item: Item) => ComponentChildren;
}

/**
 * A {@link PagedList} as the Documents and Executions pages show it: the last poll's error, `empty`
 * when a read found nothing, the rows in a table, and "Show more" under them.
 */
export const PagedTable = <Item,>({
  list,
  what,
  empty,
  caption,
  class: className,
  columns,
  row,
}: PagedTableProps<Item>) => (
  <>
    <PollError error={list.first.error} shown={list.first.data !== undefined} what={what} />
    {list.first.data && list.rows.length === 0 ? <p class="empty">{empty}</p> : null}
    {list.rows.length > 0 ? (
      <table class={className}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map(({ label, numeric, visuallyHidden }) => (
              <th key={label} scope="col" class={numeric ? 'numeric' : undefined}>
                {visuallyHidden ? <span class="visually-hidden">{label}</span> : label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{list.rows.map(row)}</tbody>
      </table>
    ) : null}
    <ShowMore more={list.more} />
  </>
);
