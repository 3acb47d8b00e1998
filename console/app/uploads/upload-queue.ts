import { type DocumentSummary, TERMINAL_DOCUMENT_STATUSES, type UploadTicket } from '../../shared/api';
import type { ConsoleClient } from '../api/client';
import { postToS3 } from '../api/presigned-post';
import { errorText } from '../components/error-notice';
import { type PollLoop, startPollLoop } from '../hooks/poll-loop';

/** Where one file is: asking for a ticket, sending, sent (the pipeline has it), or refused. */
export type UploadPhase = 'waiting' | 'requesting' | 'uploading' | 'uploaded' | 'failed';

export interface UploadItem {
  /** Local to this page session. */
  readonly id: number;
  readonly fileName: string;
  readonly size: number;
  readonly phase: UploadPhase;
  readonly sent: number;
  /** Why it failed, as a user can act on it. */
  readonly error?: string;
  readonly key?: string;
  readonly documentId?: string;
  /** The document's record once the pipeline wrote one; updated until a terminal status. */
  readonly document?: DocumentSummary;
}

export interface UploadQueueOptions {
  readonly client: ConsoleClient;
  /** @default postToS3 (XMLHttpRequest) */
  readonly post?: typeof postToS3;
  /** Files sent at once. @default 3 */
  readonly concurrency?: number;
  /** How often the records of sent files are looked up. @default 2000 */
  readonly pollIntervalMs?: number;
}

/** Clocks of browser and S3 differ; records are searched from this long before the first upload. */
const CLOCK_SLACK_MS = 5 * 60_000;
/** Pages of the list read per look-up (100 documents each). */
const MAX_PAGES = 10;

/**
 * The uploads of this page session, outside any component so that they go on (and are shown again)
 * while the user looks at other pages. Each file: a presigned POST from the API, the bytes straight
 * to S3 with progress, then its record followed until a terminal status.
 */
export class UploadQueue {
  readonly #client: ConsoleClient;
  readonly #post: typeof postToS3;
  readonly #concurrency: number;
  #pollIntervalMs: number;
  #items: UploadItem[] = [];
  readonly #files = new Map<number, File>();
  readonly #listeners = new Set<() => void>();
  #nextId = 1;
  #active = 0;
  #since: number | undefined;
  #following: PollLoop | undefined;

  constructor(options: UploadQueueOptions) {
    this.#client = options.client;
    this.#post = options.post ?? postToS3;
    this.#concurrency = options.concurrency ?? 3;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000;
  }

  set pollIntervalMs(value: number) {
    this.#pollIntervalMs = value;
  }

  /** The current uploads, newest last; a new array after every change. */
  get items(): readonly UploadItem[] {
    return this.#items;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  add(files: Iterable<File>): void {
    for (const file of files) {
      const id = this.#nextId++;
      this.#files.set(id, file);
      this.#items = [...this.#items, { id, fileName: file.name, size: file.size, phase: 'waiting', sent: 0 }];
    }
    this.#since ??= Date.now() - CLOCK_SLACK_MS;
    this.#changed();
    this.#pump();
  }

  /** Forgets the uploads that are over (sent and terminal, or failed). */
  clearFinished(): void {
    this.#items = this.#items.filter((item) => !this.#isOver(item));
    this.#changed();
  }

  #isOver(item: UploadItem): boolean {
    return (
      item.phase === 'failed' ||
      (item.document !== undefined && TERMINAL_DOCUMENT_STATUSES.includes(item.document.status))
    );
  }

  #update(id: number, change: Partial<UploadItem>): void {
    this.#items = this.#items.map((item) => (item.id === id ? { ...item, ...change } : item));
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  #pump(): void {
    while (this.#active < this.#concurrency) {
      const next = this.#items.find((item) => item.phase === 'waiting');
      const file = next && this.#files.get(next.id);
      if (!next || !file) return;
      this.#active += 1;
      this.#update(next.id, { phase: 'requesting' });
      void this.#send(next.id, file).finally(() => {
        this.#active -= 1;
        this.#files.delete(next.id);
        this.#pump();
      });
    }
  }

  async #send(id: number, file: File): Promise<void> {
    let ticket: UploadTicket;
    try {
      ticket = await this.#client.requestUpload({
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
        size: file.size,
      });
    } catch (error) {
      this.#update(id, { phase: 'failed', error: errorText(error) });
      return;
    }
    this.#update(id, { phase: 'uploading', key: ticket.key, documentId: ticket.documentId });
    try {
      await this.#post(ticket, file, (sent) => this.#update(id, { sent }));
    } catch (error) {
      this.#update(id, { phase: 'failed', error: errorText(error) });
      return;
    }
    this.#update(id, { phase: 'uploaded', sent: file.size });
    this.#follow();
  }

  /** Sent files whose record has not reached a terminal status yet. */
  #pending(): UploadItem[] {
    return this.#items.filter((item) => item.phase === 'uploaded' && !this.#isOver(item));
  }

  /** Looks up the records of sent files until each is terminal (paused while the tab is hidden), then stops. */
  #follow(): void {
    if (this.#following !== undefined || this.#since === undefined || this.#pending().length === 0) return;
    const lookUp = async (): Promise<boolean> => {
      const pending = this.#pending();
      if (pending.length === 0) {
        this.#following = undefined;
        return false;
      }
      try {
        await this.#lookUp(new Set(pending.map((item) => item.documentId ?? '')));
      } catch {
        // The next read tries again; the Documents page shows the API's error if it persists.
      }
      return true;
    };
    this.#following = startPollLoop(lookUp, this.#pollIntervalMs, document);
  }

  async #lookUp(ids: ReadonlySet<string>): Promise<void> {
    const found = new Map<string, DocumentSummary>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES && found.size < ids.size; page += 1) {
      const list = await this.#client.listDocuments({
        uploadedAfter: new Date(this.#since ?? 0).toISOString(),
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const document of list.items) if (ids.has(document.id)) found.set(document.id, document);
      if (!list.nextCursor) break;
      cursor = list.nextCursor;
    }
    if (found.size === 0) return;
    this.#items = this.#items.map((item) => {
      const document = item.documentId ? found.get(item.documentId) : undefined;
      return document ? { ...item, document } : item;
    });
    this.#changed();
  }
}
