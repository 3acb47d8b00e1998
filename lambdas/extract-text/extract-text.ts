import type { DocumentRef } from '../shared/documents/document';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  UnsupportedDocumentError,
} from '../shared/documents/errors';
import type { Limits } from '../shared/documents/limits';
import type { Inspection, TextInfo } from '../shared/documents/metadata-item';
import type { TextDocument, TextPage } from '../shared/documents/text-document';
import { summarizeTextDocument } from '../shared/documents/text-summary';
import { textPagesFromBlocks } from '../shared/documents/textract-blocks';
import type { BlobRef, DocumentBlobs } from '../shared/ports/document-blobs';
import type {
  DetectionDocument,
  TextDetectionJobStarter,
  TextDetector,
} from '../shared/ports/text-detection';
import type { TextDocumentWriter } from '../shared/ports/text-document-writer';
import { jobTagOf, TEXTRACT_JOB_RECORD_TTL_SECONDS, type TextractJobs } from '../shared/ports/textract-jobs';
import { isLocalTextType, type TextExtractor } from './local-extractors';
import { type OcrImagePreparer, TEXTRACT_SYNC_LIMITS } from './ocr-image';

/** What every text task receives from the state machine. */
export interface TextTask {
  readonly document: DocumentRef;
  readonly inspection: Inspection;
}

/** One invocation, by strategy; the async one carries the task token it must complete later. */
export type ExtractTextRequest =
  | (TextTask & { readonly strategy: 'local' })
  | (TextTask & { readonly strategy: 'textract-sync' })
  | (TextTask & { readonly strategy: 'textract-async'; readonly taskToken: string });

/** What goes back into the state: a pointer to the text and its counts, never the text. */
export interface TextResult {
  readonly text: TextInfo;
}

/** What the async invocation returns (Step Functions ignores it; it is for logs and tests). */
export interface StartedJob {
  readonly jobId: string;
  readonly jobTag: string;
}

/** Ports and configuration of {@link extractText}. */
export interface ExtractTextDependencies {
  readonly blobs: DocumentBlobs;
  readonly extractor: TextExtractor;
  readonly images: OcrImagePreparer;
  readonly detector: TextDetector;
  readonly jobStarter: TextDetectionJobStarter;
  readonly jobs: TextractJobs;
  readonly texts: TextDocumentWriter;
  readonly limits: Limits;
  readonly now?: () => Date;
}

/** Largest document an asynchronous Textract job reads (PDF and TIFF). */
export const TEXTRACT_ASYNC_MAX_BYTES = 500 * 1024 * 1024;

/** Kinds Textract reads as they are, by Inspect's `type`. */
const TEXTRACT_NATIVE_IMAGES = new Set(['jpeg', 'png']);
const TEXTRACT_NATIVE_PAGED = new Set(['pdf', 'tiff']);

const blobRefOf = (document: DocumentRef): BlobRef => ({
  bucket: document.bucket,
  key: document.key,
  ...(document.versionId === undefined ? {} : { versionId: document.versionId }),
});

const readBytes = async (task: TextTask, deps: ExtractTextDependencies): Promise<Buffer> => {
  const bytes = await deps.blobs.read(blobRefOf(task.document), deps.limits.maxDocumentBytes);
  if (bytes.length === 0) throw new EmptyDocumentError();
  return bytes;
};

const store = async (
  task: TextTask,
  source: TextDocument['source'],
  pages: TextPage[],
  deps: ExtractTextDependencies,
): Promise<TextResult> => {
  const document: TextDocument = {
    documentId: task.document.id,
    version: task.document.version,
    sequencer: task.document.sequencer,
    source,
    pages,
  };
  const pointer = await deps.texts.save(document, task.document);
  return { text: summarizeTextDocument(document, pointer) };
};

/** PDF text layer, DOCX or plain text, read in the function (in a sandboxed process) without OCR. */
export const extractLocally = async (task: TextTask, deps: ExtractTextDependencies): Promise<TextResult> => {
  const { type, encoding } = task.inspection;
  if (!isLocalTextType(type)) throw new UnsupportedDocumentError(`no local text extraction for ${type}`);
  const bytes = await readBytes(task, deps);
  const extracted = await deps.extractor.extract({
    type,
    bytes,
    ...(encoding === undefined ? {} : { encoding }),
    limits: { maxPages: deps.limits.maxPages, parseTimeoutMs: deps.limits.parseTimeoutMs },
  });
  return store(task, extracted.source, extracted.pages, deps);
};

const withinSyncLimits = (inspection: Inspection): boolean =>
  inspection.size < TEXTRACT_SYNC_LIMITS.maxBytes &&
  (inspection.width ?? 0) <= TEXTRACT_SYNC_LIMITS.maxSidePixels &&
  (inspection.height ?? 0) <= TEXTRACT_SYNC_LIMITS.maxSidePixels;

