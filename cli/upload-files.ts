import { formatBytes, truncate } from './format';
import type { DocumentUploader, UploadedObject } from './ports';
import type { PlannedUpload } from './upload-plan';

/** Files uploaded at once (each file's parts are parallel too). */
const FILES_IN_FLIGHT = 4;

export interface UploadProgress {
  readonly sentBytes: number;
  readonly totalBytes: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  /** The file that most recently sent bytes. */
  readonly current?: string;
}

export type UploadResult =
  | { readonly planned: PlannedUpload; readonly uploaded: UploadedObject }
  | { readonly planned: PlannedUpload; readonly error: Error };

export interface UploadFilesOptions {
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly onFileDone?: (result: UploadResult) => void;
  /** @default 4 */
  readonly concurrency?: number;
}

/**
 * Uploads every planned file, a few at a time. One file failing does not stop the others: its result
 * holds the error. Results are in plan order.
 */
export const uploadFiles = async (
  plan: readonly PlannedUpload[],
  uploader: DocumentUploader,
  options: UploadFilesOptions = {},
): Promise<UploadResult[]> => {
  const totalBytes = plan.reduce((sum, file) => sum + file.size, 0);
  const sent = new Array<number>(plan.length).fill(0);
  const results = new Array<UploadResult | undefined>(plan.length);
  let filesDone = 0;
  let current: string | undefined;
  const report = (): void =>
    options.onProgress?.({
      sentBytes: sent.reduce((sum, bytes) => sum + bytes, 0),
      totalBytes,
      filesDone,
      filesTotal: plan.length,
      ...(current ? { current } : {}),
    });

  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < plan.length; index = next++) {
      const planned = plan[index] as PlannedUpload;
      let result: UploadResult;
      try {
        const uploaded = await uploader.upload(planned, (bytes) => {
          sent[index] = Math.min(bytes, planned.size);
          current = planned.label;
          report();
        });
        sent[index] = planned.size;
        result = { planned, uploaded };
      } catch (error) {
        result = { planned, error: error instanceof Error ? error : new Error(String(error)) };
      }
      results[index] = result;
      filesDone += 1;
      report();
      options.onFileDone?.(result);
    }
  };
  report();
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? FILES_IN_FLIGHT, plan.length) }, worker),
  );
  return results.filter((result): result is UploadResult => result !== undefined);
};

const BAR_FULL = '█';
const BAR_EMPTY = '░';

/**
 * One line of progress, fitted to `columns`:
 * `[██████░░░░░░░░░░] 37%  4.5 MiB/12.0 MiB  1/3 files  report.pdf`.
 */
export const renderProgress = (progress: UploadProgress, columns: number): string => {
  const ratio =
    progress.totalBytes === 0
      ? progress.filesDone / Math.max(progress.filesTotal, 1)
      : progress.sentBytes / progress.totalBytes;
  const percent = Math.floor(Math.min(1, Math.max(0, ratio)) * 100);
  const barWidth = Math.max(10, Math.min(30, columns - 60));
  const filled = Math.round((percent / 100) * barWidth);
  const bar = `[${BAR_FULL.repeat(filled)}${BAR_EMPTY.repeat(barWidth - filled)}]`;
  const line = `${bar} ${String(percent).padStart(3)}%  ${formatBytes(progress.sentBytes)}/${formatBytes(progress.totalBytes)}  ${progress.filesDone}/${progress.filesTotal} files`;
  const room = columns - line.length - 3;
  return progress.current && room > 8 ? `${line}  ${truncate(progress.current, room, 'middle')}` : line;
};
