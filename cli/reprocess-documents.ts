import type { DocumentSummary } from '../lambdas/api/schemas';
import type { DocumentStatus } from '../lambdas/shared/documents/document';
import type { RejectionReason } from '../lambdas/shared/documents/errors';
import { formatDuration, truncate } from './format';
import { listDocuments } from './list-documents';
import type { DocumentsApi, ReprocessAnswer } from './ports';
import { type Column, renderTable } from './table';

/** The statuses `--status` takes: the terminal ones a run can end in, or all of them. */
export const REPROCESS_STATUSES = ['REJECTED', 'FAILED', 'PROCESSED', 'ALL'] as const;
export type ReprocessStatus = (typeof REPROCESS_STATUSES)[number];

/** Which documents to run again. */
export interface ReprocessFilters {
  readonly status: ReprocessStatus;
  /** Only REJECTED documents with this reason code. */
  readonly reason?: RejectionReason;
  /** Only documents whose key starts with this. */
  readonly prefix?: string;
  /** Only documents uploaded at or after this instant (ISO 8601). */
  readonly uploadedAfter?: string;
}

/** A listed document that matches but is not asked for, and why. */
export interface SkippedDocument {
  readonly document: DocumentSummary;
  readonly why: 'deleted' | 'already running';
}

export interface Selection {
  /** What to ask the API to run again, newest upload first. */
  readonly selected: readonly DocumentSummary[];
  readonly skipped: readonly SkippedDocument[];
}

/**
 * The documents matching the filters, through the API's own listing (status and upload time are its
 * filters; reason and key prefix are applied here). Deleted documents and those being processed match
 * `ALL` but cannot run again now: they are set aside with the reason.
 */
export const selectDocuments = async (
  documents: Pick<DocumentsApi, 'list'>,
  filters: ReprocessFilters,
): Promise<Selection> => {
  const { items } = await listDocuments(documents, {
    ...(filters.status === 'ALL' ? {} : { status: filters.status as DocumentStatus }),
    ...(filters.uploadedAfter ? { uploadedAfter: filters.uploadedAfter } : {}),
  });
  const matching = items.filter(
    (item) =>
      (filters.reason === undefined || item.reason === filters.reason) &&
      (filters.prefix === undefined || item.key.startsWith(filters.prefix)),
  );
  const selected: DocumentSummary[] = [];
  const skipped: SkippedDocument[] = [];
  for (const document of matching) {
    if (document.status === 'DELETED') skipped.push({ document, why: 'deleted' });
    else if (document.status === 'PROCESSING') skipped.push({ document, why: 'already running' });
    else selected.push(document);
  }
  return { selected, skipped };
};

/** What asking for one document came to. */
export type ReprocessResult =
  | { readonly document: DocumentSummary; readonly answer: ReprocessAnswer }
  | { readonly document: DocumentSummary; readonly error: Error };

export interface ReprocessProgress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

export interface ReprocessOptions {
  /** Requests per second, at most. */
  readonly ratePerSecond: number;
  /** Requests in flight at once, at most. */
  readonly concurrency: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onResult?: (result: ReprocessResult, progress: ReprocessProgress) => void;
}

/**
 * Asks the API to run each document again, at most `ratePerSecond` requests a second (request i is not
 * sent before i / rate seconds have passed) and `concurrency` at a time. One failing request does not
 * stop the others. Results are in the documents' order.
 */
export const reprocessDocuments = async (
  api: Pick<DocumentsApi, 'reprocess'>,
  documents: readonly DocumentSummary[],
  options: ReprocessOptions,
): Promise<ReprocessResult[]> => {
  const intervalMs = 1000 / options.ratePerSecond;
  const started = options.now();
  const results = new Array<ReprocessResult | undefined>(documents.length);
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < documents.length; index = next++) {
      const document = documents[index] as DocumentSummary;
      const wait = started + index * intervalMs - options.now();
      if (wait > 0) await options.sleep(wait);
      let result: ReprocessResult;
      try {
        result = { document, answer: await api.reprocess(document.id) };
      } catch (error) {
        result = { document, error: error instanceof Error ? error : new Error(String(error)) };
      }
      results[index] = result;
      done += 1;
      options.onResult?.(result, { done, total: documents.length, elapsedMs: options.now() - started });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, documents.length) }, worker));
  return results.filter((result): result is ReprocessResult => result !== undefined);
};

