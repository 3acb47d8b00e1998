import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createWorker, OEM, type Page, PSM, type Worker } from 'tesseract.js';
import type { RecognizedLine, RecognizedPage } from './blocks';

/** One page image to read: PNG or JPEG bytes and their pixel size (after any EXIF rotation). */
export interface PageImage {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Known for rendered PDF pages; tesseract estimates it otherwise. */
  readonly dpi?: number;
}

/** Port: reads the printed text on a page image. */
export interface TextRecognizer {
  recognize(image: PageImage): Promise<RecognizedPage>;
}

export interface TesseractPoolOptions {
  /** Workers kept warm; each holds ~100–200 MB. @default 1 */
  readonly size?: number;
  /** `createWorker` never settles on a bad data path, so it is bounded. @default 30_000 */
  readonly startTimeoutMs?: number;
  /** A page that takes longer costs its worker (terminated, replaced on the next request). @default 120_000 */
  readonly recognizeTimeoutMs?: number;
  /** Folder holding `eng.traineddata.gz`. @default the `4.0.0_best_int` folder of `@tesseract.js-data/eng` */
  readonly langPath?: string;
}

/**
 * OCR failed. `engineFault` says the engine itself is at fault (a worker that cannot start, a stopped
 * pool) rather than the page (unreadable, or over its time budget).
 */
export class OcrError extends Error {
  readonly engineFault: boolean;

  constructor(message: string, options?: ErrorOptions & { engineFault?: boolean }) {
    super(message, options);
    this.name = 'OcrError';
    this.engineFault = options?.engineFault ?? false;
  }
}

const require = createRequire(import.meta.url);

/**
 * The English LSTM model shipped on npm. A plain path (not a URL) makes tesseract.js read it from disk;
 * anything else sends it to a CDN.
 */
export const defaultLangPath = (): string =>
  path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

interface Waiter {
  resolve(worker: Worker): void;
  reject(error: unknown): void;
}

/**
 * A small pool of tesseract.js workers, started lazily on first use and reused for every page
 * (starting one costs ~0.3–0.5 s: the wasm core from `tesseract.js-core` plus the model from disk).
 * Fully offline: no language data or core is ever fetched.
 */
export class TesseractPool implements TextRecognizer {
  readonly #size: number;
  readonly #startTimeoutMs: number;
  readonly #recognizeTimeoutMs: number;
  readonly #langPath: string;
  readonly #workers = new Set<Worker>();
  readonly #idle: Worker[] = [];
  readonly #waiters: Waiter[] = [];
  #starting = 0;
  #stopped = false;
  /** How long each worker took to start, in ms (for reporting). */
  readonly startTimesMs: number[] = [];

