import {
  DOCUMENT_STATUS_VALUES,
  type DocumentFilters,
  type DocumentStatus,
  type DocumentSummary,
} from '../../shared/api';
import { LiveUpdated } from '../components/live-status';
import { outcomeText } from '../components/outcome';
import { PageHeading } from '../components/page-heading';
import { PagedTable } from '../components/paged-table';
import { StatusBadge } from '../components/status-badge';
import { StatusFilter } from '../components/status-filter';
import { Thumbnail } from '../components/thumbnail';
import { Time } from '../components/time';
import { useConsole } from '../context';
import { fileNameOf, formatDuration, localDayBound } from '../format';
import { usePagedList } from '../hooks/use-paged-list';
import { href, navigate, segment } from '../router';
import type { PageProps } from '../routes';

/** Documents of the first page, refreshed on every poll. */
const PAGE_SIZE = 50;

/** Kinds the pipeline names (`type`), offered as suggestions; any other value may be typed. */
const KNOWN_TYPES = ['pdf', 'jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heic', 'svg', 'docx', 'text'];

/** The filters as the page's URL holds them (`#/documents?status=REJECTED&from=2026-12-01`). */
interface FilterForm {
  readonly status: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
}

const formOf = (query: URLSearchParams): FilterForm => ({
  status: query.get('status') ?? '',
  type: query.get('type') ?? '',
  from: query.get('from') ?? '',
  to: query.get('to') ?? '',
});

const filtersOf = (form: FilterForm): DocumentFilters => {
  const status = (DOCUMENT_STATUS_VALUES as readonly string[]).includes(form.status)
    ? (form.status as DocumentStatus)
    : undefined;
  const uploadedAfter = localDayBound(form.from, 'start');
  const uploadedBefore = localDayBound(form.to, 'end');
  return {
    ...(status ? { status } : {}),
    ...(form.type.trim() ? { type: form.type.trim().toLowerCase() } : {}),
    ...(uploadedAfter ? { uploadedAfter } : {}),
    ...(uploadedBefore ? { uploadedBefore } : {}),
  };
};

const Filters = ({ form }: { form: FilterForm }) => {
  const apply = (change: Partial<FilterForm>): void => {
    const next = { ...form, ...change };
    navigate(
      href('/documents', { status: next.status, type: next.type.trim(), from: next.from, to: next.to }),
      {
        replace: true,
      },
    );
  };
  const active = Object.values(form).some(Boolean);
  return (
    <form
      class="filters"
      aria-label="Filter documents"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        apply({ type: String(data.get('type') ?? '') });
      }}
    >
      <StatusFilter
        value={form.status}
        statuses={DOCUMENT_STATUS_VALUES}
        onChange={(status) => apply({ status })}
      />
      <label>
        Type
        <input
          name="type"
          type="text"
          list="document-types"
          placeholder="pdf, png, docx…"
          value={form.type}
          autoComplete="off"
          spellcheck={false}
          onChange={(event) => apply({ type: event.currentTarget.value })}
        />
        <datalist id="document-types">
          {KNOWN_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </label>
      <label>
        Uploaded from
        <input
          type="date"
          value={form.from}
          onChange={(event) => apply({ from: event.currentTarget.value })}
        />
      </label>
      <label>
        to
        <input type="date" value={form.to} onChange={(event) => apply({ to: event.currentTarget.value })} />
      </label>
      {active ? (
        <button
          type="button"
          class="button-secondary"
          onClick={() => apply({ status: '', type: '', from: '', to: '' })}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
};

const DocumentRow = ({ document }: { document: DocumentSummary }) => {
  const outcome = outcomeText(document);
  return (
    <tr>
      <td class="cell-thumbnail">
        <Thumbnail document={document} alt="" size="small" />
      </td>
      <td class="cell-document" data-label="Document">
        <a class="document-link" href={href(`/documents/${segment(document.id)}`)}>
          {fileNameOf(document.key)}
        </a>
        <span class="key">{document.key}</span>
      </td>
      <td data-label="Status">
        <StatusBadge status={document.status} />
        {outcome ? <span class="outcome">{outcome}</span> : null}
      </td>
      <td data-label="Type" class={document.type ? undefined : 'missing'}>
        {document.type ?? <span class="muted">–</span>}
      </td>
      <td data-label="Pages" class={document.pages === undefined ? 'numeric missing' : 'numeric'}>
        {document.pages ?? <span class="muted">–</span>}
      </td>
      <td data-label="Uploaded" class="nowrap">
        <Time iso={document.uploadedAt} />
      </td>
      <td
        data-label="Time taken"
        class={document.durationMs === undefined ? 'numeric nowrap missing' : 'numeric nowrap'}
      >
        {document.durationMs === undefined ? (
          <span class="muted">–</span>
        ) : (
          formatDuration(document.durationMs)
        )}
      </td>
    </tr>
  );
};

/**
 * Documents, newest first, with the API's filters. The first page is fetched again every poll, so
 * uploads appear and move to their terminal status without a reload; older pages ("Show more") are
 * read once.
 */
export const DocumentsPage = ({ query }: PageProps) => {
  const { client, config } = useConsole();
  const form = formOf(query);
  const filters = filtersOf(form);
  const list = usePagedList(
    async (cursor, signal) => {
      const page = await client.listDocuments(
        { ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        signal,
      );
      return { items: page.items, next: page.nextCursor };
    },
    (document) => document.id,
    JSON.stringify(filters),
    config.pollIntervalMs,
  );

  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <PageHeading title="Documents">
        <LiveUpdated updatedAt={list.first.updatedAt} />
      </PageHeading>
      <Filters form={form} />
      <PagedTable
        list={list}
        what="documents"
        empty={
          filtered ? (
            'No documents match these filters.'
          ) : (
            <>
              No documents yet. <a href={href('/upload')}>Upload some</a>, or run{' '}
              <code>npx docflow demo</code>.
            </>
          )
        }
        caption="Documents, newest first"
        class="documents"
        columns={[
          { label: 'Thumbnail', visuallyHidden: true },
          { label: 'Document' },
          { label: 'Status' },
          { label: 'Type' },
          { label: 'Pages', numeric: true },
          { label: 'Uploaded' },
          { label: 'Time taken', numeric: true },
        ]}
        row={(document) => <DocumentRow key={document.id} document={document} />}
      />
    </>
  );
};
