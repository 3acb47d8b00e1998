import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  type DescribeStateMachineOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type ExecutionStatus as SdkExecutionStatus,
  type HistoryEvent as SdkHistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { SfnExecutions } from '../../../cli/adapters/sfn-executions';
import { runExecutionAgain, splitExecutionArn } from '../../../cli/redrive-documents';
import {
  EXECUTION_STATUS_VALUES,
  type ExecutionDetail,
  type ExecutionDocument,
  type ExecutionHistory,
  type ExecutionList,
  type ExecutionStatus,
  type ExecutionSummary,
  type HistoryEvent,
  type RedriveResult,
  type StateMachineInfo,
} from '../../shared/api';
import { answerJson, badRequest, type ErrorLog, problemOf, problemResponse } from '../problems';

export interface ExecutionRoutesOptions {
  readonly sfn: SFNClient;
  /** The StateMachineArn output: the console reads this state machine's executions and no other's. */
  readonly stateMachineArn: string;
  readonly description: string;
  readonly log: ErrorLog;
}

/** Step Functions keeps at most 25,000 events per execution; this bounds the paging against a faulty server. */
const MAX_HISTORY_EVENTS = 25_000;
/** Executions whose document is remembered (an execution's input never changes). */
const MAX_REMEMBERED_DOCUMENTS = 5000;
/** DescribeExecution calls in flight while a list page is read. */
const DESCRIBE_CONCURRENCY = 4;

const listQuery = z.strictObject({
  status: z.enum(EXECUTION_STATUS_VALUES).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number')
    .pipe(z.coerce.number<string>().int().min(1).max(1000))
    .default(50),
  nextToken: z.string().min(1).max(3096).optional(),
});

const executionArn = z
  .string()
  .regex(/^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/, 'must be an execution ARN');

/** `Root=1-…;Parent=…;Sampled=1` → `1-…`. */
export const traceIdOf = (traceHeader: string | undefined): string | undefined =>
  traceHeader
    ?.split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === 'Root')?.[1];

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

const textField = (value: unknown, field: string): string | undefined => {
  const member = (value as Record<string, unknown> | undefined)?.[field];
  return typeof member === 'string' ? member : undefined;
};

/** The document of an execution's input: an upload's `document`, a removal's `deletion`. */
export const executionDocumentOf = (input: string | undefined): ExecutionDocument | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input ?? '');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { document, deletion } = parsed as { document?: unknown; deletion?: unknown };
  const source = deletion ?? document;
  if (typeof source !== 'object' || source === null) return undefined;
  const id = textField(source, 'id');
  const key = textField(source, 'key');
  return { kind: deletion ? 'deletion' : 'upload', ...(id ? { id } : {}), ...(key ? { key } : {}) };
};

const historyEventOf = (event: SdkHistoryEvent): HistoryEvent => {
  const { id, previousEventId, type, timestamp, ...details } = event;
  return {
    ...(details as Record<`${string}EventDetails`, Record<string, unknown>>),
    id: id ?? 0,
    ...(previousEventId === undefined ? {} : { previousEventId }),
    type: type ?? 'Unknown',
    timestamp: iso(timestamp) ?? '',
  };
};

/**
 * Step Functions for the console: the deployed definition, executions of docflow's state machine, each
 * one's description and history, and running a failed one again. Executions of other state machines
 * are refused: the server is a narrow window, not a general Step Functions proxy.
 */
