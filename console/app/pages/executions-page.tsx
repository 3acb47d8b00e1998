import { useState } from 'preact/hooks';
import { EXECUTION_STATUS_VALUES, type ExecutionStatus, type ExecutionSummary } from '../../shared/api';
import { ErrorNotice } from '../components/error-notice';
import { PageHeading } from '../components/page-heading';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useConsole } from '../context';
import { fileNameOf, formatDuration, formatTime } from '../format';
import { usePoll } from '../hooks/use-poll';
import { href, navigate, segment } from '../router';
import type { PageProps } from '../routes';
import '../executions/executions.css';

/** Executions of the first page, read again on every poll. */
const PAGE_SIZE = 50;

const statusOf = (query: URLSearchParams): ExecutionStatus | undefined => {
  const value = query.get('status') ?? '';
  return (EXECUTION_STATUS_VALUES as readonly string[]).includes(value)
    ? (value as ExecutionStatus)
    : undefined;
};

const durationOf = (execution: ExecutionSummary, now: number): string => {
  const end = execution.stopDate ? Date.parse(execution.stopDate) : now;
  const text = formatDuration(Math.max(0, end - Date.parse(execution.startDate)));
  return execution.stopDate ? text : `${text} so far`;
};

const ExecutionRow = ({ execution, now }: { execution: ExecutionSummary; now: number }) => {
  const { document } = execution;
  return (
    <tr>
      <td class="cell-document" data-label="Execution">
        <a class="document-link" href={href(`/executions/${segment(execution.executionArn)}`)}>
          {execution.name}
        </a>
      </td>
      <td data-label="Document" class={document ? 'break' : 'missing'}>
        {document?.id ? (
          <a href={href(`/documents/${segment(document.id)}`)}>
            {document.key ? fileNameOf(document.key) : document.id}
          </a>
        ) : document?.key ? (
          fileNameOf(document.key)
        ) : (
          <span class="muted">–</span>
        )}
        {document?.kind === 'deletion' ? <span class="tag">deletion</span> : null}
      </td>
      <td data-label="Status">
        <StatusBadge status={execution.status} />
        {execution.redriveCount ? <span class="outcome">redriven {execution.redriveCount}×</span> : null}
      </td>
      <td data-label="Started" class="nowrap">
        <Time iso={execution.startDate} />
      </td>
      <td data-label="Duration" class="numeric nowrap">
        {durationOf(execution, now)}
      </td>
    </tr>
  );
};

/**
 * The state machine's executions, newest first, filtered by status, live: the first page is read
 * again every poll; older pages ("Show more") are read once.
 */
export const ExecutionsPage = ({ query }: PageProps) => {
  const { client, config } = useConsole();
  const status = statusOf(query);
  const [older, setOlder] = useState<{
    status?: string;
    items: ExecutionSummary[];
    nextToken: string | null;
  }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const poll = usePoll(
    (signal) => client.executions({ ...(status ? { status } : {}), limit: PAGE_SIZE }, signal),
    [status],
    config.pollIntervalMs,
  );
  const first = poll.data;
  const extra = older?.status === status ? older : undefined;
  const shown = new Set(first?.items.map((item) => item.executionArn));
  const rows = [
    ...(first?.items ?? []),
    ...(extra?.items.filter((item) => !shown.has(item.executionArn)) ?? []),
  ];
  const nextToken = extra ? extra.nextToken : (first?.nextToken ?? null);
  const now = poll.updatedAt ?? Date.now();

  const loadMore = async (): Promise<void> => {
    if (!nextToken) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await client.executions({ ...(status ? { status } : {}), limit: PAGE_SIZE, nextToken });
      setOlder({
        ...(status ? { status } : {}),
        items: [...(extra?.items ?? []), ...page.items],
        nextToken: page.nextToken,
      });
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <>
      <PageHeading title="Executions">
        <p class="live" aria-live="off">
          {poll.updatedAt === undefined ? 'Loading…' : `Live · updated ${formatTime(poll.updatedAt)}`}
        </p>
      </PageHeading>
      <form class="filters" aria-label="Filter executions" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select
            value={status ?? ''}
            onChange={(event) =>
              navigate(href('/executions', { status: event.currentTarget.value }), { replace: true })
            }
          >
            <option value="">Any</option>
            {EXECUTION_STATUS_VALUES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      </form>
      {poll.error ? (
        <ErrorNotice
          error={poll.error}
          prefix={first ? 'Could not refresh (retrying)' : 'Could not load executions'}
        />
      ) : null}
      {first && rows.length === 0 ? (
        <p class="empty">
          {status ? `No ${status} executions.` : 'No executions yet: each upload starts one.'}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <table class="documents executions">
          <caption class="visually-hidden">Executions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Execution</th>
              <th scope="col">Document</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col" class="numeric">
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((execution) => (
              <ExecutionRow key={execution.executionArn} execution={execution} now={now} />
            ))}
          </tbody>
        </table>
      ) : null}
      {moreError ? <ErrorNotice error={moreError} prefix="Could not load more" /> : null}
      {nextToken ? (
        <p>
          <button
            type="button"
            class="button-secondary"
            disabled={loadingMore}
            onClick={() => void loadMore()}
          >
            {loadingMore ? 'Loading…' : 'Show more'}
          </button>
        </p>
      ) : null}
    </>
  );
};
