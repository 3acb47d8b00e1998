import { forEachLimited, type PipelineClient, type Upload } from './pipeline-client';
import { type LatencySummary, summarize } from './stats';

/** A small plain-text file, distinct per run and index (the pipeline starts nothing twice for the same bytes). */
export const burstBody = (runId: string, index: number): Buffer =>
  Buffer.from(
    `Burst document ${index} of bench run ${runId}.\nA small plain-text file: the pipeline detects it, ` +
      `reads it and indexes it, with no thumbnail and no OCR.\n`,
    'utf8',
  );

export interface BurstOptions {
  /** Keys are `<keyPrefix>/<index>.txt`. */
  readonly keyPrefix: string;
  readonly runId: string;
  readonly count: number;
  /** PutObjects in flight. */
  readonly concurrency: number;
  /** Index of the first file, so that two bursts of one run upload different bytes. @default 0 */
  readonly firstIndex?: number;
}

export interface BurstResult {
  readonly uploads: readonly Upload[];
  /** Finished ÷ (last terminal write − first upload). */
  readonly docsPerSecond: number;
  readonly latency: LatencySummary;
  /** Not finished by the deadline, or finished other than PROCESSED. */
  readonly notProcessed: number;
  readonly details: {
    readonly uploadedMs: number;
    readonly statuses: Record<string, number>;
    readonly pending: number;
    /** What went wrong, by reason, with one key each: enough to look the documents up. */
    readonly unprocessed: { why: string; count: number; example: string | undefined }[];
  };
}

/** Uploads `count` small text files, `concurrency` at a time, and waits until each has a terminal status. */
export const runBurst = async (client: PipelineClient, options: BurstOptions): Promise<BurstResult> => {
  const firstIndex = options.firstIndex ?? 0;
  const uploads: Upload[] = new Array(options.count);
  const startedAt = Date.now();
  await forEachLimited(
    Array.from({ length: options.count }, (_, n) => n),
    options.concurrency,
    async (n) => {
      const index = firstIndex + n;
      uploads[n] = await client.upload(`${options.keyPrefix}/${index}.txt`, burstBody(options.runId, index));
    },
  );
  const uploadedMs = Date.now() - startedAt;
  const { finished, pending } = await client.waitForAll(uploads, {
    since: startedAt,
    timeoutMs: Math.max(600_000, options.count * 2_000),
    pollMs: 1_000,
  });
  const lastCompletion = Math.max(startedAt, ...finished.map((done) => done.endedAt));
  const unprocessed = finished.filter((done) => done.status !== 'PROCESSED');
  return {
    uploads,
    docsPerSecond: finished.length / ((lastCompletion - startedAt) / 1000),
    latency: summarize(finished.map((done) => done.latencyMs)),
    notProcessed: pending.length + unprocessed.length,
    details: {
      uploadedMs,
      statuses: Object.fromEntries(
        Object.entries(Object.groupBy(finished, (done) => done.status)).map(([status, list]) => [
          status,
          list?.length ?? 0,
        ]),
      ),
      pending: pending.length,
      unprocessed: Object.entries(
        Object.groupBy(unprocessed, (done) => `${done.status} ${done.why ?? ''}`),
      ).map(([why, list]) => ({ why, count: list?.length ?? 0, example: list?.[0]?.key })),
    },
  };
};
