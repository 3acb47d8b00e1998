import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, writeStateFile } from '../state-file';
import type { NotificationConfiguration } from './notification-configuration';

/** Hex digits of a sequencer: as many as S3's own (`0055AED6DCD90281E5`), always the same width. */
export const SEQUENCER_DIGITS = 18;

/** Sequencer steps per millisecond: the clock gives the high bits, a counter the low ones. */
const TICKS_PER_MS = 1n << 24n;

/**
 * The sequencer after `previous`: the clock scaled up, or `previous + 1` when the clock has not moved
 * on (or went back). Fixed width, so plain string order — and the consumers' right-padding — is
 * numeric order; the clock part keeps it increasing even if the persisted value were lost.
 */
export const nextSequencer = (previous: string | undefined, nowMs: number): string => {
  const floor = BigInt(Math.floor(nowMs)) * TICKS_PER_MS;
  const after = previous === undefined ? 0n : BigInt(`0x${previous}`) + 1n;
  return (after > floor ? after : floor).toString(16).toUpperCase().padStart(SEQUENCER_DIGITS, '0');
};

const FILE_NAME = 's3-notifications.json';

const stateSchema = z.object({
  version: z.literal(1),
  configurations: z.record(
    z.string(),
    z.object({
      rules: z.array(
        z.object({
          id: z.string(),
          destination: z.object({ kind: z.enum(['queue', 'topic']), arn: z.string() }),
          events: z.array(z.string()),
          filter: z.object({ prefix: z.string().optional(), suffix: z.string().optional() }),
        }),
      ),
    }),
  ),
  sequencers: z.record(z.string(), z.string().regex(/^[0-9A-F]+$/)),
});

type State = z.infer<typeof stateSchema>;

/**
 * Bucket notification configurations and each bucket's last sequencer, in one JSON file in the data
 * directory (in memory without one). Every change is written before it is used — replace-by-rename,
 * so a crash leaves the old or the new file, never half of one — so that configurations survive a
 * restart and sequencers keep increasing across restarts. The writes go through the thread pool, one
 * at a time, each carrying every change made before it started: a burst of uploads shares a few
 * writes, and the event loop does not wait on a rename per event (decisions 45).
 */
export class NotificationStore {
  readonly #file: string | undefined;
  readonly #state: State;
  /** The write in progress or last done. */
  #written: Promise<void> = Promise.resolve();
  /** A write queued behind it, not started yet: changes made now are in it. */
  #queued: Promise<void> | undefined;

  private constructor(file: string | undefined, state: State) {
    this.#file = file;
    this.#state = state;
  }

  /** Opens the store in `dataDir` (created if needed), or an in-memory one without it. */
  static open(dataDir?: string): NotificationStore {
    if (dataDir === undefined) return new NotificationStore(undefined, emptyState());
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, FILE_NAME);
    const stored = readStateFile(file, stateSchema, 'a bucket notification store');
    return new NotificationStore(file, stored ?? emptyState());
  }

  /** The bucket's configuration; an empty one when none was ever set (S3 answers the same). */
  configuration(bucket: string): NotificationConfiguration {
    return this.#state.configurations[bucket] ?? { rules: [] };
  }

  /** Sets the bucket's configuration; resolves once it is on disk. */
  setConfiguration(bucket: string, configuration: NotificationConfiguration): Promise<void> {
    if (configuration.rules.length === 0) delete this.#state.configurations[bucket];
    else
      this.#state.configurations[bucket] = structuredClone(configuration) as State['configurations'][string];
    return this.#save();
  }

  /** Forgets a deleted bucket's configuration (its sequencer stays, so a new bucket of that name continues it). */
  async forgetBucket(bucket: string): Promise<void> {
    if (!(bucket in this.#state.configurations)) return;
    delete this.#state.configurations[bucket];
    await this.#save();
  }

  /**
   * Takes the bucket's next sequencer and records it before handing it out: the next call gets a
   * higher one at once, and this one resolves once it is on disk.
   */
  async takeSequencer(bucket: string, nowMs = Date.now()): Promise<string> {
    const sequencer = nextSequencer(this.#state.sequencers[bucket], nowMs);
    this.#state.sequencers[bucket] = sequencer;
    await this.#save();
    return sequencer;
  }

  /** Resolves once a write that started after this call is done. */
  #save(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return Promise.resolve();
    if (this.#queued) return this.#queued;
    const queued = this.#written
      .catch(() => undefined)
      .then(async () => {
        this.#queued = undefined;
        await writeStateFile(file, this.#state);
      });
    this.#queued = queued;
    this.#written = queued;
    return queued;
  }
}

const emptyState = (): State => ({ version: 1, configurations: {}, sequencers: {} });
