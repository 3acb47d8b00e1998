import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionEngine, ExecutionTaskTokens } from '../../../../local/stepfunctions/execution-engine';
import { ExecutionStore, type StoredHistoryEvent } from '../../../../local/stepfunctions/execution-store';
import type { LambdaInvoker } from '../../../../local/stepfunctions/task-bindings';

const PARTITION = { region: 'us-east-1', accountId: '000000000000' } as const;
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** A Task that passes its token to the function and waits until the token is answered. */
const HANDS_OVER_ITS_TOKEN = {
  Type: 'Task',
  Resource: WAIT_FOR_TOKEN,
  Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token' } },
};
/** A machine of the one state `name`, which ends it. */
const machineOf = (name: string, state: object) => ({
  StartAt: name,
  States: { [name]: { ...state, End: true } },
});
/** A machine of that one Task: it runs until its token is answered or it is stopped. */
const WAITS_FOR_ITS_TOKEN = machineOf('Waits', HANDS_OVER_ITS_TOKEN);

/** A machine of one Task, `name`, that calls `work` with `parameters`. */
const callsWork = (name: string, parameters: object) =>
  machineOf(name, { Type: 'Task', Resource: FN, Parameters: parameters });

/** Never called: these definitions use no service integration. */
const unused = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};

interface Harness {
  readonly engine: ExecutionEngine;
  readonly store: ExecutionStore;
  readonly taskTokens: ExecutionTaskTokens;
  readonly tokens: string[];
  run(definition: object, input?: object): Promise<{ arn: string; events: StoredHistoryEvent[] }>;
  startOnly(definition: object, input?: object): string;
  /** Starts a run whose first Task hands over its token, once that Task has started and sent it. */
  startWaiting(definition: object): Promise<string>;
  history(arn: string): StoredHistoryEvent[];
}

const harnesses: Harness[] = [];

