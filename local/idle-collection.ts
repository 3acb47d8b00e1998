import { getHeapStatistics } from 'node:v8';

/** How long the AWS endpoint must have taken no request before `up` counts as quiet. */
export const QUIET_MS = 2_000;

/** Heap V8 must have committed beyond what the last collection left for a quiet moment to collect. */
export const GROWTH_BYTES = 32 * 1024 * 1024;

export interface IdleCollectorOptions {
  /** The collection itself ({@link fullCollection}). */
  readonly collect: () => void;
  /** Bytes of heap V8 has committed now. @default v8's total_heap_size */
  readonly committedBytes?: () => number;
  /** @default QUIET_MS */
  readonly quietMs?: number;
  /** @default GROWTH_BYTES */
  readonly growthBytes?: number;
}

/**
 * Gives `up`'s heap back once the cloud goes quiet. Under a burst V8 grows its heap to a multiple of
 * what is alive and keeps it long after: `up` went from 417 MiB after the demo to 502 MiB after
 * 1,000 more documents, 58 MiB of it heap pages a full collection returns (decision 65). So each
 * request to the AWS endpoint pushes a quiet moment back, and when one comes, `up` runs one full
 * collection, as a parked environment does: the first time (what starting left), then whenever its
 * heap has grown by {@link GROWTH_BYTES} since the last. Nothing runs while the cloud is idle (no timer is armed), and a console polling now and then
 * grows the heap too little to pay for a collection each time.
 */
export class IdleCollector {
  readonly #collect: () => void;
  readonly #committedBytes: () => number;
  readonly #quietMs: number;
  readonly #growthBytes: number;
  /** Heap committed right after the last collection; none before the first. */
  #baseline: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: IdleCollectorOptions) {
    this.#collect = options.collect;
    this.#committedBytes = options.committedBytes ?? (() => getHeapStatistics().total_heap_size);
    this.#quietMs = options.quietMs ?? QUIET_MS;
    this.#growthBytes = options.growthBytes ?? GROWTH_BYTES;
  }

  /** A request came: the quiet moment starts again from now. */
  activity(): void {
    if (this.#timer) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => this.#quiet(), this.#quietMs);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #quiet(): void {
    this.#timer = undefined;
    if (this.#baseline !== undefined && this.#committedBytes() - this.#baseline < this.#growthBytes) return;
    this.#collect();
    this.#baseline = this.#committedBytes();
  }
}
