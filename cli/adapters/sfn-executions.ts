import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  paginateGetExecutionHistory,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionRedriver, ExecutionsReader, RedriveOutcome, StartOutcome } from '../ports';

/** AWS keeps at most 25,000 events per execution; this bounds the paging even against a faulty server. */
const MAX_EVENTS = 25_000;
const PAGE_SIZE = 1000;

const isNamed = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

/** What `read` returns, or undefined when the execution does not exist. */
const unlessMissing = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await read();
  } catch (error) {
    if (isNamed(error, 'ExecutionDoesNotExist')) return undefined;
    throw error;
  }
};

/** Step Functions through @aws-sdk/client-sfn: histories, redrives and restarts. */
export class SfnExecutions implements ExecutionsReader, ExecutionRedriver {
  constructor(private readonly sfn: SFNClient) {}

  history(executionArn: string): Promise<HistoryEvent[] | undefined> {
    return unlessMissing(async () => {
      const events: HistoryEvent[] = [];
      const pages = paginateGetExecutionHistory(
        { client: this.sfn, pageSize: PAGE_SIZE },
        { executionArn, includeExecutionData: false },
      );
      for await (const page of pages) {
        events.push(...(page.events ?? []));
        if (events.length >= MAX_EVENTS) break;
      }
      return events;
    });
  }

  latestEvents(executionArn: string, count: number): Promise<HistoryEvent[] | undefined> {
    return unlessMissing(async () => {
      const page = await this.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: count,
          reverseOrder: true,
          includeExecutionData: false,
        }),
      );
      return page.events ?? [];
    });
  }

  async redrive(executionArn: string): Promise<RedriveOutcome> {
    try {
      await this.sfn.send(new RedriveExecutionCommand({ executionArn }));
      return 'redriven';
    } catch (error) {
      if (isNamed(error, 'ExecutionNotRedrivable')) return 'not-redrivable';
      if (isNamed(error, 'ExecutionDoesNotExist')) return 'not-found';
      throw error;
    }
  }

  async start(stateMachineArn: string, name: string, input: string): Promise<StartOutcome> {
    try {
      const { executionArn } = await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input }),
      );
      if (!executionArn) throw new Error(`StartExecution returned no executionArn for ${name}`);
      return { started: true, executionArn };
    } catch (error) {
      if (isNamed(error, 'ExecutionAlreadyExists')) return { started: false, reason: 'name-taken' };
      throw error;
    }
  }
}
