import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { createWorker, OEM, type Page, PSM, type Worker } from 'tesseract.js';
import type { PixelBox, RecognizedPage, RecognizedWord, TextOrientation } from './blocks';
import { layoutLines } from './line-layout';

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
  /**
   * Workers are stopped once no page has been read for this long, as a service scales in: each holds
   * ~100–200 MB that `docflow up` would otherwise keep for its whole life. The next page starts one again
   * (about half a second). 0 keeps them. @default 300_000, the idle time after which the local Lambda
   * runner reclaims an environment
   */
  readonly idleTimeoutMs?: number;
  /** Folder holding `eng.traineddata.gz`. @default the `4.0.0_best_int` folder of `@tesseract.js-data/eng` */
  readonly langPath?: string;
  /** Folder holding the legacy `osd.traineddata.gz`. @default the `4.0.0` folder of `@tesseract.js-data/osd` */
  readonly osdLangPath?: string;
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

/** Tesseract's orientation and script detection model (it runs on the legacy engine only). */
export const defaultOsdLangPath = (): string =>
  path.join(path.dirname(require.resolve('@tesseract.js-data/osd/package.json')), '4.0.0');

/**
 * A page whose words average below this confidence (or that has none) may be a turned scan: only then is
 * its orientation detected, so an upright page costs one pass.
 */
export const UPRIGHT_MIN_CONFIDENCE = 75;

interface Waiter {
  resolve(worker: Worker): void;
  reject(error: unknown): void;
}

/** Tesseract's OSD verdict as the clockwise turn that makes a page upright. */
type Correction = 0 | 90 | 180 | 270;

const toCorrection = (degrees: number | null): Correction =>
  degrees === 90 || degrees === 180 || degrees === 270 ? degrees : 0;

/** The total confidence of a pass's words: more words read surely is a better reading. */
const readingScore = (words: readonly RecognizedWord[]): number =>
  words.reduce((sum, word) => sum + word.confidence, 0);

const looksUpright = (words: readonly RecognizedWord[]): boolean =>
  words.length > 0 && readingScore(words) / words.length >= UPRIGHT_MIN_CONFIDENCE;

/**
 * Maps a box on the page turned clockwise by `correction` back onto the page as given (`width` ×
 * `height`), where Textract's geometry lives.
 */
export const unturnBox = (box: PixelBox, correction: Correction, width: number, height: number): PixelBox => {
  const point = (u: number, v: number): [number, number] => {
    switch (correction) {
      case 90:
        return [v, height - u];
      case 180:
        return [width - u, height - v];
      case 270:
        return [width - v, u];
      default:
        return [u, v];
    }
  };
  const [ax, ay] = point(box.x0, box.y0);
  const [bx, by] = point(box.x1, box.y1);
  return { x0: Math.min(ax, bx), y0: Math.min(ay, by), x1: Math.max(ax, bx), y1: Math.max(ay, by) };
};

/**
 * A small pool of tesseract.js workers, started lazily on first use and reused for every page
 * (starting one costs ~0.3–0.5 s: the wasm core from `tesseract.js-core` plus the model from disk).
 * Fully offline: no language data or core is ever fetched. A page that reads badly gets tesseract's
 * orientation detection (one more lazily started worker, on the legacy engine) and, when it is turned,
 * a second pass on the page turned upright.
 */
export class TesseractPool implements TextRecognizer {
  readonly #size: number;
  readonly #startTimeoutMs: number;
  readonly #recognizeTimeoutMs: number;
  readonly #langPath: string;
  readonly #osdLangPath: string;
  readonly #workers = new Set<Worker>();
  readonly #idle: Worker[] = [];
  readonly #waiters: Waiter[] = [];
  #starting = 0;
  #stopped = false;
  #osd: Promise<Worker> | undefined;
  readonly #idleTimeoutMs: number;
  /** Passes and orientation detections under way: workers are stopped for idleness only at 0. */
  #busy = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** How long each worker took to start, in ms (for reporting). */
  readonly startTimesMs: number[] = [];
  /** How many pages needed orientation detection, and how many were read turned (for reporting). */
  readonly orientation = { detected: 0, turned: 0 };

