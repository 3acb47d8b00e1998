import type { DocumentDetail } from '../../shared/api';
import { ConsoleApiError } from '../api/client';
import { ErrorNotice } from '../components/error-notice';
import { Field, TimeField } from '../components/field';
import { PageHeading } from '../components/page-heading';
import { StatusBadge } from '../components/status-badge';
import { Thumbnail } from '../components/thumbnail';
import { Time } from '../components/time';
import { useConsole } from '../context';
import { fileNameOf, formatBytes, formatDuration } from '../format';
import { usePoll } from '../hooks/use-poll';
import { href, navigate, segment } from '../router';
import type { PageProps } from '../routes';

const TEXT_SOURCES: Readonly<Record<string, string>> = {
  'pdf-text-layer': 'the PDF’s text layer',
  docx: 'the DOCX file',
  'plain-text': 'the plain text',
  textract: 'OCR (Textract)',
};

const Metadata = ({ document }: { document: DocumentDetail }) => (
  <dl class="metadata">
    <Field label="Key">
      <span class="break">{document.key}</span>
    </Field>
    <Field label="Document id">
      <code>{document.id}</code>
    </Field>
    <Field label="Version">
      <code class="break">{document.version}</code>
    </Field>
    {document.type || document.mimeType ? (
      <Field label="Type">{[document.type, document.mimeType].filter(Boolean).join(' · ')}</Field>
    ) : null}
    {document.size === undefined ? null : <Field label="Size">{formatBytes(document.size)}</Field>}
    {document.pages === undefined ? null : <Field label="Pages">{document.pages}</Field>}
    {document.width && document.height ? (
      <Field label="Dimensions">
        {document.width} × {document.height} px
      </Field>
    ) : null}
    {document.title ? <Field label="Title">{document.title}</Field> : null}
    {document.author ? <Field label="Author">{document.author}</Field> : null}
    {document.text ? (
      <Field label="Text">
        {document.text.pages} pages · {document.text.words} words · {document.text.characters} characters,
        from {TEXT_SOURCES[document.text.source] ?? document.text.source}
      </Field>
    ) : null}
    <Field label="Uploaded">
      <Time iso={document.uploadedAt} />
    </Field>
    <TimeField label="Started" iso={document.startedAt} />
    <TimeField label="Completed" iso={document.completedAt} />
    {document.durationMs === undefined ? null : (
      <Field label="Time taken">{formatDuration(document.durationMs)}</Field>
    )}
    <TimeField label="Deleted" iso={document.deletedAt} />
    {document.sha256 ? (
      <Field label="SHA-256">
        <code class="break">{document.sha256}</code>
      </Field>
    ) : null}
  </dl>
);

/** Why the document is REJECTED, FAILED or DELETED, as the record says. */
const Outcome = ({ document }: { document: DocumentDetail }) => {
  if (document.status === 'REJECTED') {
    return (
      <div class="notice notice-warning">
        <p>
          <strong>Rejected: {document.reason ?? 'no reason recorded'}</strong>
        </p>
        {document.reasonDetail ? <p>{document.reasonDetail}</p> : null}
      </div>
    );
  }
  if (document.status === 'FAILED') {
    return (
      <div class="notice notice-error">
        <p>
          <strong>Failed: {document.failure?.error ?? 'no error recorded'}</strong>
        </p>
        {document.failure?.cause ? <pre class="cause">{document.failure.cause}</pre> : null}
        <p>The failed-documents queue holds it; it can be run again from there.</p>
      </div>
    );
  }
  if (document.status === 'DELETED') {
    return (
      <div class="notice">
        <p>
          <strong>Deleted</strong>: the upload was removed from the bucket; its thumbnail and text are gone
          too.
        </p>
      </div>
    );
  }
  return null;
};

/** The execution that last wrote the record, and its X-Ray trace. */
const Execution = ({ document }: { document: DocumentDetail }) => {
  const { client, config } = useConsole();
  const arn = document.execution?.arn;
  const execution = usePoll(
    (signal) => (arn ? client.execution(arn, signal) : Promise.resolve(undefined)),
    [arn, document.updatedAt],
    undefined,
  );
  if (!document.execution) return <p class="muted">No execution is recorded for this document.</p>;
  const detail = execution.data;
  return (
    <dl class="metadata">
      <Field label="Execution">
        <a class="break" href={href(`/executions/${segment(document.execution.arn)}`)}>
          {document.execution.arn.split(':').at(-1)}
        </a>
        {detail ? (
          <>
            {' '}
            <StatusBadge status={detail.status} />
          </>
        ) : null}
      </Field>
      <Field label="Trace">
        {detail?.traceId ? (
          <code>{detail.traceId}</code>
        ) : execution.loading ? (
          'Loading…'
        ) : (
          <span class="muted">not traced</span>
        )}
      </Field>
      {execution.error ? (
        <Field label="Could not read the execution">
          <ErrorNotice error={execution.error} />
        </Field>
      ) : null}
      {config.kind === 'stack' ? (
        <Field label="AWS console">
          <a href={document.execution.consoleUrl} target="_blank" rel="noopener noreferrer">
            Open in the Step Functions console
          </a>
        </Field>
      ) : null}
    </dl>
  );
};

