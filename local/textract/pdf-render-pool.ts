import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
  parseRejectionMessage,
} from '../../lambdas/shared/documents/errors';
import type { PdfRenderOptions, RenderedPdfPage } from '../../lambdas/shared/parsing/pdf-render';
import type { PdfWorkerRequest, PdfWorkerResponse, RenderedPagePayload } from './pdf-render-worker';

export interface PdfRenderPoolOptions {
  /** Render threads kept warm, one per document being read at a time. @default 2 */
  readonly size?: number;
  /** Budget for starting a thread and parsing a document. @default 20_000 */
  readonly openTimeoutMs?: number;
  /** Budget for rendering one page. @default 30_000 */
  readonly pageTimeoutMs?: number;
  /** V8 heap cap of a render thread (native canvas memory is not counted). @default 1024 */
  readonly maxHeapMb?: number;
}

/** An open PDF, leased to one caller until `close()`. */
export interface OpenPdf {
  readonly pageCount: number;
  /** Renders one page (1-based). Rejects with a typed document error; later pages can still be read. */
  render(pageNumber: number, options: PdfRenderOptions): Promise<RenderedPdfPage>;
  close(): Promise<void>;
}

const workerUrl = new URL('./pdf-render-worker.ts', import.meta.url);
// The worker is TypeScript with extensionless imports, as this whole project: tsx loads it, in the
// local cloud (run by tsx) as in tests (run by vitest).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const toDocumentError = (error: { name: string; message: string }): Error => {
  const { detail } = parseRejectionMessage(error.message);
  if (error.name === 'EncryptedDocumentError') return new EncryptedDocumentError(detail);
  if (error.name === 'DocumentTooLargeError') return new DocumentTooLargeError(detail);
  return new CorruptDocumentError(detail);
};

/** Render threads one document may cost (each after a page hung or crashed one) before it is given up. */
const MAX_RESTARTS_PER_DOCUMENT = 2;

type Payload = Extract<PdfWorkerResponse, { ok: true }>;
type RequestWithoutId = PdfWorkerRequest extends infer R
  ? R extends PdfWorkerRequest
    ? Omit<R, 'id'>
    : never
  : never;

/** One render thread. Once it times out or crashes it is dead and every pending request fails. */
class RenderThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(value: Payload): void; reject(error: Error): void }>();
  #nextId = 1;
  #dead = false;

  constructor(maxHeapMb: number) {
    this.#worker = new Worker(workerUrl, {
      execArgv: ['--import', tsxLoader],
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
    });
    this.#worker.on('message', (response: PdfWorkerResponse) => {
      const pending = this.#pending.get(response.id);
      if (!pending) return;
      this.#pending.delete(response.id);
      if (response.ok) pending.resolve(response);
      else pending.reject(toDocumentError(response.error));
    });
    this.#worker.on('error', (error) => this.#die(`the PDF renderer crashed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#die(`the PDF renderer exited (code ${code})`));
  }

  get dead(): boolean {
    return this.#dead;
  }

  request(message: RequestWithoutId, timeoutMs: number, task: string): Promise<Payload> {
    if (this.#dead) return Promise.reject(new CorruptDocumentError('the PDF renderer is stopped'));
    const id = this.#nextId++;
    return new Promise<Payload>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#die(`${task} took over ${timeoutMs} ms; the PDF may be malformed or hostile`);
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#worker.postMessage({ ...message, id });
    });
  }

  terminate(): Promise<void> {
    this.#die('the PDF renderer is stopped');
    return this.#worker.terminate().then(() => undefined);
  }

  #die(reason: string): void {
    if (!this.#dead) {
      this.#dead = true;
      void this.#worker.terminate();
    }
    for (const pending of this.#pending.values()) pending.reject(new CorruptDocumentError(reason));
    this.#pending.clear();
  }
}

