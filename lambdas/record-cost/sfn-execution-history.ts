import { type HistoryEvent, paginateGetExecutionHistory, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionHistory } from './record-run-cost';

/** Events per GetExecutionHistory call: the API's largest page. */
const PAGE_SIZE = 1000;

/**
 * {@link ExecutionHistory} through GetExecutionHistory, every page, oldest first, with execution data:
 * the cost model reads the document's size, its inspection and the text's pages from the states' inputs
 * and outputs (the run's own, not whatever version the metadata item holds by now). A Standard
 * execution has at most 25,000 events, so the pages end.
 */
export class SfnExecutionHistory implements ExecutionHistory {
  constructor(private readonly sfn: SFNClient) {}

  async events(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    const pages = paginateGetExecutionHistory(
      { client: this.sfn, pageSize: PAGE_SIZE },
      { executionArn, includeExecutionData: true },
    );
    for await (const page of pages) events.push(...(page.events ?? []));
    return events;
  }
}
