import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPollLoop, type Visibility } from '../../../console/app/hooks/poll-loop';

/** A tab the test shows and hides, as the browser's `document` does. */
class FakePage extends EventTarget implements Visibility {
  hidden = false;

  set(hidden: boolean): void {
    this.hidden = hidden;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

const INTERVAL = 2000;

describe('startPollLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads now and then every interval after each read', async () => {
    // Prepare
    const page = new FakePage();
    const step = vi.fn(async () => true);

    // Act
    const loop = startPollLoop(step, INTERVAL, page);
    await vi.advanceTimersByTimeAsync(INTERVAL * 3 + 10);
    loop.stop();

    // Assess
    expect(step).toHaveBeenCalledTimes(4);
  });

  it('reads nothing while the tab is hidden, and reads at once when it is shown again', async () => {
    // Prepare
    const page = new FakePage();
    const step = vi.fn(async () => true);
    const loop = startPollLoop(step, INTERVAL, page);
    await vi.advanceTimersByTimeAsync(10);

    // Act
    page.set(true);
    await vi.advanceTimersByTimeAsync(INTERVAL * 10);
    const readsWhileHidden = step.mock.calls.length;
    page.set(false);
    await vi.advanceTimersByTimeAsync(10);
    const readsOnShow = step.mock.calls.length;
    loop.stop();

    // Assess
    expect(readsWhileHidden).toBe(1);
    expect(readsOnShow).toBe(2);
  });

  it('waits for a read that ends while hidden until the tab is shown', async () => {
    // Prepare
    const page = new FakePage();
    let finish: (more: boolean) => void = () => {};
    const step = vi.fn(() => new Promise<boolean>((resolve) => (finish = resolve)));
    const loop = startPollLoop(step, INTERVAL, page);

    // Act
    page.set(true);
    finish(true);
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    const readsWhileHidden = step.mock.calls.length;
    page.set(false);
    await vi.advanceTimersByTimeAsync(10);
    loop.stop();

    // Assess
    expect(readsWhileHidden).toBe(1);
    expect(step).toHaveBeenCalledTimes(2);
  });

  it('stops for good when a read says nothing more will change, shown or not', async () => {
    // Prepare
    const page = new FakePage();
    const step = vi.fn(async () => step.mock.calls.length < 2);

    // Act
    startPollLoop(step, INTERVAL, page);
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    page.set(true);
    page.set(false);
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);

    // Assess
    expect(step).toHaveBeenCalledTimes(2);
  });

  it('aborts the read in flight on refresh and on stop, and never reads after stop', async () => {
    // Prepare
    const page = new FakePage();
    const signals: AbortSignal[] = [];
    const step = vi.fn(async (signal: AbortSignal) => {
      signals.push(signal);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return true;
    });
    const loop = startPollLoop(step, INTERVAL, page);

    // Act
    loop.refresh();
    loop.stop();
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);
    page.set(true);
    page.set(false);
    loop.refresh();
    await vi.advanceTimersByTimeAsync(INTERVAL);

    // Assess
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
  });

  it('reads once when no interval is given', async () => {
    // Prepare
    const page = new FakePage();
    const step = vi.fn(async () => true);

    // Act
    startPollLoop(step, undefined, page);
    await vi.advanceTimersByTimeAsync(INTERVAL * 5);

    // Assess
    expect(step).toHaveBeenCalledTimes(1);
  });
});
