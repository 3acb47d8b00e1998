import { EXECUTION_STATUS_VALUES, type ExecutionStatus, type ExecutionSummary } from '../../shared/api';
import { LiveUpdated } from '../components/live-status';
import { PageHeading } from '../components/page-heading';
import { PagedTable } from '../components/paged-table';
import { StatusBadge } from '../components/status-badge';
import { StatusFilter } from '../components/status-filter';
import { Time } from '../components/time';
import { useConsole } from '../context';
import { ExecutionDocumentName } from '../executions/execution-document';
import { formatDuration } from '../format';
import { usePagedList } from '../hooks/use-paged-list';
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
        <ExecutionDocumentName document={document} />
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
  const list = usePagedList(
    async (nextToken, signal) => {
      const page = await client.executions(
        { ...(status ? { status } : {}), limit: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) },
        signal,
      );
      return { items: page.items, next: page.nextToken };
    },
    (execution) => execution.executionArn,
    status ?? '',
    config.pollIntervalMs,
  );
  const now = list.first.updatedAt ?? Date.now();

  return (
    <>
      <PageHeading title="Executions">
        <LiveUpdated updatedAt={list.first.updatedAt} />
      </PageHeading>
      <form class="filters" aria-label="Filter executions" onSubmit={(event) => event.preventDefault()}>
        <StatusFilter
          value={status ?? ''}
          statuses={EXECUTION_STATUS_VALUES}
          onChange={(value) => navigate(href('/executions', { status: value }), { replace: true })}
        />
      </form>
      <PagedTable
        list={list}
        what="executions"
        empty={status ? `No ${status} executions.` : 'No executions yet: each upload starts one.'}
        caption="Executions, newest first"
        class="documents executions"
        columns={[
          { label: 'Execution' },
          { label: 'Document' },
          { label: 'Status' },
          { label: 'Started' },
          { label: 'Duration', numeric: true },
        ]}
        row={(execution) => <ExecutionRow key={execution.executionArn} execution={execution} now={now} />}
      />
    </>
  );
};