/** An engine over an in-memory store; `work` answers `{doubled}`, fails on `fail`, hangs on `hang`. */
const harness = (): Harness => {
  const store = new ExecutionStore();
  const taskTokens = new ExecutionTaskTokens();
  const tokens: string[] = [];
  const invokeLambda: LambdaInvoker = async (_arn, payload) => {
    const event = payload as { value?: number; fail?: string; hang?: boolean; token?: string };
    if (event.token !== undefined) {
      tokens.push(event.token);
      return {};
    }
    if (event.hang) return new Promise(() => undefined);
    if (event.fail) throw Object.assign(new Error(`failed: ${event.fail}`), { name: event.fail });
    return { doubled: (event.value ?? 0) * 2 };
  };
  const engine = new ExecutionEngine({
    store,
    taskTokens,
    partition: PARTITION,
    ports: { invokeLambda, dynamodb: new DynamoDBClient(unused), sqs: new SQSClient(unused) },
    waits: { retryIntervalMs: 0, waitStateMs: 60_000 },
  });
  let count = 0;
  const startOnly = (definition: object, input: object = {}): string => {
    count += 1;
    const text = JSON.stringify(definition);
    const name = `machine-${count}`;
    const machine = {
      arn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`,
      name,
      definition: text,
      roleArn: 'arn:aws:iam::000000000000:role/test',
      type: 'STANDARD' as const,
      tracingEnabled: false,
      creationDate: Date.now(),
      updateDate: Date.now(),
    };
    store.putStateMachine(machine);
    return engine.start(machine, { name: `run-${count}`, input: JSON.stringify(input) }).executionArn;
  };
  const history = (arn: string): StoredHistoryEvent[] => {
    const execution = store.getExecution(arn);
    return execution ? store.events(execution, { reverse: false, limit: 10_000 }) : [];
  };
  const created: Harness = {
    engine,
    store,
    taskTokens,
    tokens,
    startOnly,
    history,
    startWaiting: async (definition) => {
      const arn = startOnly(definition);
      await until(() => tokens.length === 1);
      await until(() => history(arn).some((event) => event.type === 'TaskStarted'));
      return arn;
    },
    run: async (definition, input) => {
      const arn = startOnly(definition, input);
      await engine.settled(arn);
      return { arn, events: history(arn) };
    },
  };
  harnesses.push(created);
  return created;
};

const types = (events: readonly StoredHistoryEvent[]): string[] => events.map((event) => String(event.type));

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

afterEach(async () => {
  for (const { engine, store } of harnesses.splice(0)) {
    await engine.close(0);
    store.close();
  }
});

describe('ExecutionEngine history', () => {
  it('aborts the sibling branch of a failed Parallel and links the abort to the aborted task', async () => {
    // Prepare
    const { run } = harness();
    const definition = machineOf('Fork', {
      Type: 'Parallel',
      Branches: [WAITS_FOR_ITS_TOKEN, callsWork('Breaks', { fail: 'Broken' })],
    });

    // Act
    const { arn, events } = await run(definition);

    // Assess
    const aborted = events.find((event) => event.type === 'TaskStateAborted');
    const started = events.find((event) => event.id === aborted?.previousEventId);
    expect(started?.type).toBe('TaskStarted');
    expect(types(events).slice(-3)).toEqual(['TaskStateAborted', 'ParallelStateFailed', 'ExecutionFailed']);
    expect(events.at(-1)?.executionFailedEventDetails?.error).toBe('Broken');
    expect(types(events).filter((type) => type === 'TaskStateAborted')).toHaveLength(1);
    expect(harnesses[0]?.store.getExecution(arn)).toMatchObject({ status: 'FAILED', error: 'Broken' });
  });

  it('records Map iterations with their index', async () => {
    // Prepare
    const { run } = harness();
    const definition = machineOf('Each', {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: callsWork('Twice', { 'value.$': '$' }),
    });

    // Act
    const { events } = await run(definition, { items: [1, 2] });

    // Assess
    const iteration = [
      'MapIterationStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'MapIterationSucceeded',
    ];
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      ...iteration,
      ...iteration,
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(
      events
        .filter((event) => event.type === 'MapIterationStarted')
        .map((event) => event.mapIterationStartedEventDetails),
    ).toEqual([
      { name: 'Each', index: 0 },
      { name: 'Each', index: 1 },
    ]);
    expect(events.at(-1)?.executionSucceededEventDetails?.output).toBe('[{"doubled":2},{"doubled":4}]');
  });

  it('times a Task out as LambdaFunctionTimedOut and the execution as ExecutionTimedOut', async () => {
    // Prepare
    const { run } = harness();
    const taskTimeout = {
      StartAt: 'Hangs',
      States: {
        Hangs: {
          Type: 'Task',
          Resource: FN,
          Parameters: { hang: true },
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Pause' }],
          End: true,
        },
        Pause: { Type: 'Wait', Seconds: 60, End: true },
      },
      TimeoutSeconds: 2,
    };

    // Act
    const { arn, events } = await run(taskTimeout);

    // Assess
    expect(
      events.find((event) => event.type === 'LambdaFunctionTimedOut')?.lambdaFunctionTimedOutEventDetails,
    ).toEqual({
      error: 'States.Timeout',
      cause: 'States.Timeout',
    });
    expect(types(events).slice(-3)).toEqual(['WaitStateEntered', 'WaitStateAborted', 'ExecutionTimedOut']);
    expect(harnesses[0]?.store.getExecution(arn)).toMatchObject({
      status: 'TIMED_OUT',
      error: 'States.Timeout',
    });
  });

  it('leaves out the error and cause a Fail state does not set', async () => {
    // Prepare
    const { run } = harness();

    // Act
    const { events } = await run({ StartAt: 'Stop', States: { Stop: { Type: 'Fail' } } });

    // Assess
    expect(types(events)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(events.at(-1)?.executionFailedEventDetails).toEqual({});
  });

  it('stops a run: open states aborted, nothing recorded after, its tokens cancelled', async () => {
    // Prepare
    const { startWaiting, engine, store, tokens, taskTokens, history } = harness();
    const arn = await startWaiting(WAITS_FOR_ITS_TOKEN);

    // Act
    const stopped = engine.stop(store.getExecution(arn) ?? expect.unreachable(), 'Why', 'because');
    await engine.settled(arn);

    // Assess
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Why', cause: 'because' });
    expect(types(history(arn)).slice(-2)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
    expect(taskTokens.pendingCount).toBe(0);
    expect(() => taskTokens.succeed(tokens[0] ?? '', {})).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
    expect(engine.runningCount).toBe(0);
  });

  it('resumes a RUNNING execution after the marker events and counts redrives in the context', async () => {
    // Prepare
    const { startWaiting, engine, history, tokens, taskTokens } = harness();
    const definition = {
      StartAt: 'Waits',
      States: {
        Waits: {
          ...HANDS_OVER_ITS_TOKEN,
          ResultPath: '$.callback',
          Next: 'Count',
        },
        Count: { Type: 'Pass', Parameters: { 'redrives.$': '$$.Execution.RedriveCount' }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.redrives', NumericEquals: 0, Next: 'Boom' }],
          Default: 'Done',
        },
        Boom: { Type: 'Fail', Error: 'FirstTime' },
        Done: { Type: 'Succeed' },
      },
    };
    const arn = await startWaiting(definition);
    await engine.close(0);

    // Act
    const reopened = new ExecutionEngine({
      store: harnesses[0]?.store ?? expect.unreachable(),
      taskTokens,
      partition: PARTITION,
      ports: {
        invokeLambda: async (_arn, payload) => {
          tokens.push((payload as { token: string }).token);
          return {};
        },
        dynamodb: new DynamoDBClient(unused),
        sqs: new SQSClient(unused),
      },
    });
    const resumed = reopened.resumeInterrupted();
    await until(() => tokens.length === 2);
    taskTokens.succeed(tokens[1] ?? '', { ok: true });
    await reopened.settled(arn);
    const failedOnce = harnesses[0]?.store.getExecution(arn);
    reopened.redrive(failedOnce ?? expect.unreachable());
    await until(() => tokens.length === 3);
    taskTokens.succeed(tokens[2] ?? '', { ok: true });
    await reopened.settled(arn);

    // Assess
    expect(resumed).toBe(1);
    expect(failedOnce).toMatchObject({ status: 'FAILED', error: 'FirstTime' });
    expect(harnesses[0]?.store.getExecution(arn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const all = types(history(arn));
    expect(all.filter((type) => type.startsWith('Execution'))).toEqual([
      'ExecutionStarted',
      'ExecutionAborted',
      'ExecutionStarted',
      'ExecutionFailed',
      'ExecutionRedriven',
      'ExecutionSucceeded',
    ]);
    expect(history(arn).map((event) => event.id)).toEqual(all.map((_, index) => index + 1));
    await reopened.close(0);
  });
});