/**
 * Renders PDF pages with pdf.js in worker threads, each bounded in time and heap, so a hostile file
 * costs one thread (terminated and replaced) instead of the service. Threads start lazily and are
 * reused across documents; a caller holds one thread from `open` to `close`.
 */
export class PdfRenderPool {
  readonly #size: number;
  readonly #openTimeoutMs: number;
  readonly #pageTimeoutMs: number;
  readonly #maxHeapMb: number;
  readonly #idle: RenderThread[] = [];
  readonly #threads = new Set<RenderThread>();
  readonly #waiters: Array<() => void> = [];
  #stopped = false;

  constructor(options: PdfRenderPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? 2);
    this.#openTimeoutMs = options.openTimeoutMs ?? 20_000;
    this.#pageTimeoutMs = options.pageTimeoutMs ?? 30_000;
    this.#maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /**
   * Parses the document and leases a thread to it. Rejects with `EncryptedDocumentError` or
   * `CorruptDocumentError` (also when parsing exceeds its budget).
   */
  async open(bytes: Uint8Array): Promise<OpenPdf> {
    let thread = await this.#acquire();
    const load = async (target: RenderThread): Promise<number> => {
      const opened = await target.request(
        { op: 'open', data: bytes },
        this.#openTimeoutMs,
        'parsing the PDF',
      );
      return opened.pageCount ?? 0;
    };
    let pageCount: number;
    try {
      pageCount = await load(thread);
    } catch (error) {
      this.#release(thread);
      throw error;
    }
    let closed = false;
    let restarts = 0;
    return {
      pageCount,
      render: async (pageNumber, options) => {
        if (closed || this.#stopped) throw new Error('the PDF is closed');
        if (thread.dead) {
          // A page that hung or crashed its thread does not lose the other pages: reopen on a new one,
          // a few times at most, so a document whose every page hangs fails in bounded time.
          if (restarts >= MAX_RESTARTS_PER_DOCUMENT) {
            throw new CorruptDocumentError(`the PDF renderer failed ${restarts + 1} times on this document`);
          }
          restarts += 1;
          this.#threads.delete(thread);
          thread = this.#startThread();
          await load(thread);
        }
        const rendered = await thread.request(
          { op: 'render', page: pageNumber, options },
          this.#pageTimeoutMs,
          `rendering page ${pageNumber}`,
        );
        const page = rendered.page as RenderedPagePayload;
        return { ...page, png: Buffer.from(page.png.buffer, page.png.byteOffset, page.png.byteLength) };
      },
      close: async () => {
        if (closed) return;
        closed = true;
        if (!thread.dead)
          await thread.request({ op: 'close' }, this.#openTimeoutMs, 'closing the PDF').catch(() => {});
        this.#release(thread);
      },
    };
  }

  /** Starts a render thread (loading pdf.js takes a second or two) ahead of the first document. */
  async warmUp(): Promise<void> {
    const thread = await this.#acquire();
    try {
      await thread.request({ op: 'close' }, this.#openTimeoutMs, 'starting the PDF renderer');
    } finally {
      this.#release(thread);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const threads = [...this.#threads];
    this.#threads.clear();
    this.#idle.length = 0;
    for (const wake of this.#waiters.splice(0)) wake();
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  async #acquire(): Promise<RenderThread> {
    for (;;) {
      if (this.#stopped) throw new Error('the PDF renderer is stopped');
      const idle = this.#idle.pop();
      if (idle) {
        if (!idle.dead) return idle;
        this.#threads.delete(idle);
        continue;
      }
      if (this.#threads.size < this.#size) return this.#startThread();
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #startThread(): RenderThread {
    const thread = new RenderThread(this.#maxHeapMb);
    this.#threads.add(thread);
    return thread;
  }

  #release(thread: RenderThread): void {
    if (thread.dead) this.#threads.delete(thread);
    else if (!this.#stopped) this.#idle.push(thread);
    this.#waiters.shift()?.();
  }
}
