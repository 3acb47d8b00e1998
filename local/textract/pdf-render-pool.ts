import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CorruptDocumentError } from '../../lambdas/shared/documents/errors';
import type { PdfRenderOptions, RenderedPdfPage } from '../../lambdas/shared/parsing/pdf-render';
import { type SandboxedTask, SandboxPool } from '../../lambdas/shared/sandbox/sandboxed-task';
import { buildJavaScriptEntry } from '../build/javascript-entry';
import { projectCacheFolder } from '../project-cache';
import { PDF_RENDER_TASK_NAME, type PdfRenderJob, type RenderedPagePayload } from './pdf-render-job';

export interface PdfRenderPoolOptions {
  /** Documents read at a time (render processes kept warm). @default 2 */
  readonly size?: number;
  /** Budget for parsing a document to count its pages. @default 20_000 */
  readonly openTimeoutMs?: number;
  /** Budget for parsing a document and rendering one of its pages. @default 30_000 */
  readonly pageTimeoutMs?: number;
  /** V8 heap cap of a render process; its memory outside the heap (canvas bitmaps) is capped alike. @default 1024 */
  readonly maxHeapMb?: number;
}

/** An open PDF, leased to one caller until `close()`. */
export interface OpenPdf {
  readonly pageCount: number;
  /** Renders one page (1-based). Rejects with a typed document error; later pages can still be read. */
  render(pageNumber: number, options: PdfRenderOptions): Promise<RenderedPdfPage>;
  close(): Promise<void>;
}

/** Pages of one document that may run into their budget (each costing a process) before it is given up. */
const MAX_PAGE_TIMEOUTS_PER_DOCUMENT = 3;

/** Where the render task is built: beside the packages its build imports, as the Lambda runtime is. */
const BUILD_CACHE = projectCacheFolder('textract');

/**
 * The render task as its render processes run it: `pdf-render-task.ts` built once into JavaScript, so
 * that they load pdf.js as Node does, without tsx compiling it again in each process and keeping its
 * source maps (~70 MB of heap each). This process never imports the task's module (pdf.js and its
 * decoded source map were ~60 MB of `up`'s heap): it only names the file its processes run.
 */
const renderTask = (): SandboxedTask<PdfRenderJob, number | RenderedPagePayload> => {
  const built = buildJavaScriptEntry(join(import.meta.dirname, 'pdf-render-task.ts'), BUILD_CACHE);
  return {
    name: PDF_RENDER_TASK_NAME,
    moduleUrl: pathToFileURL(built).href,
    run: () => Promise.reject(new Error('the PDF render task runs in its render processes only')),
  };
};

/** Jobs a render process serves before it is replaced (pdf.js caches fonts and images per process). */
const MAX_JOBS_PER_PROCESS = 200;

/**
 * Renders PDF pages with pdf.js in the sandboxed processes the Lambda functions parse in
 * ({@link SandboxPool}): each job bounded in time, heap and resident memory, so a hostile file costs one
 * process (killed and replaced) instead of the service. A job holds no document between calls: each
 * page is parsed from the bytes again (milliseconds against the second or more its OCR takes), which
 * keeps one bad page from taking the document's other pages with it. `size` documents are read at once;
 * more wait for a lease.
 */
export class PdfRenderPool {
  readonly #sandbox: SandboxPool<PdfRenderJob, number | RenderedPagePayload>;
  readonly #size: number;
  readonly #openTimeoutMs: number;
  readonly #pageTimeoutMs: number;
  readonly #waiters: Array<() => void> = [];
  #leased = 0;
  #stopped = false;

  constructor(options: PdfRenderPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? 2);
    this.#openTimeoutMs = options.openTimeoutMs ?? 20_000;
    this.#pageTimeoutMs = options.pageTimeoutMs ?? 30_000;
    this.#sandbox = new SandboxPool(renderTask(), {
      memoryMb: options.maxHeapMb ?? 1024,
      idleProcesses: this.#size,
      maxJobsPerProcess: MAX_JOBS_PER_PROCESS,
    });
  }

  /**
   * Parses the document and leases a render slot to it. Rejects with `EncryptedDocumentError` or
   * `CorruptDocumentError` (also when parsing exceeds its budget).
   */
  async open(bytes: Uint8Array): Promise<OpenPdf> {
    await this.#lease();
    const data = new Uint8Array(bytes);
    let pageCount: number;
    try {
      pageCount = (await this.#sandbox.run(
        { op: 'count', data, budgetMs: this.#openTimeoutMs },
        this.#openTimeoutMs,
      )) as number;
    } catch (error) {
      this.#release();
      throw error;
    }
    let closed = false;
    let timeouts = 0;
    return {
      pageCount,
      render: async (pageNumber, options) => {
        if (closed || this.#stopped) throw new Error('the PDF is closed');
        // A document whose every page hangs fails in bounded time, not in pages × budget.
        if (timeouts >= MAX_PAGE_TIMEOUTS_PER_DOCUMENT) {
          throw new CorruptDocumentError(`the PDF renderer failed ${timeouts} times on this document`);
        }
        const started = performance.now();
        try {
          const page = (await this.#sandbox.run(
            { op: 'render', data, page: pageNumber, options, budgetMs: this.#pageTimeoutMs },
            this.#pageTimeoutMs,
          )) as RenderedPagePayload;
          return { ...page, png: Buffer.from(page.png.buffer, page.png.byteOffset, page.png.byteLength) };
        } catch (error) {
          if (!(error instanceof CorruptDocumentError)) throw error;
          if (performance.now() - started < this.#pageTimeoutMs) throw error;
          timeouts += 1;
          throw new CorruptDocumentError(
            `rendering page ${pageNumber} took over ${this.#pageTimeoutMs} ms; the PDF may be malformed or hostile`,
          );
        }
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.#release();
      },
    };
  }

  /** Starts a render process (loading pdf.js takes a second or two) ahead of the first document. */
  async warmUp(): Promise<void> {
    await this.#sandbox.run({ op: 'ping' }, this.#openTimeoutMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sandbox.close();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #lease(): Promise<void> {
    while (this.#leased >= this.#size) {
      if (this.#stopped) break;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#stopped) throw new Error('the PDF renderer is stopped');
    this.#leased += 1;
  }

  #release(): void {
    this.#leased -= 1;
    this.#waiters.shift()?.();
  }
}