/** Why there is no text to show, from the record alone (no request). */
const noTextReason = (document: DocumentDetail): string => {
  switch (document.status) {
    case 'PROCESSING':
      return 'The text appears here when processing ends.';
    case 'REJECTED':
      return 'A rejected document has no text.';
    case 'FAILED':
      return 'The document failed before its text was stored.';
    case 'DELETED':
      return 'The document was deleted; its text is gone.';
    default:
      return 'No text was found in this document.';
  }
};

/** The extracted text, one document page at a time (`GET /documents/{id}/text?page=N`). */
const Text = ({ document, page }: { document: DocumentDetail; page: number }) => {
  const { client } = useConsole();
  const available = document.text !== null && document.status !== 'DELETED';
  const text = usePoll(
    (signal) => (available ? client.text(document.id, page, signal) : Promise.resolve(undefined)),
    [document.id, document.version, available, page],
    undefined,
  );
  if (!available) return <p class="muted">{noTextReason(document)}</p>;
  const go = (next: number): void =>
    navigate(href(`/documents/${segment(document.id)}`, { page: String(next) }), { replace: true });
  if (text.error) {
    const gone = text.error instanceof ConsoleApiError && text.error.status === 410;
    return gone ? (
      <p class="muted">{noTextReason({ ...document, status: 'DELETED' })}</p>
    ) : (
      <ErrorNotice error={text.error} />
    );
  }
  const response = text.data;
  const total = response?.documentPages ?? document.text?.pages ?? 1;
  const shown = response?.pages[0];
  return (
    <>
      <nav class="pager" aria-label="Text pages">
        <button type="button" class="button-secondary" disabled={page <= 1} onClick={() => go(page - 1)}>
          Previous page
        </button>
        <span aria-live="polite">
          Page {page} of {total}
        </span>
        <button type="button" class="button-secondary" disabled={page >= total} onClick={() => go(page + 1)}>
          Next page
        </button>
      </nav>
      {text.loading ? <p class="muted">Loading…</p> : null}
      {shown?.error ? <p class="notice notice-warning">This page could not be read: {shown.error}</p> : null}
      {shown && !shown.error ? (
        shown.text.trim() === '' ? (
          <p class="muted">No text on this page.</p>
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard
          <pre class="text" tabIndex={0}>
            {shown.text}
          </pre>
        )
      ) : null}
    </>
  );
};

/**
 * One document: its record (refreshed while the user looks), thumbnail, download of the original, the
 * execution and trace that processed it, and its text page by page.
 */
export const DocumentPage = ({ params, query }: PageProps) => {
  const { client, config } = useConsole();
  const id = params.id ?? '';
  const detail = usePoll((signal) => client.document(id, signal), [id], config.pollIntervalMs);
  const document = detail.data;
  const pageNumber = Number(query.get('page') ?? '1');
  const page = Number.isSafeInteger(pageNumber) && pageNumber >= 1 ? pageNumber : 1;

  if (!document) {
    return (
      <>
        <p class="back">
          <a href={href('/documents')}>← All documents</a>
        </p>
        <PageHeading title="Document" />
        {detail.error ? <ErrorNotice error={detail.error} prefix="Could not load the document" /> : null}
        {detail.loading ? <p class="muted">Loading…</p> : null}
        {!detail.loading && !detail.error ? (
          <p>
            There is no document <code>{id}</code> (yet): its record appears once the pipeline starts on it.
          </p>
        ) : null}
      </>
    );
  }
  return (
    <>
      <p class="back">
        <a href={href('/documents')}>← All documents</a>
      </p>
      <PageHeading title={fileNameOf(document.key)}>
        <StatusBadge status={document.status} />
      </PageHeading>
      {detail.error ? <ErrorNotice error={detail.error} prefix="Could not refresh (retrying)" /> : null}
      <Outcome document={document} />
      <div class="document-layout">
        <section class="document-preview" aria-label="Preview">
          <Thumbnail document={document} alt={`Thumbnail of ${fileNameOf(document.key)}`} size="large" />
          {document.original ? (
            <a class="button" href={client.originalUrl(document.id)} download={document.original.filename}>
              Download original
            </a>
          ) : null}
        </section>
        <section class="document-metadata" aria-labelledby="metadata-heading">
          <h2 id="metadata-heading">Metadata</h2>
          <Metadata document={document} />
          <h2>Processing</h2>
          <Execution document={document} />
        </section>
      </div>
      <section aria-labelledby="text-heading">
        <h2 id="text-heading">Text</h2>
        <Text document={document} page={page} />
      </section>
    </>
  );
};
