import { type Inputs, useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type PollLoop, startPollLoop } from './poll-loop';

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
 * Fetches now and then every `intervalMs` after each answer (never two at once), paused while the tab
 * is hidden and fetched at once when it is shown again (`startPollLoop`); a change of `inputs` aborts
 * the call in flight and starts over. `intervalMs` undefined fetches once. This is how pages stay live
 * without a reload (docs/decisions.md 37).
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
  const loop = useRef<PollLoop | undefined>(undefined);

  // The caller's inputs decide when to start over (Biome does not check a spread dependency list).
  useEffect(() => {
    setState({ data: undefined, error: undefined, loading: true, updatedAt: undefined });
    const started = startPollLoop(
      async (signal) => {
        try {
          const data = await fetcherRef.current(signal);
          if (!signal.aborted) setState({ data, error: undefined, loading: false, updatedAt: Date.now() });
        } catch (error) {
          if (!signal.aborted) setState((previous) => ({ ...previous, error, loading: false }));
        }
        return true;
      },
      intervalMs,
      document,
    );
    loop.current = started;
    return () => started.stop();
  }, [...inputs, intervalMs]);

  const refresh = useCallback(() => loop.current?.refresh(), []);
  return { ...state, refresh };
};