/** The counts of the summary line. */
export interface ReprocessSummary {
  readonly queued: number;
  readonly running: number;
  /** Skipped documents by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly failed: number;
}

const SKIP_REASONS: Readonly<Record<Exclude<ReprocessAnswer['outcome'], 'queued' | 'in-flight'>, string>> = {
  deleted: 'deleted',
  'not-found': 'gone',
  'not-reprocessable': 'cannot run again from its record',
};

/** One word or phrase per result: what the table's RESULT column and the summary count. */
export const resultOf = (result: ReprocessResult): string => {
  if ('error' in result) return `failed: ${result.error.message}`;
  const { answer } = result;
  switch (answer.outcome) {
    case 'queued':
      return `queued as generation ${answer.ticket.generation}`;
    case 'in-flight':
      return 'already running';
    default:
      return `skipped: ${SKIP_REASONS[answer.outcome]}`;
  }
};

export const summarize = (
  results: readonly ReprocessResult[],
  skipped: readonly SkippedDocument[],
): ReprocessSummary => {
  const reasons: Record<string, number> = {};
  const skip = (reason: string): void => {
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  };
  let queued = 0;
  let running = 0;
  let failed = 0;
  for (const { why } of skipped) {
    if (why === 'already running') running += 1;
    else skip(why);
  }
  for (const result of results) {
    if ('error' in result) failed += 1;
    else if (result.answer.outcome === 'queued') queued += 1;
    else if (result.answer.outcome === 'in-flight') running += 1;
    else skip(SKIP_REASONS[result.answer.outcome]);
  }
  return { queued, running, skipped: reasons, failed };
};

/** `3 queued to run again, 1 already running, 2 skipped (1 deleted, 1 gone)`, and `, 1 failed` when any did. */
export const renderSummary = (summary: ReprocessSummary): string => {
  const skippedTotal = Object.values(summary.skipped).reduce((sum, count) => sum + count, 0);
  const reasons = Object.entries(summary.skipped)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  return [
    `${summary.queued} queued to run again`,
    `${summary.running} already running`,
    `${skippedTotal} skipped${skippedTotal > 0 ? ` (${reasons})` : ''}`,
    ...(summary.failed > 0 ? [`${summary.failed} failed`] : []),
  ].join(', ');
};

const COLUMNS: readonly Column[] = [
  { header: 'ID' },
  { header: 'STATUS' },
  { header: 'REASON' },
  { header: 'KEY', shrink: 'middle', minWidth: 16 },
  { header: 'RESULT', shrink: 'end' },
];

const reasonOf = (document: DocumentSummary): string => document.reason ?? document.failure?.error ?? '';

/** The result table: every matching document and what became of it (or, dry, what would). */
export const renderReprocessTable = (
  rows: readonly { readonly document: DocumentSummary; readonly result: string }[],
  width?: number,
): string[] =>
  renderTable(
    COLUMNS,
    rows.map(({ document, result }) => [
      document.id,
      document.status,
      reasonOf(document),
      document.key,
      result,
    ]),
    width === undefined ? {} : { width },
  );

const BAR_FULL = '█';
const BAR_EMPTY = '░';

/** `[██████░░░░░░░░░░]  12/40  4.1 s`, fitted to `columns`. */
export const renderReprocessProgress = (progress: ReprocessProgress, columns: number): string => {
  const ratio = progress.total === 0 ? 1 : progress.done / progress.total;
  const barWidth = Math.max(10, Math.min(30, columns - 40));
  const filled = Math.round(Math.min(1, ratio) * barWidth);
  const line = `[${BAR_FULL.repeat(filled)}${BAR_EMPTY.repeat(barWidth - filled)}] ${progress.done}/${progress.total} reprocess requests  ${formatDuration(progress.elapsedMs)}`;
  return truncate(line, Math.max(columns - 1, 10));
};
