import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { outcomeText } from '../components/outcome';
import { PageHeading } from '../components/page-heading';
import { StatusBadge } from '../components/status-badge';
import { useConsole } from '../context';
import { formatBytes } from '../format';
import { useUploadItems } from '../hooks/use-upload-queue';
import { href, segment } from '../router';
import type { UploadItem } from '../uploads/upload-queue';

const progressText = (item: UploadItem): string => {
  switch (item.phase) {
    case 'waiting':
      return 'Waiting';
    case 'requesting':
      return 'Preparing';
    case 'uploading':
      return `Uploading ${item.size === 0 ? 0 : Math.floor((item.sent / item.size) * 100)} %`;
    case 'uploaded':
      return item.document ? '' : 'Uploaded · waiting for the pipeline';
    case 'failed':
      return 'Not uploaded';
  }
};

const UploadRow = ({ item }: { item: UploadItem }) => {
  const outcome = item.document ? outcomeText(item.document) : undefined;
  const text = progressText(item);
  return (
    <li class={`upload upload-${item.phase}`}>
      <div class="upload-name">
        {item.documentId && item.phase === 'uploaded' ? (
          <a class="upload-link" href={href(`/documents/${segment(item.documentId)}`)}>
            {item.fileName}
          </a>
        ) : (
          <span>{item.fileName}</span>
        )}
        <span class="muted"> · {formatBytes(item.size)}</span>
      </div>
      <progress
        max={Math.max(item.size, 1)}
        value={item.phase === 'uploaded' ? Math.max(item.size, 1) : item.sent}
        aria-label={`Upload of ${item.fileName}`}
      />
      <div class="upload-state">
        {text ? <span>{text}</span> : null}
        {item.document ? <StatusBadge status={item.document.status} /> : null}
        {outcome ? <span class="outcome">{outcome}</span> : null}
        {item.error ? <span class="upload-error">{item.error}</span> : null}
      </div>
    </li>
  );
};

/** A count of where the uploads are, for the live region: it changes on phases, not on every byte. */
const summaryOf = (items: readonly UploadItem[]): string => {
  const count = (test: (item: UploadItem) => boolean): number => items.filter(test).length;
  const ended = (item: UploadItem): boolean =>
    item.phase === 'uploaded' && item.document !== undefined && item.document.status !== 'PROCESSING';
  const parts = [
    [count((item) => item.phase !== 'uploaded' && item.phase !== 'failed'), 'uploading'],
    [count((item) => item.phase === 'uploaded' && !ended(item)), 'processing'],
    [count(ended), 'done'],
    [count((item) => item.phase === 'failed'), 'not uploaded'],
  ] as const;
  return parts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ');
};

/**
 * Drag and drop (or choose) one or many files: each goes straight to S3 through a presigned POST the
 * query API mints, with its progress, then its record is followed to a terminal status. The uploads
 * live in the session's queue, so they go on while the user looks at other pages.
 */
export const UploadPage = () => {
  const { uploads } = useConsole();
  const items = useUploadItems(uploads);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [dropError, setDropError] = useState<string>();

  // A file dropped beside the zone would make the browser leave the console to open it.
  useEffect(() => {
    const keep = (event: DragEvent): void => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    window.addEventListener('dragover', keep);
    window.addEventListener('drop', keep);
    return () => {
      window.removeEventListener('dragover', keep);
      window.removeEventListener('drop', keep);
    };
  }, []);

  const addFiles = (files: FileList | null | undefined): void => {
    const chosen = [...(files ?? [])];
    if (chosen.length === 0) {
      setDropError('Only files can be uploaded (a folder’s files can be chosen with the file picker).');
      return;
    }
    setDropError(undefined);
    uploads.add(chosen);
  };

  const finished = items.some(
    (item) => item.phase === 'failed' || (item.document && item.document.status !== 'PROCESSING'),
  );
  return (
    <>
      <PageHeading title="Upload" />
      <section
        class={`dropzone${dragging ? ' dropzone-active' : ''}`}
        aria-label="Drop files to upload"
        onDragEnter={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragOver={(event) => {
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          addFiles(event.dataTransfer?.files);
        }}
      >
        <p class="dropzone-title">Drop files here</p>
        <p class="muted">PDF, images, DOCX or plain text; one or many at a time.</p>
        <button type="button" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          class="visually-hidden"
          type="file"
          multiple
          tabIndex={-1}
          aria-label="Choose files to upload"
          onChange={(event) => {
            addFiles(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
      </section>
      {dropError ? <ErrorNotice error={new Error(dropError)} /> : null}
      <p class="muted">
        Files go straight to S3 through a presigned POST with the API’s size limit; each then runs through the
        pipeline and shows its status here and on <a href={href('/documents')}>Documents</a>.
      </p>
      {items.length > 0 ? (
        <section aria-labelledby="uploads-heading">
          <div class="section-heading">
            <h2 id="uploads-heading">This session’s uploads</h2>
            {finished ? (
              <button type="button" class="button-secondary" onClick={() => uploads.clearFinished()}>
                Clear finished
              </button>
            ) : null}
          </div>
          <p class="visually-hidden" aria-live="polite">
            {summaryOf(items)}
          </p>
          <ul class="uploads">
            {items
              .slice()
              .reverse()
              .map((item) => (
                <UploadRow key={item.id} item={item} />
              ))}
          </ul>
        </section>
      ) : null}
    </>
  );
};