  constructor(options: TesseractPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? 1);
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#recognizeTimeoutMs = options.recognizeTimeoutMs ?? 120_000;
    this.#langPath = options.langPath ?? defaultLangPath();
    this.#osdLangPath = options.osdLangPath ?? defaultOsdLangPath();
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  }

  /** Workers started and not stopped, the orientation one included. */
  get runningWorkers(): number {
    return this.#workers.size + this.#starting + (this.#osd ? 1 : 0);
  }

  /** Starts one worker ahead of the first page, so that page does not pay for it. */
  async warmUp(): Promise<void> {
    this.#release(await this.#acquire());
    this.#scheduleIdleStop();
  }

  async recognize(image: PageImage): Promise<RecognizedPage> {
    this.#busy += 1;
    clearTimeout(this.#idleTimer);
    try {
      return await this.#recognize(image);
    } finally {
      this.#busy -= 1;
      this.#scheduleIdleStop();
    }
  }

  async #recognize(image: PageImage): Promise<RecognizedPage> {
    const { width, height } = image;
    const words = await this.#read(image.bytes, image.dpi);
    if (looksUpright(words)) return { width, height, lines: layoutLines(words) };
    this.orientation.detected += 1;
    const correction = await this.#detectOrientation(image.bytes);
    if (correction === 0) return { width, height, lines: layoutLines(words) };
    const turned = await sharp(image.bytes).rotate(correction).png({ compressionLevel: 1 }).toBuffer();
    const turnedWords = await this.#read(turned, image.dpi);
    if (readingScore(turnedWords) <= readingScore(words)) return { width, height, lines: layoutLines(words) };
    this.orientation.turned += 1;
    // Lines are laid out upright, then every box goes back onto the page as it was given.
    const unturn = (box: PixelBox): PixelBox => unturnBox(box, correction, width, height);
    const lines = layoutLines(turnedWords).map((line) => ({
      ...line,
      box: unturn(line.box),
      words: line.words.map((word) => ({ ...word, box: unturn(word.box) })),
    }));
    return { width, height, lines, orientation: ((360 - correction) % 360) as TextOrientation };
  }

  /** Terminates every worker; later calls fail. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#idleTimer);
    for (const waiter of this.#waiters.splice(0))
      waiter.reject(new OcrError('the OCR engine is stopped', { engineFault: true }));
    const workers = [...this.#workers];
    this.#workers.clear();
    this.#idle.length = 0;
    const osd = this.#osd;
    this.#osd = undefined;
    await Promise.all([
      ...workers.map((worker) => worker.terminate()),
      osd?.then(
        (worker) => worker.terminate(),
        () => undefined,
      ),
    ]);
  }

  /** One recognition pass: every word tesseract found, with its box in this image's pixels. */
  async #read(bytes: Uint8Array, dpi: number | undefined): Promise<RecognizedWord[]> {
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
        ...(dpi ? { user_defined_dpi: String(dpi) } : {}),
      };
      const result = await Promise.race([
        worker.recognize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options, {
          blocks: true,
          text: false,
        }),
        timeout,
      ]);
      this.#release(worker);
      return recognizedWords(result.data);
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

  /** The clockwise turn that makes the page upright, or 0 when tesseract finds none. */
  async #detectOrientation(bytes: Uint8Array): Promise<Correction> {
    if (this.#stopped) throw new OcrError('the OCR engine is stopped', { engineFault: true });
    this.#osd ??= this.#startWorker('osd');
    const osd = this.#osd;
    const worker = await osd.catch((error: unknown) => {
      if (this.#osd === osd) this.#osd = undefined;
      throw error;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new OcrError(`orientation detection did not finish within ${this.#recognizeTimeoutMs} ms`)),
        this.#recognizeTimeoutMs,
      );
    });
    try {
      const { data } = await Promise.race([
        worker.detect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
        timeout,
      ]);
      // On a sparse page (a few form lines) tesseract is right but unsure (confidence 1.5–4 where a page
      // of prose gets 10+); any verdict is tried, since the turned pass is kept only if it reads better.
      return (data.orientation_confidence ?? 0) > 0 ? toCorrection(data.orientation_degrees) : 0;
    } catch (error) {
      if (error instanceof OcrError) {
        if (this.#osd === osd) this.#osd = undefined;
        void worker.terminate();
        throw error;
      }
      throw new OcrError(`orientation detection failed: ${String(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #scheduleIdleStop(): void {
    clearTimeout(this.#idleTimer);
    if (this.#busy > 0 || this.#idleTimeoutMs === 0 || this.#stopped) return;
    this.#idleTimer = setTimeout(() => this.#stopIdleWorkers(), this.#idleTimeoutMs);
    this.#idleTimer.unref();
  }

  /** Stops the idle workers, orientation's included, unless a page came in meanwhile. */
  #stopIdleWorkers(): void {
    if (this.#busy > 0 || this.#stopped) return;
    for (const worker of this.#idle.splice(0)) {
      this.#workers.delete(worker);
      void worker.terminate();
    }
    const osd = this.#osd;
    this.#osd = undefined;
    void osd?.then(
      (worker) => worker.terminate(),
      () => undefined,
    );
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
      this.#startWorker('eng').then(
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

  #startWorker(language: 'eng' | 'osd'): Promise<Worker> {
    const langPath = language === 'eng' ? this.#langPath : this.#osdLangPath;
    const model = path.join(langPath, `${language}.traineddata.gz`);
    // A URL (or a folder without the model) would make tesseract.js fetch from the network or hang.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(langPath) || !existsSync(model)) {
      return Promise.reject(
        new OcrError(`no ${language} model at ${model}: langPath must be a local folder`, {
          engineFault: true,
        }),
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
      // Orientation detection exists only in the legacy engine, so its worker loads the legacy core.
      const engine =
        language === 'eng'
          ? { oem: OEM.LSTM_ONLY, options: {} }
          : { oem: OEM.TESSERACT_ONLY, options: { legacyCore: true, legacyLang: true } };
      createWorker(language, engine.oem, {
        ...engine.options,
        langPath,
        gzip: true,
        cacheMethod: 'none',
        // Without it a worker-side error is thrown as an uncaught exception; after start, recognize()
        // rejects with the same error, so only start-up errors matter here.
        errorHandler: (error: unknown) =>
          fail(new OcrError(`the tesseract worker failed: ${String(error)}`, { engineFault: true })),
      })
        .then(async (worker) => {
          // A single column of text of variable sizes: tesseract's column finder (PSM AUTO) takes
          // repeated aligned strokes for tab stops and cuts words and lines at them, and drops narrow
          // table columns; lines and columns are laid out from the word boxes instead (line-layout.ts).
          // Tesseract's notes ("Estimating resolution as …" for every image without a DPI) go to a null
          // file instead of the service's stderr.
          await worker.setParameters({ tessedit_pageseg_mode: PSM.SINGLE_COLUMN, debug_file: '/dev/null' });
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

/** Every word of tesseract's blocks → paragraphs → lines → words, with its box and confidence. */
export const recognizedWords = (page: Page): RecognizedWord[] =>
  (page.blocks ?? []).flatMap((block) =>
    block.paragraphs.flatMap((paragraph) =>
      paragraph.lines.flatMap((line) =>
        line.words.map((word) => ({ text: word.text, confidence: word.confidence, box: word.bbox })),
      ),
    ),
  );

/** A page's words laid out as Textract LINEs (see line-layout.ts). */
export const toRecognizedPage = (page: Page, width: number, height: number): RecognizedPage => ({
  width,
  height,
  lines: layoutLines(recognizedWords(page)),
});
