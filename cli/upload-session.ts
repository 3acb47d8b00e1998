import type { DocumentDetail } from '../lambdas/api/schemas';
import { documentId } from '../lambdas/shared/documents/document';
import { formatBytes, formatDuration, orDash, readableCause } from './format';
import type { DocflowTarget } from './ports';
import { type Column, renderTable } from './table';
import type { Terminal } from './terminal';
import { renderProgress, type UploadResult, uploadFiles } from './upload-files';
import type { PlannedUpload } from './upload-plan';
import {
  type AwaitedUpload,
  currentVersions,
  type WaitOutcome,
  waitForDocuments,
} from './wait-for-documents';

/** Redraw the progress bar at most this often. */
const PROGRESS_INTERVAL_MS = 100;

export interface SessionOptions {
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly terminal: Terminal;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** One planned file: how its upload went and, with --wait, what became of its document. */
export interface SessionEntry {
  readonly planned: PlannedUpload;
  readonly id: string;
  readonly upload: UploadResult;
  /** Present when waited for (and the upload worked). */
  readonly outcome?: WaitOutcome;
}

const throttled = (now: () => number, draw: () => void): (() => void) => {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    if (now() - last < PROGRESS_INTERVAL_MS) return;
    last = now();
    draw();
  };
};

/**
 * Uploads the planned files and, with `wait`, waits for each one's own new version to reach a
 * terminal status. Progress goes to the terminal's status line (a TTY) or one line per event.
 */
export const uploadSession = async (
  plan: readonly PlannedUpload[],
  target: Pick<DocflowTarget, 'uploader' | 'documents'>,
  options: SessionOptions,
): Promise<SessionEntry[]> => {
  const { terminal, now } = options;
  const { bucket } = target.uploader;
  const ids = new Map(plan.map((planned) => [planned, documentId(bucket, planned.key)]));
  const previous = options.wait
    ? await currentVersions(target.documents, [...ids.values()])
    : new Map<string, string | undefined>();
  const columns = terminal.columns ?? 100;
  let latestProgress: Parameters<typeof renderProgress>[0] | undefined;
  const drawProgress = throttled(now, () => {
    if (latestProgress) terminal.status(renderProgress(latestProgress, columns));
  });
  const results = await uploadFiles(plan, target.uploader, {
    onProgress: (progress) => {
      latestProgress = progress;
      drawProgress();
    },
    onFileDone: (result) => {
      if ('error' in result) terminal.info(`upload failed: ${result.planned.label}: ${result.error.message}`);
      else if (!terminal.interactive)
        terminal.info(`uploaded ${result.planned.label} (${formatBytes(result.planned.size)})`);
    },
  });
  terminal.clearStatus();

  const awaited = new Map<UploadResult, AwaitedUpload>();
  for (const result of results) {
    if (!('uploaded' in result)) continue;
    const id = ids.get(result.planned) ?? documentId(bucket, result.planned.key);
    const before = previous.get(id);
    awaited.set(result, {
      id,
      key: result.planned.key,
      eTag: result.uploaded.eTag,
      ...(result.uploaded.versionId ? { versionId: result.uploaded.versionId } : {}),
      ...(before !== undefined ? { previousVersion: before } : {}),
    });
  }
  const outcomes = new Map<AwaitedUpload, WaitOutcome>();
  if (options.wait && awaited.size > 0) {
    const labels = new Map([...awaited].map(([result, upload]) => [upload, result.planned.label]));
    const waited = await waitForDocuments(target.documents, [...awaited.values()], {
      timeoutMs: options.timeoutMs,
      now,
      sleep: options.sleep,
      onProgress: (progress) =>
        terminal.status(
          `waiting: ${progress.done}/${progress.total} done, ${progress.processing} processing · ${formatDuration(progress.elapsedMs)}`,
        ),
      onDone: (outcome) => {
        if (!terminal.interactive) {
          terminal.info(
            `${outcome.document?.status ?? 'done'}: ${labels.get(outcome.upload) ?? outcome.upload.key}`,
          );
        }
      },
    });
    terminal.clearStatus();
    for (const outcome of waited) outcomes.set(outcome.upload, outcome);
  }

  return results.map((upload) => {
    const waitedFor = awaited.get(upload);
    const outcome = waitedFor ? outcomes.get(waitedFor) : undefined;
    return {
      planned: upload.planned,
      id: ids.get(upload.planned) ?? documentId(bucket, upload.planned.key),
      upload,
      ...(outcome ? { outcome } : {}),
    };
  });
};

