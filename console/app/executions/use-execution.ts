import { useEffect, useState } from 'preact/hooks';
import type { ExecutionDetail, ExecutionHistory, StateMachineInfo, Trace } from '../../shared/api';
import type { ConsoleClient } from '../api/client';
import { ConsoleApiError } from '../api/client';
import { startPollLoop } from '../hooks/poll-loop';

export interface ExecutionView {
  readonly detail?: ExecutionDetail;
  readonly definition?: StateMachineInfo;
  readonly history?: ExecutionHistory;
  /** The X-Ray trace; `null` when X-Ray has none (yet). */
  readonly trace?: Trace | null;
  readonly error?: unknown;
  readonly traceError?: unknown;
  readonly updatedAt?: number;
}

/** Statuses after which an execution's history and trace no longer change (a redrive starts a new run). */
const settled = (detail: ExecutionDetail | undefined): boolean =>
  detail !== undefined && detail.status !== 'RUNNING';

/** The trace the execution's segments land in: its header's Root, else the document's newest near its start. */
const findTrace = async (
  client: ConsoleClient,
  detail: ExecutionDetail,
  signal: AbortSignal,
): Promise<Trace | null> => {
  let id = detail.traceId;
  const documentId = detail.document?.id;
  if (!id && documentId) {
    const start = Date.parse(detail.startDate);
    const { items } = await client.traces(
      {
        documentId,
        from: new Date(start - 60_000).toISOString(),
        to: new Date(Math.min(Date.now(), start + 12 * 3_600_000)).toISOString(),
      },
      signal,
    );
    id = items
      .filter((item) => item.startTime !== undefined)
      .toSorted(
        (left, right) =>
          Math.abs(Date.parse(left.startTime ?? '') - start) -
          Math.abs(Date.parse(right.startTime ?? '') - start),
      )[0]?.id;
  }
  if (!id) return null;
  try {
    return await client.trace(id, signal);
  } catch (error) {
    if (error instanceof ConsoleApiError && error.status === 404) return null;
    throw error;
  }
};

/**
 * One execution as its page shows it: the description, the definition it ran, its history and its
 * trace, read together and again every `intervalMs` while it runs and the tab is visible (never two
 * reads at once); once it has stopped they are read one last time and kept. A failed read keeps what
 * was shown and retries.
 */
export const useExecution = (client: ConsoleClient, arn: string, intervalMs: number): ExecutionView => {
  const [view, setView] = useState<ExecutionView>({});
  useEffect(() => {
    let definition: StateMachineInfo | undefined;
    let settledReads = 0;
    setView({});
    const read = async (signal: AbortSignal): Promise<boolean> => {
      let detail: ExecutionDetail | undefined;
      try {
        detail = await client.execution(arn, signal);
        definition ??= await client.executionDefinition(arn, signal);
        const history = await client.executionHistory(arn, signal);
        if (signal.aborted) return false;
        setView((previous) => ({
          ...previous,
          detail,
          definition,
          history,
          error: undefined,
          updatedAt: Date.now(),
        }));
        try {
          const trace = await findTrace(client, detail, signal);
          if (!signal.aborted) setView((previous) => ({ ...previous, trace, traceError: undefined }));
        } catch (traceError) {
          if (!signal.aborted) setView((previous) => ({ ...previous, traceError }));
        }
      } catch (error) {
        if (!signal.aborted) setView((previous) => ({ ...previous, error }));
      }
      // The trace's last segments arrive just after the execution stops: one more read then.
      if (settled(detail)) settledReads += 1;
      return settledReads < 2;
    };
    const loop = startPollLoop(read, intervalMs, document);
    return () => loop.stop();
  }, [client, arn, intervalMs]);
  return view;
};
