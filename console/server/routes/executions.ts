import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type ExecutionStatus as SdkExecutionStatus,
  type HistoryEvent as SdkHistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { Hono } from 'hono';
import { z } from 'zod';
import { SfnExecutions } from '../../../cli/adapters/sfn-executions';
import { restartName, splitExecutionArn } from '../../../cli/redrive-documents';
import { endedInFailState } from '../../../cli/timeline';
import {
  EXECUTION_STATUS_VALUES,
  type ExecutionDetail,
  type ExecutionHistory,
  type ExecutionList,
  type ExecutionStatus,
  type ExecutionSummary,
  type HistoryEvent,
  type RedriveResult,
  type StateMachineInfo,
} from '../../shared/api';
import { badRequest, type ErrorLog, problemOf, problemResponse } from '../problems';

export interface ExecutionRoutesOptions {
  readonly sfn: SFNClient;
  /** The StateMachineArn output: the console reads this state machine's executions and no other's. */
  readonly stateMachineArn: string;
  readonly description: string;
  readonly log: ErrorLog;
}

/** Step Functions keeps at most 25,000 events per execution; this bounds the paging against a faulty server. */
const MAX_HISTORY_EVENTS = 25_000;
/** Restarts tried before giving up on a free name (as `docflow redrive`). */
const MAX_RESTART_ATTEMPTS = 20;

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

  /** The ARN from the path, if it is an execution of docflow's state machine; else the 400 to answer. */
  const ownExecution = (value: string): string | Response => {
    const parsed = executionArn.safeParse(value);
    if (!parsed.success) return badRequest(parsed.error);
    if (splitExecutionArn(parsed.data).stateMachineArn !== stateMachineArn) {
      return problemResponse(400, 'Bad Request', `not an execution of ${stateMachineArn}`);
    }
    return parsed.data;
  };

  routes.get('/state-machine', async (c) => {
    try {
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
      const info: StateMachineInfo = {
        stateMachineArn,
        name: machine.name ?? stateMachineArn.split(':').at(-1) ?? '',
        type: machine.type ?? 'STANDARD',
        definition: machine.definition ?? '{}',
        tracingEnabled: machine.tracingConfiguration?.enabled ?? false,
      };
      return c.json(info, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      return fail(error);
    }
  });

  routes.get('/executions', async (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) return badRequest(query.error);
    try {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          maxResults: query.data.limit,
          ...(query.data.status ? { statusFilter: query.data.status as SdkExecutionStatus } : {}),
          ...(query.data.nextToken ? { nextToken: query.data.nextToken } : {}),
        }),
      );
      const list: ExecutionList = {
        items: (page.executions ?? []).map(
          (execution): ExecutionSummary => ({
            executionArn: execution.executionArn ?? '',
            name: execution.name ?? '',
            status: (execution.status ?? 'RUNNING') as ExecutionStatus,
            startDate: iso(execution.startDate) ?? '',
            ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
            ...(execution.redriveCount === undefined ? {} : { redriveCount: execution.redriveCount }),
          }),
        ),
        nextToken: page.nextToken ?? null,
      };
      return c.json(list, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      return fail(error);
    }
  });

  routes.get('/executions/:arn', async (c) => {
    const arn = ownExecution(c.req.param('arn'));
    if (arn instanceof Response) return arn;
    try {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      const traceId = traceIdOf(execution.traceHeader);
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
        ...(execution.redriveDate ? { redriveDate: execution.redriveDate.toISOString() } : {}),
        ...(execution.redriveStatus ? { redriveStatus: execution.redriveStatus } : {}),
      };
      return c.json(detail, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      return fail(error);
    }
  });

  routes.get('/executions/:arn/history', async (c) => {
    const arn = ownExecution(c.req.param('arn'));
    if (arn instanceof Response) return arn;
    try {
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
      return c.json(history, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      return fail(error);
    }
  });

  routes.post('/executions/:arn/redrive', async (c) => {
    const arn = ownExecution(c.req.param('arn'));
    if (arn instanceof Response) return arn;
    try {
      const result = await runAgain(sfn, arn);
      return result instanceof Response ? result : c.json(result, 200, { 'cache-control': 'no-store' });
    } catch (error) {
      return fail(error);
    }
  });

  return routes;
};

/**
 * Runs a stopped execution again, as `docflow redrive` does (docs/decisions.md 23): an execution that
 * ended in a Fail state (every caught failure does) is started anew with its input as `<name>-r<n>`,
 * since RedriveExecution would only re-run the Fail state; any other stop is redriven where it stopped,
 * and started anew when AWS refuses.
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
  const latest = await executions.latestEvents(arn, 3);
  if (latest !== undefined && !endedInFailState(latest)) {
    if ((await executions.redrive(arn)) === 'redriven') return { kind: 'redriven', executionArn: arn };
  }
  const { stateMachineArn, name } = splitExecutionArn(arn);
  for (let attempt = 1; attempt <= MAX_RESTART_ATTEMPTS; attempt += 1) {
    const candidate = restartName(name, attempt);
    const started = await executions.start(stateMachineArn, candidate, execution.input ?? '{}');
    if (started.started) return { kind: 'restarted', executionArn: started.executionArn, name: candidate };
  }
  return problemResponse(
    409,
    'Conflict',
    `every restart name up to ${restartName(name, MAX_RESTART_ATTEMPTS)} is taken`,
  );
};
