import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HttpDocumentsApi } from '../cli/adapters/http-documents-api';
import { signedGet } from '../cli/adapters/sigv4-fetch';
import type { DocumentSummary } from '../lambdas/api/schemas';
import { documentId } from '../lambdas/shared/documents/document';
import type { LocalDeployment } from '../local/deployment-file';

/**
 * The bench's view of a running pipeline, through its public interfaces only: S3 PutObject into the
 * uploads bucket, and the query API (SigV4-signed, as the CLI calls it). Nothing reaches inside.
 */

const TERMINAL = new Set(['PROCESSED', 'REJECTED', 'FAILED']);

/** One upload the bench made. */
export interface Upload {
  readonly key: string;
  /** Epoch ms just before the PutObject request was sent: where "upload → terminal" starts. */
  readonly startedAt: number;
}

/** An upload that reached a terminal status. */
export interface Finished {
  readonly key: string;
  readonly status: string;
  /**
   * Upload → the terminal record, ms. The end is the record's `completedAt` (the time the pipeline
   * wrote the terminal status, on the same clock as the bench's), so polling does not blur it; a record
   * without one falls back to the moment the bench saw it.
   */
  readonly latencyMs: number;
  /** Epoch ms of that end. */
  readonly endedAt: number;
  /** Upload → the bench saw the terminal status through the API, ms (latency + polling delay). */
  readonly observedMs: number;
  /** Why it was not PROCESSED: the rejection reason, or the failure's error and cause. */
  readonly why?: string;
}

export class TimedOutError extends Error {
  override readonly name = 'TimedOutError';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const whyOf = (document: DocumentSummary): string =>
  document.failure
    ? `${document.failure.error}: ${document.failure.cause}`.slice(0, 300)
    : [document.reason, document.reasonDetail].filter(Boolean).join(': ') || 'no reason given';

const finishedOf = (upload: Upload, document: DocumentSummary, seenAt: number): Finished => {
  const completedAt = Date.parse(document.completedAt ?? '');
  const end = Number.isFinite(completedAt) && completedAt >= upload.startedAt ? completedAt : seenAt;
  return {
    key: upload.key,
    status: document.status,
    latencyMs: end - upload.startedAt,
    endedAt: end,
    observedMs: seenAt - upload.startedAt,
    ...(document.status === 'PROCESSED' ? {} : { why: whyOf(document) }),
  };
};

/** Runs `work` on every item with at most `limit` at a time. */
export const forEachLimited = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
};

export class PipelineClient {
  readonly #s3: S3Client;
  readonly #api: HttpDocumentsApi;
  readonly #bucket: string;

  constructor(deployment: LocalDeployment) {
    const credentials = { accessKeyId: 'docflow-bench', secretAccessKey: 'docflow-bench' };
    this.#s3 = new S3Client({
      region: deployment.region,
      credentials,
      endpoint: deployment.endpoint,
      forcePathStyle: true,
    });
    const bucket = deployment.outputs.UploadsBucketName;
    if (!bucket) throw new Error('the deployment has no UploadsBucketName output');
    this.#bucket = bucket;
    this.#api = new HttpDocumentsApi(
      deployment.apiUrl,
      signedGet({ region: deployment.region, credentials }),
    );
  }

  async upload(key: string, body: Uint8Array): Promise<Upload> {
    const startedAt = Date.now();
    await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body }));
    return { key, startedAt };
  }

  /** Polls the document of one upload (its key is new, so any record of it is this upload's). */
  async waitFor(upload: Upload, options: { timeoutMs: number; pollMs: number }): Promise<Finished> {
    const id = documentId(this.#bucket, upload.key);
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const document = await this.#api.get(id);
      const seenAt = Date.now();
      if (document && TERMINAL.has(document.status)) return finishedOf(upload, document, seenAt);
      if (seenAt > deadline) {
        throw new TimedOutError(
          `${upload.key} was not done after ${options.timeoutMs} ms (${document?.status ?? 'no record yet'})`,
        );
      }
      await sleep(options.pollMs);
    }
  }

  /**
   * The modelled cost of an upload's document once record-cost has priced its runs (it prices a run
   * after the run ends, so it may lag the terminal status); undefined when none came in time.
   */
  async costOf(
    key: string,
    options: { timeoutMs: number; pollMs: number },
  ): Promise<DocumentSummary['cost']> {
    const id = documentId(this.#bucket, key);
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const document = await this.#api.get(id);
      if (document?.cost) return document.cost;
      if (Date.now() > deadline) return undefined;
      await sleep(options.pollMs);
    }
  }

  /**
   * Waits for many uploads by listing the documents uploaded since `since` (a few API calls per round
   * instead of one per document). Resolves with those that finished; the rest timed out. Each round
   * lists from the oldest upload still waiting: a burst finishes roughly in upload order, so the
   * bench's own reads shrink as it ends instead of growing with every finished document (one round over
   * 530 documents cost the local cloud 0.26–0.38 s of CPU, which the burst it measures then lacked).
   */
  async waitForAll(
    uploads: readonly Upload[],
    options: { since: number; timeoutMs: number; pollMs: number; onProgress?: (done: number) => void },
  ): Promise<{ finished: Finished[]; pending: string[] }> {
    const waiting = new Map(uploads.map((upload) => [upload.key, upload]));
    const finished: Finished[] = [];
    const deadline = Date.now() + options.timeoutMs;
    while (waiting.size > 0 && Date.now() <= deadline) {
      const oldestWaiting = Math.min(...Array.from(waiting.values(), (upload) => upload.startedAt));
      for await (const items of this.#listedSince(Math.max(options.since, oldestWaiting))) {
        const seenAt = Date.now();
        for (const document of items) {
          const upload = waiting.get(document.key);
          if (!upload || !TERMINAL.has(document.status)) continue;
          waiting.delete(document.key);
          finished.push(finishedOf(upload, document, seenAt));
        }
      }
      options.onProgress?.(finished.length);
      if (waiting.size > 0) await sleep(options.pollMs);
    }
    return { finished, pending: [...waiting.keys()] };
  }

  /**
   * Waits until record-cost has priced every one of `keys` (it runs on EventBridge after each execution
   * ends, so it lags the terminal statuses), reading the costs from the list (a few API calls per round).
   * Resolves with the keys still without a cost at the deadline.
   */
  async waitForCosts(
    keys: readonly string[],
    options: { since: number; timeoutMs: number; pollMs: number },
  ): Promise<string[]> {
    const waiting = new Set(keys);
    const deadline = Date.now() + options.timeoutMs;
    while (waiting.size > 0 && Date.now() <= deadline) {
      for await (const items of this.#listedSince(options.since)) {
        for (const document of items) if (document.cost) waiting.delete(document.key);
      }
      if (waiting.size > 0) await sleep(options.pollMs);
    }
    return [...waiting];
  }

  /** One round through the list of the documents uploaded since `since`, a page at a time. */
  async *#listedSince(since: number): AsyncGenerator<readonly DocumentSummary[]> {
    // S3's eventTime has whole milliseconds and may lag the bench's clock by a hair.
    const uploadedAfter = new Date(since - 2_000).toISOString();
    let cursor: string | undefined;
    do {
      const page = await this.#api.list({ uploadedAfter, limit: 100, ...(cursor ? { cursor } : {}) });
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  close(): void {
    this.#s3.destroy();
  }
}
