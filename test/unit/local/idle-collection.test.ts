import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleCollector } from '../../../local/idle-collection';

const collectorOf = () => {
  const collect = vi.fn();
  const collector = new IdleCollector({
    collect,
    quietMs: 2_000,
    busySpellRequests: 100,
    maxRequestsBetween: 1_000,
  });
  return { collector, collect };
};

/** `count` requests, `everyMs` apart. */
const requests = (collector: IdleCollector, count: number, everyMs: number): void => {
  for (let n = 0; n < count; n++) {
    collector.activity();
    vi.advanceTimersByTime(everyMs);
  }
};

/** A collector past its first quiet moment (which always collects what starting left). */
const startedCollector = () => {
  const started = collectorOf();
  requests(started.collector, 1, 2_000);
  started.collect.mockClear();
  return started;
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('IdleCollector', () => {
  it('collects at the first quiet moment, and never while requests keep coming', () => {
    // Arrange
    const { collector, collect } = collectorOf();

    // Act: 2,000 requests, 50 ms apart (100 s)
    requests(collector, 2_000, 50);
    const duringBurst = collect.mock.calls.length;
    vi.advanceTimersByTime(2_000);

    // Assess
    expect(duringBurst).toBe(0);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('collects after a busy spell, not after a spell too short', () => {
    // Arrange
    const { collector, collect } = startedCollector();

    // Act
    requests(collector, 99, 10);
    vi.advanceTimersByTime(2_000);
    const afterShortSpell = collect.mock.calls.length;
    requests(collector, 100, 10);
    vi.advanceTimersByTime(2_000);

    // Assess
    expect(afterShortSpell).toBe(0);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('collects once light work has added up, as a polling console makes it', () => {
    // Arrange
    const { collector, collect } = startedCollector();

    // Act: polls of 8 requests, each followed by a quiet moment
    const collectionsAfter = (polls: number): number => {
      for (let poll = 0; poll < polls; poll++) {
        requests(collector, 8, 10);
        vi.advanceTimersByTime(2_000);
      }
      return collect.mock.calls.length;
    };
    const afterFewPolls = collectionsAfter(124); // 992 requests
    const afterMore = collectionsAfter(1); // 1,000

    // Assess
    expect(afterFewPolls).toBe(0);
    expect(afterMore).toBe(1);
  });

  it('arms no timer while nothing comes, and none after stop', () => {
    // Arrange
    const { collector, collect } = collectorOf();

    // Act
    const idleTimers = vi.getTimerCount();
    requests(collector, 300, 1);
    collector.stop();
    vi.advanceTimersByTime(10_000);

    // Assess
    expect(idleTimers).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(collect).not.toHaveBeenCalled();
  });
});
