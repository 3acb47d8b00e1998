/** What the loop watches to pause: the page's `document` (its `hidden` and `visibilitychange`), a fake in tests. */
export interface Visibility extends EventTarget {
  readonly hidden: boolean;
}

/** One read; resolves `false` when nothing more will change (the loop then stops for good). */
export type PollStep = (signal: AbortSignal) => Promise<boolean>;

export interface PollLoop {
  /** Aborts the read in flight, if any, and reads again now. */
  refresh(): void;
  /** Aborts the read in flight and never reads again. */
  stop(): void;
}

/**
 * Runs `step` now, then `intervalMs` after each read ends (never two at once), while the page is
 * visible: a hidden tab reads nothing (no timer, no request), and reads at once when shown again, so
 * what it shows is fresh the moment the user looks. `intervalMs` undefined reads once. Every live view
 * of the console polls through this (docs/decisions.md 37).
 */
export const startPollLoop = (step: PollStep, intervalMs: number | undefined, page: Visibility): PollLoop => {
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** A read was due (or refused) while hidden: the next `visibilitychange` to visible makes it. */
  let due = false;

  const run = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    due = false;
    controller?.abort();
    const current = new AbortController();
    controller = current;
    let more = true;
    try {
      more = await step(current.signal);
    } catch {
      // A step reports its own failures; the next read tries again.
    }
    if (current.signal.aborted) return;
    controller = undefined;
    if (!more) stop();
    else if (intervalMs !== undefined) schedule(intervalMs);
  };
  const schedule = (delay: number): void => {
    if (page.hidden) {
      due = true;
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      if (page.hidden) due = true;
      else void run();
    }, delay);
  };
  const onVisibility = (): void => {
    if (page.hidden) {
      if (timer !== undefined) due = true;
      clearTimeout(timer);
      timer = undefined;
    } else if (due && controller === undefined) void run();
  };
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
    page.removeEventListener('visibilitychange', onVisibility);
  };

  page.addEventListener('visibilitychange', onVisibility);
  void run();
  return {
    refresh: () => {
      if (!stopped) void run();
    },
    stop,
  };
};
