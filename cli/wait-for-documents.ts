import type { DocumentDetail } from '../lambdas/api/schemas';
import type { DocumentStatus } from '../lambdas/shared/documents/document';
import type { DocumentsApi } from './ports';

/** Statuses a document version ends in. */
export const TERMINAL_STATUSES: ReadonlySet<DocumentStatus> = new Set(['PROCESSED', 'REJECTED', 'FAILED']);

/** An uploaded object whose document we wait for. */
export interface AwaitedUpload {
  readonly id: string;
  readonly key: string;
  /** The ETag S3 answered the upload with. */
  readonly eTag: string;
  /** The S3 versionId, when the bucket is versioned. */
  readonly versionId?: string;
  /** The document's version as the API showed it just before the upload; undefined when it had none. */
  readonly previousVersion?: string;
}

export interface WaitOutcome {
  readonly upload: AwaitedUpload;
  /** The newest state seen of this upload's version (terminal unless timed out). */
  readonly document?: DocumentDetail;
  readonly timedOut: boolean;
}

/** ETags compare without their quotes and case (S3 answers `"abc"`, event records carry `abc`). */
export const normalizeETag = (eTag: string): string =>
  eTag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();

/**
 * Whether the API's document is the version this upload created, not an earlier one of the same key:
 * same content (ETag) and, with versioning, the very versionId; without versioning (the version is
 * then S3's sequencer, which the upload response does not carry), a version other than the one
 * recorded before the upload. Re-uploading the same bytes makes a new version with the same ETag,
 * which is why the ETag alone is not enough.
 */
export const isThisUpload = (document: DocumentDetail, upload: AwaitedUpload): boolean => {
  if (document.eTag === undefined || normalizeETag(document.eTag) !== normalizeETag(upload.eTag))
    return false;
  if (upload.versionId !== undefined) return document.version === upload.versionId;
  return document.version !== upload.previousVersion;
};

/** The version of each document before an upload, for {@link isThisUpload}. */
export const currentVersions = async (
  documents: Pick<DocumentsApi, 'get'>,
  ids: readonly string[],
): Promise<Map<string, string | undefined>> => {
  const versions = new Map<string, string | undefined>();
  await forEachLimited(ids, 8, async (id) => {
    versions.set(id, (await documents.get(id))?.version);
  });
  return versions;
};

export interface WaitProgress {
  readonly done: number;
  readonly total: number;
  /** Documents of this upload seen in PROCESSING. */
  readonly processing: number;
  readonly elapsedMs: number;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default 500; grows by half each round up to `maxPollIntervalMs` */
  readonly pollIntervalMs?: number;
  /** @default 3000 */
  readonly maxPollIntervalMs?: number;
  /** Rounds in a row in which a request failed before giving up. @default 5 */
  readonly maxFailedRounds?: number;
  readonly onProgress?: (progress: WaitProgress) => void;
  readonly onDone?: (outcome: WaitOutcome) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items`, at most `limit` at a time. */
export const forEachLimited = async <T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) await task(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * Polls the API until each upload's own version reaches a terminal status, or the time is up.
 * Outcomes come back in the order of `uploads`.
 *
 * @throws the last error when the API failed `maxFailedRounds` rounds in a row
 */
export const waitForDocuments = async (
  documents: Pick<DocumentsApi, 'get'>,
  uploads: readonly AwaitedUpload[],
  options: WaitOptions,
): Promise<WaitOutcome[]> => {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const started = now();
  const deadline = started + options.timeoutMs;
  const latest = new Map<AwaitedUpload, DocumentDetail>();
  const finished = new Map<AwaitedUpload, WaitOutcome>();
  let interval = options.pollIntervalMs ?? 500;
  let failedRounds = 0;

  for (;;) {
    const pending = uploads.filter((upload) => !finished.has(upload));
    let failure: unknown;
    await forEachLimited(pending, 8, async (upload) => {
      try {
        const document = await documents.get(upload.id);
        if (!document || !isThisUpload(document, upload)) return;
        latest.set(upload, document);
        if (TERMINAL_STATUSES.has(document.status)) {
          const outcome = { upload, document, timedOut: false };
          finished.set(upload, outcome);
          options.onDone?.(outcome);
        }
      } catch (error) {
        failure = error;
      }
    });
    failedRounds = failure === undefined ? 0 : failedRounds + 1;
    if (failedRounds >= (options.maxFailedRounds ?? 5)) throw failure;
    options.onProgress?.({
      done: finished.size,
      total: uploads.length,
      processing: [...latest.entries()].filter(
        ([upload, doc]) => !finished.has(upload) && doc.status === 'PROCESSING',
      ).length,
      elapsedMs: now() - started,
    });
    if (finished.size === uploads.length || now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
    interval = Math.min(interval * 1.5, options.maxPollIntervalMs ?? 3000);
  }

  return uploads.map((upload) => {
    const done = finished.get(upload);
    if (done) return done;
    const seen = latest.get(upload);
    return { upload, ...(seen ? { document: seen } : {}), timedOut: true };
  });
};
