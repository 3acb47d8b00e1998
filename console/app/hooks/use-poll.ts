import { type Inputs, useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Poll<T> {
  /** The last answer; kept while a refresh runs or fails. */
  readonly data: T | undefined;
  /** The last refresh's error; cleared by the next success. */
  readonly error: unknown;
  /** True until the first answer or error since the inputs changed. */
  readonly loading: boolean;
  /** When the data was last fetched (epoch ms). */
  readonly updatedAt: number | undefined;
  /** Fetches again now. */
  refresh(): void;
}

/**
 * Fetches now and then every `intervalMs` after each answer (never two at once), while the tab is
 * visible; a change of `inputs` aborts the call in flight and starts over. `intervalMs` undefined
 * fetches once. This is how pages stay live without a reload (docs/decisions.md).
 */
export const usePoll = <T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  inputs: Inputs,
  intervalMs: number | undefined,
): Poll<T> => {
  const [state, setState] = useState<Omit<Poll<T>, 'refresh'>>({
    data: undefined,
    error: undefined,
    loading: true,
    updatedAt: undefined,
  });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const kick = useRef<() => void>(() => {});

  // The caller's inputs decide when to start over (Biome does not check a spread dependency list).
  useEffect(() => {
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    setState({ data: undefined, error: undefined, loading: true, updatedAt: undefined });

    const run = async (): Promise<void> => {
      clearTimeout(timer);
      timer = undefined;
      controller.abort();
      controller = new AbortController();
      const { signal } = controller;
      try {
        const data = await fetcherRef.current(signal);
        if (signal.aborted) return;
        setState({ data, error: undefined, loading: false, updatedAt: Date.now() });
      } catch (error) {
        if (signal.aborted) return;
        setState((previous) => ({ ...previous, error, loading: false }));
      }
      schedule();
    };
    const schedule = (): void => {
      if (stopped || intervalMs === undefined || document.hidden) return;
      timer = setTimeout(() => void run(), intervalMs);
    };
    const onVisibility = (): void => {
      if (!document.hidden && timer === undefined) void run();
    };
    kick.current = () => void run();
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [...inputs, intervalMs]);

  const refresh = useCallback(() => kick.current(), []);
  return { ...state, refresh };
};
