/** How long the AWS endpoint must have taken no request before `up` counts as quiet. */
export const QUIET_MS = 2_000;

/**
 * Requests of one busy spell (between two quiet moments) that make the quiet moment after it worth a
 * full collection: a document takes ~18, so the demo's 8 (145) pass it; a console polling the API
 * (4–8 requests a poll, one poll each 2 s, a quiet moment after each) does not.
 */
export const BUSY_SPELL_REQUESTS = 100;

/** Requests since the last collection after which any quiet moment collects (light work adds up too). */
export const MAX_REQUESTS_BETWEEN = 1_000;

export interface IdleCollectorOptions {
  /** The collection itself ({@link fullCollection}). */
  readonly collect: () => void;
  /** @default QUIET_MS */
  readonly quietMs?: number;
  /** @default BUSY_SPELL_REQUESTS */
  readonly busySpellRequests?: number;
  /** @default MAX_REQUESTS_BETWEEN */
  readonly maxRequestsBetween?: number;
}

/**
 * Gives `up`'s heap back once the cloud goes quiet. Under a burst V8 grows its heap to a multiple of
 * what is alive and keeps it long after: `up` went from 417 MiB after the demo to 502 MiB after
 * 1,000 more documents, 58 MiB of it heap pages a full collection returns (decision 65). So each
 * request to the AWS endpoint pushes a quiet moment back, and when one comes, `up` runs one full
 * collection, as a parked environment does: the first time (what starting left), after a busy spell
 * of {@link BUSY_SPELL_REQUESTS}, and once {@link MAX_REQUESTS_BETWEEN} have come since the last.
 * Work is counted rather than V8's sizes: the young generation regrows with any work, and the old one
 * grows little in a demo that still leaves 40 MiB to give back. Nothing runs while the cloud is idle
 * (no timer is armed then).
 */
export class IdleCollector {
  readonly #collect: () => void;
  readonly #quietMs: number;
  readonly #busySpellRequests: number;
  readonly #maxRequestsBetween: number;
  #sinceQuiet = 0;
  #sinceCollection = 0;
  #collected = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: IdleCollectorOptions) {
    this.#collect = options.collect;
    this.#quietMs = options.quietMs ?? QUIET_MS;
    this.#busySpellRequests = options.busySpellRequests ?? BUSY_SPELL_REQUESTS;
    this.#maxRequestsBetween = options.maxRequestsBetween ?? MAX_REQUESTS_BETWEEN;
  }

  /** A request came: the quiet moment starts again from now. */
  activity(): void {
    this.#sinceQuiet += 1;
    this.#sinceCollection += 1;
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
    const worth =
      !this.#collected ||
      this.#sinceQuiet >= this.#busySpellRequests ||
      this.#sinceCollection >= this.#maxRequestsBetween;
    this.#sinceQuiet = 0;
    if (!worth) return;
    this.#collect();
    this.#collected = true;
    this.#sinceCollection = 0;
  }
}
