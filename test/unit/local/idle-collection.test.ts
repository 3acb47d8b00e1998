import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector } from '../../../local/idle-collection';

const MiB = 1024 * 1024;

/** A collector over a heap whose committed size the test sets, and that a collection shrinks to `live`. */
const collectorOver = (heap: { committed: number; live: number }) => {
  const collect = vi.fn(() => {
    heap.committed = heap.live;
  });
  const collector = new IdleCollector({
    collect,
    committedBytes: () => heap.committed,
    quietMs: 2_000,
    growthBytes: 32 * MiB,
  });
  return { collector, collect };
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('IdleCollector', () => {
  it('collects once the requests stop for the quiet time, not while they keep coming', () => {
    // Arrange
    const heap = { committed: 100 * MiB, live: 100 * MiB };
    const { collector, collect } = collectorOver(heap);

    // Act: a burst of requests every 500 ms for 10 s, while the heap grows
    for (let at = 0; at < 10_000; at += 500) {
      collector.activity();
      heap.committed += 4 * MiB;
      vi.advanceTimersByTime(500);
    }
    const duringBurst = collect.mock.calls.length;
    vi.advanceTimersByTime(2_000);

    // Assess
    expect(duringBurst).toBe(0);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('collects at the first quiet moment, then only after growth since the last collection', () => {
    // Arrange: a first quiet moment collects what starting left
    const heap = { committed: 100 * MiB, live: 90 * MiB };
    const { collector, collect } = collectorOver(heap);
    collector.activity();
    vi.advanceTimersByTime(2_000);
    collect.mockClear();

    // Act
    heap.committed += 8 * MiB; // a console poll's worth
    collector.activity();
    vi.advanceTimersByTime(2_000);
    const afterSmall = collect.mock.calls.length;
    heap.committed += 40 * MiB; // a burst's worth
    collector.activity();
    vi.advanceTimersByTime(2_000);
    const afterBurst = collect.mock.calls.length;
    heap.committed = heap.live + 20 * MiB; // less than the growth above what the collection left
    collector.activity();
    vi.advanceTimersByTime(2_000);

    // Assess
    expect(afterSmall).toBe(0);
    expect(afterBurst).toBe(1);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('arms no timer while nothing comes, and none after stop', () => {
    // Arrange
    const heap = { committed: 100 * MiB, live: 50 * MiB };
    const { collector, collect } = collectorOver(heap);

    // Act
    const idleTimers = vi.getTimerCount();
    collector.activity();
    heap.committed += 64 * MiB;
    collector.stop();
    vi.advanceTimersByTime(10_000);

    // Assess
    expect(idleTimers).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(collect).not.toHaveBeenCalled();
  });
});