  constructor(options: TesseractPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? 1);
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#recognizeTimeoutMs = options.recognizeTimeoutMs ?? 120_000;
    this.#langPath = options.langPath ?? defaultLangPath();
  }

  /** Starts one worker ahead of the first page, so that page does not pay for it. */
  async warmUp(): Promise<void> {
    this.#release(await this.#acquire());
  }

  async recognize(image: PageImage): Promise<RecognizedPage> {
    const worker = await this.#acquire();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OcrError(`OCR did not finish within ${this.#recognizeTimeoutMs} ms`)),
        this.#recognizeTimeoutMs,
      );
    });
    try {
      // recognize() passes unknown options on to tesseract as parameters for this call only; its types
      // list only tesseract.js's own.
      const options: { rotateAuto: boolean; user_defined_dpi?: string } = {
        rotateAuto: false,
        ...(image.dpi ? { user_defined_dpi: String(image.dpi) } : {}),
      };
      const result = await Promise.race([
        worker.recognize(
          Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength),
          options,
          { blocks: true, text: false },
        ),
        timeout,
      ]);
      this.#release(worker);
      return toRecognizedPage(result.data, image.width, image.height);
    } catch (error) {
      if (error instanceof OcrError) {
        this.#discard(worker);
        throw error;
      }
      this.#release(worker);
      throw new OcrError(`OCR failed: ${String(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Terminates every worker; later calls fail. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const waiter of this.#waiters.splice(0))
      waiter.reject(new OcrError('the OCR engine is stopped', { engineFault: true }));
    const workers = [...this.#workers];
    this.#workers.clear();
    this.#idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #acquire(): Promise<Worker> {
    if (this.#stopped)
      return Promise.reject(new OcrError('the OCR engine is stopped', { engineFault: true }));
    return new Promise<Worker>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#pump();
    });
  }

  #release(worker: Worker): void {
    if (this.#stopped || !this.#workers.has(worker)) return;
    this.#idle.push(worker);
    this.#pump();
  }

  #discard(worker: Worker): void {
    this.#workers.delete(worker);
    void worker.terminate();
    this.#pump();
  }

  #pump(): void {
    for (;;) {
      const waiter = this.#waiters[0];
      if (!waiter) return;
      const idle = this.#idle.pop();
      if (idle) {
        this.#waiters.shift();
        waiter.resolve(idle);
        continue;
      }
      if (this.#workers.size + this.#starting >= this.#size) return;
      this.#waiters.shift();
      this.#starting += 1;
      this.#startWorker().then(
        (worker) => {
          this.#starting -= 1;
          if (this.#stopped) {
            void worker.terminate();
            waiter.reject(new OcrError('the OCR engine is stopped', { engineFault: true }));
            return;
          }
          this.#workers.add(worker);
          waiter.resolve(worker);
        },
        (error: unknown) => {
          this.#starting -= 1;
          waiter.reject(error);
          this.#pump();
        },
      );
    }
  }

  #startWorker(): Promise<Worker> {
    const model = path.join(this.#langPath, 'eng.traineddata.gz');
    // A URL (or a folder without the model) would make tesseract.js fetch from the network or hang.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(this.#langPath) || !existsSync(model)) {
      return Promise.reject(
        new OcrError(`no English model at ${model}: langPath must be a local folder`, { engineFault: true }),
      );
    }
    const started = performance.now();
    return new Promise<Worker>((resolve, reject) => {
      let settled = false;
      const fail = (error: OcrError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new OcrError(`the tesseract worker did not start within ${this.#startTimeoutMs} ms`, {
              engineFault: true,
            }),
          ),
        this.#startTimeoutMs,
      );
      createWorker('eng', OEM.LSTM_ONLY, {
        langPath: this.#langPath,
        gzip: true,
        cacheMethod: 'none',
        // Without it a worker-side error is thrown as an uncaught exception; after start, recognize()
        // rejects with the same error, so only start-up errors matter here.
        errorHandler: (error: unknown) =>
          fail(new OcrError(`the tesseract worker failed: ${String(error)}`, { engineFault: true })),
      })
        .then(async (worker) => {
          // Automatic page segmentation (tesseract's CLI default) suits documents; the API's own
          // default treats the page as one block of text. Tesseract's notes ("Estimating resolution
          // as …" for every image without a DPI) go to a null file instead of the service's stderr.
          await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, debug_file: '/dev/null' });
          if (settled) {
            await worker.terminate();
            return;
          }
          settled = true;
          clearTimeout(timer);
          this.startTimesMs.push(performance.now() - started);
          resolve(worker);
        })
        .catch((error: unknown) =>
          fail(new OcrError(`the tesseract worker failed: ${String(error)}`, { engineFault: true })),
        );
    });
  }
}

/** Flattens tesseract's blocks → paragraphs → lines → words into lines of words. */
export const toRecognizedPage = (page: Page, width: number, height: number): RecognizedPage => {
  const lines: RecognizedLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        lines.push({
          confidence: line.confidence,
          box: line.bbox,
          words: line.words.map((word) => ({ text: word.text, confidence: word.confidence, box: word.bbox })),
        });
      }
    }
  }
  return { width, height, lines };
};
