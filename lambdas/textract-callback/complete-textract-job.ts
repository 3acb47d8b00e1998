import type { Block } from '@aws-sdk/client-textract';
import {
  CorruptDocumentError,
  DocumentNotFoundError,
  TextractJobFailedError,
} from '../shared/documents/errors';
import type { S3Pointer, TextInfo } from '../shared/documents/metadata-item';
import type { TextDocument } from '../shared/documents/text-document';
import { summarizeTextDocument } from '../shared/documents/text-summary';
import { textPagesFromBlocks } from '../shared/documents/textract-blocks';
import { failedJobError } from '../shared/documents/textract-errors';
import type {
  TextDetectionResults,
  TextDetectionResultsPage,
  TextDetectionWarning,
} from '../shared/ports/text-detection';
import type { TextDocumentWriter } from '../shared/ports/text-document-writer';
import type { TextractJobRecord, TextractJobs } from '../shared/ports/textract-jobs';
import type { TextractNotification } from './textract-notification';

/** Whether a callback reached a waiting task, or the task was already gone (timed out, completed). */
export type CallbackDelivery = 'delivered' | 'task-gone';

/** Completes waiting Step Functions tasks (SendTaskSuccess / SendTaskFailure). */
export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<CallbackDelivery>;
  fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery>;
}

export interface CompleteJobDependencies {
  readonly jobs: TextractJobs;
  readonly results: TextDetectionResults;
  readonly texts: TextDocumentWriter;
  readonly tasks: TaskCallbacks;
  /** Most `GetDocumentTextDetection` calls for one job. @default {@link MAX_RESULT_CALLS} */
  readonly maxResultCalls?: number;
}

/** What became of one notification. Every outcome is final: the message is done with. */
export type CompletionOutcome =
  /** No job tag: not a job docflow started. */
  | { readonly kind: 'not-ours' }
  /** No record for the tag: already handled (a redelivery) or expired. */
  | { readonly kind: 'unknown-job'; readonly jobTag: string }
  | {
      readonly kind: 'succeeded';
      readonly record: TextractJobRecord;
      readonly text: TextInfo;
      readonly status: 'SUCCEEDED' | 'PARTIAL_SUCCESS';
      readonly delivery: CallbackDelivery;
    }
  | {
      readonly kind: 'failed';
      readonly record: TextractJobRecord;
      readonly error: string;
      readonly cause: string;
      readonly delivery: CallbackDelivery;
    };

/**
 * Calls allowed to collect one job's results: 1,000 blocks each, so 5 million blocks, far more than the
 * page limit allows. It bounds a service that keeps returning a NextToken.
 */
export const MAX_RESULT_CALLS = 5_000;

/** The blocks the text is made of; WORD blocks repeat their lines and are dropped as they arrive. */
const KEPT_BLOCK_TYPES = new Set(['PAGE', 'LINE']);

interface CollectedResults {
  readonly status: 'SUCCEEDED' | 'PARTIAL_SUCCESS';
  readonly pages: number;
  readonly blocks: Block[];
  readonly warnings: TextDetectionWarning[];
}

/** Reads every page of a finished job's results, following NextToken. */
const collectResults = async (
  jobId: string,
  first: TextDetectionResultsPage & { status: CollectedResults['status'] },
  deps: CompleteJobDependencies,
): Promise<CollectedResults> => {
  const maxCalls = deps.maxResultCalls ?? MAX_RESULT_CALLS;
  const blocks: Block[] = [];
  const warnings: TextDetectionWarning[] = [];
  let pages = first.pages ?? 0;
  let page: TextDetectionResultsPage = first;
  const seenTokens = new Set<string>();
  for (let calls = 1; ; calls++) {
    for (const block of page.blocks) if (KEPT_BLOCK_TYPES.has(block.BlockType ?? '')) blocks.push(block);
    warnings.push(...page.warnings);
    pages = Math.max(pages, page.pages ?? 0);
    const next = page.nextToken;
    if (next === undefined) break;
    if (seenTokens.has(next) || calls >= maxCalls) {
      throw new Error(`the results of Textract job ${jobId} do not end after ${calls} calls`);
    }
    seenTokens.add(next);
    page = await deps.results.getPage(jobId, next);
  }
  return { status: first.status, pages, blocks, warnings };
};

