import { useState } from 'preact/hooks';
import type { QueueMessage, QueueRedriveReport } from '../../shared/api';
import { ErrorNotice } from '../components/error-notice';
import { Field, TimeField } from '../components/field';
import { PageHeading } from '../components/page-heading';
import { Time } from '../components/time';
import { useConsole } from '../context';
import { DataBlock, ErrorBlock } from '../executions/state-details';
import { fileNameOf, formatTime } from '../format';
import { usePoll } from '../hooks/use-poll';
import { href, segment } from '../router';
import type { PageProps } from '../routes';
import '../executions/executions.css';

/** What SendToDlq wrote (statemachines/document-pipeline.asl.yaml), read defensively for display. */
interface FailedDocument {
  readonly executionArn?: string;
  readonly failedAt?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly documentId?: string;
  readonly key?: string;
  readonly deletion: boolean;
  readonly input?: string;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const failedDocumentOf = (body: string): FailedDocument | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const message = record(parsed);
  if (!message || typeof message.executionArn !== 'string') return undefined;
  const input = typeof message.input === 'string' ? safeParse(message.input) : message.input;
  const source = record(record(input)?.deletion) ?? record(record(input)?.document);
  const error = record(message.error);
  const documentId = text(source?.id);
  const key = text(source?.key);
  const errorName = text(error?.Error);
  const cause = text(error?.Cause);
  const failedAt = text(message.failedAt);
  return {
    executionArn: message.executionArn,
    deletion: record(input)?.deletion !== undefined,
    input: JSON.stringify(input ?? null),
    ...(failedAt ? { failedAt } : {}),
    ...(errorName ? { error: errorName } : {}),
    ...(cause ? { cause } : {}),
    ...(documentId ? { documentId } : {}),
    ...(key ? { key } : {}),
  };
};

const safeParse = (value: string): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** The S3 notifications an ingest dead-letter message carries: event and decoded key of each record. */
const s3RecordsOf = (body: string): { event: string; key: string }[] | undefined => {
  const records = record(safeParse(body))?.Records;
  if (!Array.isArray(records)) return undefined;
  return records.map((entry) => {
    const s3 = record(record(entry)?.s3);
    const raw = text(record(s3?.object)?.key) ?? '';
    let key = raw;
    try {
      key = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      // An undecodable key is shown as S3 sent it.
    }
    return { event: text(record(entry)?.eventName) ?? 'event', key };
  });
};

const ACTION_WORDS: Readonly<Record<string, string>> = {
  restarted: 'started again',
  redriven: 'redriven',
  unreadable: 'not a failed-document message',
  error: 'could not be run again',
  'would-run-again': 'would run again',
};

/** What a redrive did, message by message, with links to the new runs. */
const RedriveOutcome = ({ report }: { report: QueueRedriveReport }) => (
  <div
    class={`notice ${report.results.some((result) => result.action === 'error') ? 'notice-warning' : 'notice-ok'}`}
    role="status"
  >
    <p>
      <strong>
        {report.results.length === 0
          ? 'The queue had no message to run again.'
          : `Ran ${report.results.length === 1 ? '1 document' : `${report.results.length} documents`} again:`}
      </strong>
    </p>
    <ul>
      {report.results.map((result) => (
        <li key={result.messageId}>
          {result.key ? fileNameOf(result.key) : result.messageId}{' '}
          {ACTION_WORDS[result.action] ?? result.action}
          {result.executionArn && (result.action === 'restarted' || result.action === 'redriven') ? (
            <>
              {' as '}
              <a class="break" href={href(`/executions/${segment(result.executionArn)}`)}>
                {result.executionArn.split(':').at(-1)}
              </a>
            </>
          ) : null}
          {result.reason ? `: ${result.reason}` : null}
        </li>
      ))}
    </ul>
  </div>
);

const FailedMessage = ({
  message,
  busy,
  onRedrive,
}: {
  message: QueueMessage;
  busy: boolean;
  onRedrive: () => void;
}) => {
  const failed = failedDocumentOf(message.body);
  const name = failed?.key ? fileNameOf(failed.key) : 'Unreadable message';
  return (
    <li class="queue-message">
      <div class="queue-message-head">
        <h3>
          {failed?.documentId ? (
            <a class="break" href={href(`/documents/${segment(failed.documentId)}`)}>
              {name}
            </a>
          ) : (
            <span class="break">{name}</span>
          )}
          {failed?.deletion ? <span class="tag">deletion</span> : null}
        </h3>
        {failed ? (
          <button type="button" disabled={busy} onClick={onRedrive} aria-label={`Redrive ${name}`}>
            Redrive
          </button>
        ) : null}
      </div>
      {failed?.key ? <p class="key">{failed.key}</p> : null}
      {failed ? <ErrorBlock error={failed.error ?? 'Unknown error'} cause={failed.cause} /> : null}
      <dl class="metadata">
        <TimeField label="Failed" iso={failed?.failedAt} />
        {failed?.executionArn ? (
          <Field label="Execution">
            <a class="break" href={href(`/executions/${segment(failed.executionArn)}`)}>
              {failed.executionArn.split(':').at(-1)}
            </a>
          </Field>
        ) : null}
        <Field label="Message">
          <code class="break">{message.messageId}</code>
        </Field>
      </dl>
      <details>
        <summary>{failed ? 'Original input' : 'Message body'}</summary>
        <DataBlock label={failed ? 'Original input' : 'Message body'} value={failed?.input ?? message.body} />
      </details>
    </li>
  );
};