/**
 * Whether Textract reads the stored object as it is: JPEG and PNG, and one-page PDF and TIFF, within
 * the synchronous limits. It then fetches the object itself (exact version), and nothing crosses the
 * function. Everything else is converted here and sent inline.
 */
export const readableByReference = (inspection: Inspection): boolean =>
  withinSyncLimits(inspection) &&
  (TEXTRACT_NATIVE_IMAGES.has(inspection.type) ||
    (TEXTRACT_NATIVE_PAGED.has(inspection.type) && (inspection.pages ?? 1) === 1));

/** Converts the image (WebP, GIF, AVIF, HEIC, oversized, or one Textract refused) and sends it inline. */
const detectConverted = async (task: TextTask, deps: ExtractTextDependencies) => {
  const bytes = await readBytes(task, deps);
  const image = await deps.images.prepare({
    type: task.inspection.type,
    bytes,
    maxPixels: deps.limits.maxImagePixels,
    budgetMs: deps.limits.parseTimeoutMs,
  });
  return deps.detector.detect({ bytes: image.bytes });
};

/**
 * OCR of one page with `DetectDocumentText`. The object is sent by reference when Textract can read it
 * as it is; an image it refuses anyway (a CMYK JPEG, a 16-bit PNG) gets one more chance converted.
 */
export const detectWithTextract = async (
  task: TextTask,
  deps: ExtractTextDependencies,
): Promise<TextResult> => {
  const { inspection } = task;
  let detected: Awaited<ReturnType<TextDetector['detect']>>;
  if (readableByReference(inspection)) {
    const reference: DetectionDocument = { s3Object: blobRefOf(task.document) };
    try {
      detected = await deps.detector.detect(reference);
    } catch (error) {
      const refused = error instanceof UnsupportedDocumentError || error instanceof CorruptDocumentError;
      if (!refused || inspection.type === 'pdf') throw error;
      detected = await detectConverted(task, deps);
    }
  } else if (inspection.type === 'pdf') {
    // Inspect sends PDFs over the synchronous limits to the asynchronous API; this is a wiring fault.
    throw new Error(
      `a ${inspection.pages ?? '?'}-page PDF of ${inspection.size} bytes is outside Textract's synchronous limits`,
    );
  } else if ((inspection.pages ?? 1) > 1) {
    throw new Error(`a ${inspection.pages}-page ${inspection.type} needs the asynchronous strategy`);
  } else {
    detected = await detectConverted(task, deps);
  }
  return store(task, 'textract', textPagesFromBlocks(detected.blocks, detected.pages), deps);
};

/**
 * Starts an asynchronous text-detection job for a `.waitForTaskToken` task. The task token is stored
 * first, under the job tag derived from it: Textract may finish (and the callback look the token up)
 * before `StartDocumentTextDetection` even returns. The same token gives the same tag and client
 * request token, so a retried invocation finds the job already started instead of starting another.
 */
export const startTextractJob = async (
  task: TextTask,
  taskToken: string,
  deps: ExtractTextDependencies,
): Promise<StartedJob> => {
  const { inspection, document } = task;
  if (!TEXTRACT_NATIVE_PAGED.has(inspection.type) && !TEXTRACT_NATIVE_IMAGES.has(inspection.type)) {
    throw new Error(`Textract jobs read PDF, TIFF, JPEG and PNG; Inspect sent a ${inspection.type}`);
  }
  if (inspection.size > TEXTRACT_ASYNC_MAX_BYTES) {
    throw new DocumentTooLargeError(
      `the document is ${inspection.size} bytes, over Textract's limit of ${TEXTRACT_ASYNC_MAX_BYTES}`,
    );
  }
  const now = (deps.now ?? (() => new Date()))();
  const jobTag = jobTagOf(taskToken);
  const ref = blobRefOf(document);
  await deps.jobs.save({
    jobTag,
    taskToken,
    documentId: document.id,
    version: document.version,
    sequencer: document.sequencer,
    document: ref,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + TEXTRACT_JOB_RECORD_TTL_SECONDS,
  });
  const { jobId } = await deps.jobStarter.start({ document: ref, jobTag, clientRequestToken: jobTag });
  return { jobId, jobTag };
};

/** Runs one text task by its strategy. */
export const extractText = (
  request: ExtractTextRequest,
  deps: ExtractTextDependencies,
): Promise<TextResult | StartedJob> => {
  switch (request.strategy) {
    case 'local':
      return extractLocally(request, deps);
    case 'textract-sync':
      return detectWithTextract(request, deps);
    case 'textract-async':
      return startTextractJob(request, request.taskToken, deps);
  }
};