/** A page Textract could not read, as the TextDocument records it. */
const pageErrorOf = (errorCode: string): string => `Textract could not read this page (${errorCode})`;

const failedPagesOf = (warnings: readonly TextDetectionWarning[]): Map<number, string> => {
  const failed = new Map<number, string>();
  for (const warning of warnings) {
    for (const page of warning.pages) if (!failed.has(page)) failed.set(page, pageErrorOf(warning.errorCode));
  }
  return failed;
};

const succeed = async (
  record: TextractJobRecord,
  results: CollectedResults,
  deps: CompleteJobDependencies,
): Promise<CompletionOutcome> => {
  // PARTIAL_SUCCESS: some pages failed. The document is processed with what was read, the failed pages
  // marked with their error, as a PDF with a broken page is when read locally.
  const failedPages = results.status === 'PARTIAL_SUCCESS' ? failedPagesOf(results.warnings) : new Map();
  const pages = textPagesFromBlocks(results.blocks, results.pages, failedPages);
  if (pages.length > 0 && pages.every((page) => page.error !== undefined)) {
    return fail(record, new CorruptDocumentError('Textract could not read any page of the document'), deps);
  }
  const document: TextDocument = {
    documentId: record.documentId,
    version: record.version,
    sequencer: record.sequencer,
    source: 'textract',
    pages,
  };
  let pointer: S3Pointer;
  try {
    pointer = await deps.texts.save(document, record.document);
  } catch (error) {
    // The upload was deleted or replaced while the job ran: the run learns it as a text step would.
    if (error instanceof DocumentNotFoundError) return fail(record, error, deps);
    throw error;
  }
  const text = summarizeTextDocument(document, pointer);
  const delivery = await deps.tasks.succeed(record.taskToken, { text });
  await deps.jobs.remove(record.jobTag);
  return { kind: 'succeeded', record, text, status: results.status, delivery };
};

const fail = async (
  record: TextractJobRecord,
  error: Error,
  deps: CompleteJobDependencies,
): Promise<CompletionOutcome> => {
  // The cause starts with the reason code for rejections ("CORRUPT: …"): RecordRejected reads it there.
  const delivery = await deps.tasks.fail(record.taskToken, error.name, error.message);
  await deps.jobs.remove(record.jobTag);
  return { kind: 'failed', record, error: error.name, cause: error.message, delivery };
};

/**
 * Handles one Textract completion: finds the waiting task by the job tag, reads every page of the
 * results, writes the text document and sends SendTaskSuccess with `{ text }` (pointer and counts); or
 * sends SendTaskFailure with a typed error name when the job failed. The record is removed last, so a
 * redelivered notification either repeats the same idempotent work or finds nothing and is done.
 *
 * Throws (so the message is retried) only when the work could not be done now: Textract throttled,
 * the store or Step Functions failed, or the results are not visible yet.
 */
export const completeTextractJob = async (
  notification: TextractNotification,
  deps: CompleteJobDependencies,
): Promise<CompletionOutcome> => {
  const { jobTag, jobId } = notification;
  if (jobTag === undefined) return { kind: 'not-ours' };
  const record = await deps.jobs.find(jobTag);
  if (!record) return { kind: 'unknown-job', jobTag };
  if (notification.status === 'ERROR') {
    return fail(
      record,
      failedJobError('ERROR', `Textract reported an internal error for job ${jobId}`),
      deps,
    );
  }
  let first: TextDetectionResultsPage;
  try {
    first = await deps.results.getPage(jobId);
  } catch (error) {
    if (error instanceof TextractJobFailedError) return fail(record, error, deps);
    throw error;
  }
  switch (first.status) {
    case 'IN_PROGRESS':
      throw new Error(`Textract job ${jobId} is still IN_PROGRESS after its completion notification`);
    case 'FAILED':
      return fail(record, failedJobError('FAILED', first.statusMessage), deps);
    case 'SUCCEEDED':
    case 'PARTIAL_SUCCESS': {
      let results: CollectedResults;
      try {
        results = await collectResults(jobId, { ...first, status: first.status }, deps);
      } catch (error) {
        if (error instanceof TextractJobFailedError) return fail(record, error, deps);
        throw error;
      }
      return succeed(record, results, deps);
    }
  }
};