const IngestMessage = ({ message }: { message: QueueMessage }) => {
  const records = s3RecordsOf(message.body);
  return (
    <li class="queue-message">
      <p>
        {message.sentAt ? (
          <>
            Dead-lettered <Time iso={message.sentAt} />
          </>
        ) : (
          'Dead-lettered'
        )}
      </p>
      {records ? (
        <ul class="s3-records">
          {records.map((entry, index) => (
            <li key={`${entry.key}-${index}`}>
              <code>{entry.event}</code> <span class="break">{entry.key}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <details>
        <summary>Message body</summary>
        <DataBlock label="Message body" value={message.body} />
      </details>
    </li>
  );
};

/**
 * The failed-documents queue (what the workflow's Catch path sends: the original input and the error),
 * each message with a Redrive, and Redrive all, run as `docflow redrive` runs them; and the ingest
 * dead-letter queue (notifications the starter could not start), read only. Peeking takes no message.
 */
export const FailedPage = (_props: PageProps) => {
  const { client, config } = useConsole();
  const failed = usePoll((signal) => client.queue('failed-documents', signal), [], config.pollIntervalMs);
  const ingest = usePoll((signal) => client.queue('ingest-dead-letter', signal), [], config.pollIntervalMs);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<QueueRedriveReport>();
  const [redriveError, setRedriveError] = useState<unknown>();

  const redrive = async (messageIds?: string[]): Promise<void> => {
    setBusy(true);
    setRedriveError(undefined);
    setReport(undefined);
    try {
      setReport(await client.redriveFailedDocuments(messageIds));
      failed.refresh();
    } catch (error) {
      setRedriveError(error);
    } finally {
      setBusy(false);
    }
  };
  const messages = failed.data?.messages ?? [];
  return (
    <>
      <PageHeading title="Failed documents">
        <p class="live" aria-live="off">
          {failed.updatedAt === undefined ? 'Loading…' : `Live · updated ${formatTime(failed.updatedAt)}`}
        </p>
      </PageHeading>
      {report ? <RedriveOutcome report={report} /> : null}
      {redriveError ? <ErrorNotice error={redriveError} prefix="Could not redrive" /> : null}
      <section aria-labelledby="failed-heading">
        <div class="section-heading">
          <h2 id="failed-heading">
            Failed-documents queue{failed.data ? ` (${failed.data.approximateCount})` : ''}
          </h2>
          {messages.length > 0 ? (
            <button type="button" disabled={busy} onClick={() => void redrive()}>
              {busy ? 'Redriving…' : `Redrive all (${failed.data?.approximateCount ?? messages.length})`}
            </button>
          ) : null}
        </div>
        <p class="muted">
          Documents whose run failed after its retries. Redrive starts a document’s run again with its
          original input (a run that ended in the workflow’s Fail state is started anew as{' '}
          <code>&lt;name&gt;-r&lt;n&gt;</code>; any other is redriven where it stopped); its message leaves
          the queue once the new run has started.
        </p>
        {failed.error ? <ErrorNotice error={failed.error} prefix="Could not read the queue" /> : null}
        {failed.data && messages.length === 0 ? <p class="empty">No failed documents.</p> : null}
        <ul class="queue-messages" aria-label="Failed documents">
          {messages.map((message) => (
            <FailedMessage
              key={message.messageId}
              message={message}
              busy={busy}
              onRedrive={() => void redrive([message.messageId])}
            />
          ))}
        </ul>
      </section>
      <section aria-labelledby="ingest-heading">
        <h2 id="ingest-heading">
          Ingest dead-letter queue{ingest.data ? ` (${ingest.data.approximateCount})` : ''}
        </h2>
        <p class="muted">
          S3 notifications the starter could not turn into an execution after 5 receives. Read only: upload
          the object again (or fix what refused it) to process it.
        </p>
        {ingest.error ? <ErrorNotice error={ingest.error} prefix="Could not read the queue" /> : null}
        {ingest.data && ingest.data.messages.length === 0 ? (
          <p class="empty">No dead-lettered notifications.</p>
        ) : null}
        <ul class="queue-messages" aria-label="Dead-lettered notifications">
          {(ingest.data?.messages ?? []).map((message) => (
            <IngestMessage key={message.messageId} message={message} />
          ))}
        </ul>
      </section>
    </>
  );
};