export const executionRoutes = ({ sfn, stateMachineArn, description, log }: ExecutionRoutesOptions): Hono => {
  const routes = new Hono();
  const fail = (error: unknown): Response => problemOf(error, `Step Functions of ${description}`, log);
  /** The state machine as the page draws it, from DescribeStateMachine or DescribeStateMachineForExecution. */
  const infoOf = (
    machine: Pick<DescribeStateMachineOutput, 'name' | 'definition' | 'tracingConfiguration'>,
    type: string,
  ): StateMachineInfo => ({
    stateMachineArn,
    name: machine.name ?? stateMachineArn.split(':').at(-1) ?? '',
    type,
    definition: machine.definition ?? '{}',
    tracingEnabled: machine.tracingConfiguration?.enabled ?? false,
  });
  /**
   * ListExecutions has no input, so the list's document column costs one DescribeExecution per
   * execution the first time it is listed; the input never changes, so the answer is kept (the oldest
   * forgotten first). An execution that cannot be described is listed without its document.
   */
  const documents = new Map<string, ExecutionDocument | null>();
  const documentOf = async (executionArn: string): Promise<ExecutionDocument | undefined> => {
    const known = documents.get(executionArn);
    if (known !== undefined) return known ?? undefined;
    try {
      const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const document = executionDocumentOf(input) ?? null;
      documents.set(executionArn, document);
      if (documents.size > MAX_REMEMBERED_DOCUMENTS) documents.delete(documents.keys().next().value ?? '');
      return document ?? undefined;
    } catch {
      return undefined;
    }
  };
  const withDocuments = async (items: ExecutionSummary[]): Promise<ExecutionSummary[]> => {
    const out = [...items];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < out.length; index = next++) {
        const item = out[index] as ExecutionSummary;
        const document = await documentOf(item.executionArn);
        if (document) out[index] = { ...item, document };
      }
    };
    await Promise.all(Array.from({ length: DESCRIBE_CONCURRENCY }, worker));
    return out;
  };

  /** The ARN from the path, if it is an execution of docflow's state machine; else the 400 to answer. */
  const ownExecution = (value: string): string | Response => {
    const parsed = executionArn.safeParse(value);
    if (!parsed.success) return badRequest(parsed.error);
    if (splitExecutionArn(parsed.data).stateMachineArn !== stateMachineArn) {
      return problemResponse(400, 'Bad Request', `not an execution of ${stateMachineArn}`);
    }
    return parsed.data;
  };
  /** A route on one execution: refused unless it is docflow's, else what `read` answers for its ARN. */
  const onExecution =
    (read: (arn: string) => Promise<unknown>) =>
    (c: Context): Promise<Response> | Response => {
      const arn = ownExecution(c.req.param('arn') ?? '');
      return arn instanceof Response ? arn : answerJson(() => read(arn), fail);
    };

  routes.get('/state-machine', () =>
    answerJson(async () => {
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
      return infoOf(machine, machine.type ?? 'STANDARD');
    }, fail),
  );

  routes.get('/executions', async (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(query.error);
    return answerJson(async () => {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          maxResults: query.data.limit,
          ...(query.data.status ? { statusFilter: query.data.status as SdkExecutionStatus } : {}),
          ...(query.data.nextToken ? { nextToken: query.data.nextToken } : {}),
        }),
      );
      const list: ExecutionList = {
        items: await withDocuments(
          (page.executions ?? []).map(
            (execution): ExecutionSummary => ({
              executionArn: execution.executionArn ?? '',
              name: execution.name ?? '',
              status: (execution.status ?? 'RUNNING') as ExecutionStatus,
              startDate: iso(execution.startDate) ?? '',
              ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
              ...(execution.redriveCount === undefined ? {} : { redriveCount: execution.redriveCount }),
            }),
          ),
        ),
        nextToken: page.nextToken ?? null,
      };
      return list;
    }, fail);
  });

  routes.get(
    '/executions/:arn',
    onExecution(async (arn) => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      const traceId = traceIdOf(execution.traceHeader);
      const document = executionDocumentOf(execution.input);
      const detail: ExecutionDetail = {
        executionArn: arn,
        stateMachineArn: execution.stateMachineArn ?? stateMachineArn,
        name: execution.name ?? splitExecutionArn(arn).name,
        status: (execution.status ?? 'RUNNING') as ExecutionStatus,
        startDate: iso(execution.startDate) ?? '',
        ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
        ...(execution.input === undefined ? {} : { input: execution.input }),
        ...(execution.output === undefined ? {} : { output: execution.output }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
        ...(execution.traceHeader ? { traceHeader: execution.traceHeader } : {}),
        ...(traceId ? { traceId } : {}),
        ...(execution.redriveCount === undefined ? {} : { redriveCount: execution.redriveCount }),
        ...(document ? { document } : {}),
        ...(execution.redriveDate ? { redriveDate: execution.redriveDate.toISOString() } : {}),
        ...(execution.redriveStatus ? { redriveStatus: execution.redriveStatus } : {}),
      };
      return detail;
    }),
  );

  /**
   * The definition this execution ran (DescribeStateMachineForExecution): after an update of the state
   * machine an older execution is still drawn as it ran.
   */
  routes.get(
    '/executions/:arn/definition',
    onExecution(async (arn) => {
      const machine = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: arn }));
      return infoOf(machine, 'STANDARD');
    }),
  );

  routes.get(
    '/executions/:arn/history',
    onExecution(async (arn) => {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: arn,
            maxResults: 1000,
            includeExecutionData: true,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        events.push(...(page.events ?? []).map(historyEventOf));
        nextToken = page.nextToken;
      } while (nextToken && events.length < MAX_HISTORY_EVENTS);
      const history: ExecutionHistory = { executionArn: arn, events };
      return history;
    }),
  );

  routes.post(
    '/executions/:arn/redrive',
    onExecution((arn) => runAgain(sfn, arn)),
  );

  return routes;
};

/**
 * Runs a stopped execution again, as `docflow redrive` does (docs/decisions.md 23, the same function):
 * a new `<name>-r<n>` with its input when it ended in a Fail state, else RedriveExecution.
 */
const runAgain = async (sfn: SFNClient, arn: string): Promise<RedriveResult | Response> => {
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') {
    return problemResponse(
      409,
      'Conflict',
      `the execution is ${execution.status}: there is nothing to run again`,
    );
  }
  const executions = new SfnExecutions(sfn);
  const action = await runExecutionAgain(arn, execution.input ?? '{}', executions, executions);
  return action.kind === 'error' ? problemResponse(409, 'Conflict', action.reason) : action;
};