/** Whether the session went as the exit code 0 promises: every upload worked and, waited for, was PROCESSED. */
export const sessionSucceeded = (entries: readonly SessionEntry[], waited: boolean): boolean =>
  entries.every(
    (entry) =>
      'uploaded' in entry.upload &&
      (!waited || (entry.outcome?.document?.status === 'PROCESSED' && !entry.outcome.timedOut)),
  );

/** How long a document took: the pipeline's own measure, else from upload to its last update. */
export const processingTime = (document: DocumentDetail): string => {
  if (document.durationMs !== undefined) return formatDuration(document.durationMs);
  const from = Date.parse(document.uploadedAt);
  const to = Date.parse(document.completedAt ?? document.updatedAt);
  return Number.isNaN(from) || Number.isNaN(to) ? '' : formatDuration(to - from);
};

/** Why a document did not end PROCESSED, in one line. */
export const problemOf = (document: DocumentDetail | undefined): string => {
  if (!document) return '';
  if (document.status === 'REJECTED')
    return [document.reason, document.reasonDetail].filter(Boolean).join(': ');
  if (document.status === 'FAILED' && document.failure)
    return `${document.failure.error}: ${readableCause(document.failure.cause)}`;
  return '';
};

const statusOf = (entry: SessionEntry): string => {
  if ('error' in entry.upload) return 'UPLOAD FAILED';
  const outcome = entry.outcome;
  if (!outcome) return 'uploaded';
  if (outcome.timedOut)
    return outcome.document ? `TIMED OUT (${outcome.document.status})` : 'TIMED OUT (not seen)';
  return outcome.document?.status ?? '';
};

/** The result table of an upload: with --wait, the documents' outcomes; without, the keys and ids. */
export const renderSession = (
  entries: readonly SessionEntry[],
  waited: boolean,
  width?: number,
): string[] => {
  if (!waited) {
    const columns: Column[] = [
      { header: 'FILE', shrink: 'middle' },
      { header: 'KEY', shrink: 'middle' },
      { header: 'SIZE', align: 'right' },
      { header: 'ID' },
      { header: 'STATUS', shrink: 'end' },
    ];
    return renderTable(
      columns,
      entries.map((entry) => [
        entry.planned.label,
        entry.planned.key,
        formatBytes(entry.planned.size),
        entry.id,
        'error' in entry.upload ? `UPLOAD FAILED: ${entry.upload.error.message}` : 'uploaded',
      ]),
      width === undefined ? {} : { width },
    );
  }
  const columns: Column[] = [
    { header: 'FILE', shrink: 'middle' },
    { header: 'STATUS' },
    { header: 'TYPE' },
    { header: 'PAGES', align: 'right' },
    { header: 'TIME', align: 'right' },
    { header: 'ID' },
    { header: 'DETAIL', shrink: 'end' },
  ];
  return renderTable(
    columns,
    entries.map((entry) => {
      const document = entry.outcome?.document;
      return [
        entry.planned.label,
        statusOf(entry),
        orDash(document?.type),
        orDash(document?.pages),
        document && !entry.outcome?.timedOut ? processingTime(document) : '',
        entry.id,
        'error' in entry.upload ? entry.upload.error.message : problemOf(document),
      ];
    }),
    width === undefined ? {} : { width },
  );
};
