import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import { type RunningGateway, startGateway } from '../../../../local/gateway';
import {
  type LocalStepFunctionsOptions,
  type RunningLocalStepFunctions,
  startLocalStepFunctions,
} from '../../../../local/stepfunctions/service';
import type { LambdaInvoker } from '../../../../local/stepfunctions/task-bindings';
import type { EntityDocument } from '../../../../local/xray/segment-document';
import { type LocalXRay, startLocalXRay } from '../../../../local/xray/service';
import { newTraceId, parseTraceHeader } from '../../../../local/xray/trace-header';
import { createQueue, TEST_ACCOUNT, TEST_AWS, testArn, testDynamo, uniquePrefix } from '../../../support/aws';
import { finishedExecution, testStepFunctionsOptions } from '../../../support/local-step-functions';
import { namedError } from '../../../support/named-error';

const ROLE_ARN = testArn.role('docflow-test');
const FLAKY = testArn.lambda('flaky');
const BROKEN = testArn.lambda('broken');
const WORK = testArn.lambda('work');
const STATE_MACHINE_ORIGIN = 'AWS::StepFunctions::StateMachine';

interface Invocation {
  readonly arn: string;
  readonly run: string;
  readonly traceHeader: string | undefined;
}

/**
 * The functions the definitions invoke, recording the header each invocation got. `flaky` fails on
 * the first call of a run and succeeds on the second; `broken` always fails; `work` answers, and
 * hands over the task token of a `.waitForTaskToken` call.
 */
class FakeFunctions {
  readonly invocations: Invocation[] = [];
  readonly #calls = new Map<string, number>();
  readonly #tokens = new Map<string, PromiseWithResolvers<string>>();

  /** Resolves with the `n`-th task token a run's `work` function received. */
  token(run: string, n = 1): Promise<string> {
    return this.#waiter(`${run}#${n}`).promise;
  }

  of(run: string): Invocation[] {
    return this.invocations.filter((invocation) => invocation.run === run);
  }

  #waiter(key: string): PromiseWithResolvers<string> {
    const waiter = this.#tokens.get(key) ?? Promise.withResolvers<string>();
    this.#tokens.set(key, waiter);
    return waiter;
  }

  readonly invoke: LambdaInvoker = async (arn, payload, options) => {
    const event = payload as { run?: string; token?: string };
    const run = event.run ?? '';
    this.invocations.push({ arn, run, traceHeader: options?.traceHeader });
    const call = (this.#calls.get(`${arn}|${run}`) ?? 0) + 1;
    this.#calls.set(`${arn}|${run}`, call);
    if (arn === FLAKY && call === 1) throw namedError('Flaky', 'the first call always fails');
    if (arn === BROKEN) throw namedError('Broken', `broken for ${run}`);
    if (event.token !== undefined) this.#waiter(`${run}#${call}`).resolve(event.token);
    return { ok: true };
  };
}

const RUN = { 'run.$': '$$.Execution.Name' } as const;

/** Pass → Lambda with Retry → Parallel[Pass | DynamoDB] → Map[Pass] → Lambda caught → SQS → Succeed. */
const pipelineDefinition = (table: string, queueUrl: string) => ({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'ready', ResultPath: '$.stage', Next: 'Flaky' },
    Flaky: {
      Type: 'Task',
      Resource: FLAKY,
      Parameters: RUN,
      ResultPath: '$.flaky',
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Next: 'Fork',
    },
    Fork: {
      Type: 'Parallel',
      ResultPath: '$.fork',
      Next: 'Each',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
        {
          StartAt: 'Save',
          States: {
            Save: {
              Type: 'Task',
              Resource: 'arn:aws:states:::dynamodb:putItem',
              Parameters: { TableName: table, Item: { pk: { 'S.$': '$$.Execution.Name' } } },
              End: true,
            },
          },
        },
      ],
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ResultPath: '$.each',
      ItemProcessor: { StartAt: 'Twice', States: { Twice: { Type: 'Pass', End: true } } },
      Next: 'Breaks',
    },
    Breaks: {
      Type: 'Task',
      Resource: BROKEN,
      Parameters: RUN,
      ResultPath: '$.broken',
      Catch: [{ ErrorEquals: ['Broken'], ResultPath: '$.error', Next: 'Notify' }],
      Next: 'Done',
    },
    Notify: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { QueueUrl: queueUrl, 'MessageBody.$': '$.error' },
      ResultPath: '$.notified',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
});

const WORK_DEFINITION = {
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: WORK, Parameters: RUN, End: true } },
};

const FAILING_DEFINITION = {
  StartAt: 'Breaks',
  States: { Breaks: { Type: 'Task', Resource: BROKEN, Parameters: RUN, End: true } },
};

const CALLBACK_DEFINITION = {
  StartAt: 'Callback',
  States: {
    Callback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: WORK, Payload: { ...RUN, 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

const claimDefinition = (table: string) => ({
  StartAt: 'Claim',
  States: {
    Claim: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: table,
        Item: { pk: { 'S.$': '$.key' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'Taken' }],
      End: true,
    },
    Taken: { Type: 'Succeed' },
  },
});

/** The subsegments of an entity with that name. */
const childrenNamed = (entity: EntityDocument | undefined, name: string): EntityDocument[] =>
  (entity?.subsegments ?? []).filter((child) => child.name === name);

const only = (entities: readonly EntityDocument[], what: string): EntityDocument => {
  expect(entities, what).toHaveLength(1);
  return entities[0] as EntityDocument;
};

const childNamed = (entity: EntityDocument | undefined, name: string): EntityDocument =>
  only(childrenNamed(entity, name), `one subsegment named ${name}`);

const namesOf = (entity: EntityDocument | undefined): string[] =>
  (entity?.subsegments ?? []).map((child) => child.name).sort();

/** Every entity of a tree, depth first. */
const allOf = (entity: EntityDocument): EntityDocument[] => [
  entity,
  ...(entity.subsegments ?? []).flatMap(allOf),
];

const firstExceptionType = (entity: EntityDocument): unknown =>
  (entity.cause as { exceptions?: { type?: string }[] } | undefined)?.exceptions?.[0]?.type;

describe('local Step Functions X-Ray segments (real local X-Ray)', () => {
  let dynamo: DynamoDbEmulator;
  let messaging: MessagingEmulator;
  let xray: LocalXRay;
  let gateway: RunningGateway;
  let xrayClient: XRayClient;
  let service: RunningLocalStepFunctions;
  let sfn: SFNClient;
  let table: string;
  let queueUrl: string;
  const functions = new FakeFunctions();
  /** Every document the service sent, in order. */
  const sent: Record<string, unknown>[] = [];
  const refused: unknown[] = [];
  const folders: string[] = [];

  const serviceOptions = (overrides: Partial<LocalStepFunctionsOptions> = {}): LocalStepFunctionsOptions => ({
    ...testStepFunctionsOptions(functions.invoke, { dynamodb: dynamo.endpoint, sqs: messaging.endpoint }),
    segments: {
      put: (document) => {
        sent.push(document);
        const rejection = xray.ingest(JSON.stringify(document));
        if (rejection) refused.push(rejection);
      },
    },
    ...overrides,
  });

  const folder = (): string => {
    const created = mkdtempSync(join(tmpdir(), 'docflow-sfn-trace-'));
    folders.push(created);
    return created;
  };

  const createMachine = async (definition: object, tracingEnabled: boolean, client = sfn) => {
    const name = uniquePrefix('traced');
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({
        name,
        definition: JSON.stringify(definition),
        roleArn: ROLE_ARN,
        tracingConfiguration: { enabled: tracingEnabled },
      }),
    );
    return { name, arn: stateMachineArn ?? '' };
  };

  const start = async (
    stateMachineArn: string,
    options: { input?: object; traceHeader?: string } = {},
    client = sfn,
  ) => {
    const name = uniquePrefix('run');
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify(options.input ?? {}),
        ...(options.traceHeader ? { traceHeader: options.traceHeader } : {}),
      }),
    );
    return { name, executionArn: executionArn ?? '' };
  };

  const finished = (executionArn: string, client = sfn): Promise<DescribeExecutionOutput> =>
    finishedExecution(client, executionArn);

  /** The trace's segments as BatchGetTraces returns them (subsegments attached), parsed. */
  const traceOf = async (traceId: string): Promise<EntityDocument[]> => {
    const { Traces } = await xrayClient.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
    return (Traces?.[0]?.Segments ?? []).map(
      (segment) => JSON.parse(segment.Document ?? '{}') as EntityDocument,
    );
  };

  const machineSegmentsOf = async (traceId: string): Promise<EntityDocument[]> =>
    (await traceOf(traceId)).filter((segment) => segment.origin === STATE_MACHINE_ORIGIN);

  const summaryOf = async (traceId: string) => {
    const { TraceSummaries } = await xrayClient.send(
      new GetTraceSummariesCommand({
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
      }),
    );
    return (TraceSummaries ?? []).find((summary) => summary.Id === traceId);
  };

  const traceIdOf = (described: DescribeExecutionOutput): string => {
    const root = parseTraceHeader(described.traceHeader)?.root;
    if (!root) throw new Error(`no trace header on ${described.executionArn}`);
    return root;
  };

  beforeAll(async () => {
    [dynamo, messaging, xray] = await Promise.all([
      startDynamoDb(),
      startMessaging(),
      startLocalXRay({ dataDir: folder() }),
    ]);
    gateway = await startGateway({ port: 0, routes: { xray: xray.handler } });
    xrayClient = new XRayClient({ ...TEST_AWS, endpoint: gateway.endpoint, maxAttempts: 1 });
    service = await startLocalStepFunctions(serviceOptions());
    sfn = new SFNClient({ ...TEST_AWS, endpoint: service.endpoint, maxAttempts: 1 });
    table = `traced-${randomUUID().slice(0, 8)}`;
    await testDynamo(dynamo.endpoint).send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    queueUrl = (await createQueue(messaging.endpoint, `traced-${randomUUID().slice(0, 8)}`)).url;
  });

  afterAll(async () => {
    sfn?.destroy();
    xrayClient?.destroy();
    await service?.stop();
    await gateway?.stop();
    await xray?.stop();
    await Promise.all([dynamo?.stop(), messaging?.stop()]);
    for (const created of folders) rmSync(created, { recursive: true, force: true });
  });

  it('writes the execution segment, a subsegment per state and one per attempt, under the given trace', async () => {
    // Prepare
    const machine = await createMachine(pipelineDefinition(table, queueUrl), true);
    const root = newTraceId();
    const traceHeader = `Root=${root};Sampled=1`;

    // Act
    const { name, executionArn } = await start(machine.arn, { input: { items: [1, 2] }, traceHeader });
    const described = await finished(executionArn);
    await service.settled(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(described.traceHeader).toBe(traceHeader);
    expect(refused).toEqual([]);
    const segment = only(await machineSegmentsOf(root), 'one state machine segment');
    expect(segment).toMatchObject({
      name: machine.name,
      trace_id: root,
      resource_arn: machine.arn,
      aws: { account_id: TEST_ACCOUNT, region: TEST_AWS.region, execution_arn: executionArn },
    });
    expect(segment.parent_id).toBeUndefined();
    expect(segment.end_time).toBeGreaterThanOrEqual(segment.start_time);
    expect(segment.fault).toBeUndefined();
    expect(namesOf(segment)).toEqual(['Breaks', 'Done', 'Each', 'Flaky', 'Fork', 'Notify', 'Prepare']);

    const flaky = childNamed(segment, 'Flaky');
    const [first, second] = childrenNamed(flaky, 'Lambda');
    expect(childrenNamed(flaky, 'Lambda')).toHaveLength(2);
    expect(first).toMatchObject({
      namespace: 'aws',
      fault: true,
      aws: { operation: 'Invoke', function_name: 'flaky', resource_names: [FLAKY] },
    });
    expect(first && firstExceptionType(first)).toBe('Flaky');
    expect(second).toMatchObject({ namespace: 'aws', aws: { operation: 'Invoke', function_name: 'flaky' } });
    expect(second?.fault).toBeUndefined();
    expect(second?.start_time).toBeGreaterThanOrEqual(first?.end_time ?? Number.POSITIVE_INFINITY);
    expect(flaky.fault).toBeUndefined();

    const fork = childNamed(segment, 'Fork');
    expect(namesOf(fork)).toEqual(['Left', 'Save']);
    expect(childNamed(childNamed(fork, 'Save'), 'DynamoDB')).toMatchObject({
      namespace: 'aws',
      aws: { operation: 'PutItem', table_name: table },
    });
    const each = childNamed(segment, 'Each');
    expect(namesOf(each)).toEqual(['Iteration 0', 'Iteration 1']);
    for (const iteration of each.subsegments ?? []) expect(namesOf(iteration)).toEqual(['Twice']);

    const breaks = childNamed(segment, 'Breaks');
    const caught = childNamed(breaks, 'Lambda');
    expect(caught).toMatchObject({ fault: true, aws: { operation: 'Invoke', function_name: 'broken' } });
    expect(firstExceptionType(caught)).toBe('Broken');
    expect(breaks.fault).toBe(true);
    const notify = childNamed(segment, 'Notify');
    expect(notify.start_time).toBeGreaterThanOrEqual(breaks.end_time ?? Number.POSITIVE_INFINITY);
    expect(childNamed(notify, 'SQS')).toMatchObject({
      namespace: 'aws',
      aws: { operation: 'SendMessage', queue_url: queueUrl },
    });
    expect(allOf(segment).filter((entity) => entity.in_progress === true)).toEqual([]);

    // Each invocation continued the execution's trace, under its own attempt's subsegment.
    const attemptIds = allOf(segment)
      .filter((entity) => entity.name === 'Lambda')
      .map((entity) => entity.id);
    const headers = functions.of(name).map((invocation) => parseTraceHeader(invocation.traceHeader));
    expect(headers).toHaveLength(3);
    expect(headers.map((header) => header?.root)).toEqual([root, root, root]);
    expect(headers.map((header) => header?.sampled)).toEqual([true, true, true]);
    expect(headers.map((header) => header?.parent).sort()).toEqual([...attemptIds].sort());

    const summary = await summaryOf(root);
    expect(summary).toMatchObject({ IsPartial: false, HasFault: false, HasError: false });
  });

  it('starts a new trace for a traced machine given no header, and reports it in DescribeExecution', async () => {
    // Prepare
    const machine = await createMachine(FAILING_DEFINITION, true);

    // Act
    const { executionArn } = await start(machine.arn);
    const described = await finished(executionArn);
    await service.settled(executionArn);

    // Assess
    expect(described.status).toBe('FAILED');
    expect(described.traceHeader).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/);
    const segment = only(await machineSegmentsOf(traceIdOf(described)), 'one state machine segment');
    expect(segment.parent_id).toBeUndefined();
    expect(segment.fault).toBe(true);
    expect(firstExceptionType(segment)).toBe('Broken');
    const breaks = childNamed(segment, 'Breaks');
    expect(breaks.fault).toBe(true);
    expect(childNamed(breaks, 'Lambda')).toMatchObject({ fault: true, namespace: 'aws' });
  });

  it('traces an untraced machine only when the caller sampled the request, under the caller', async () => {
    // Prepare
    const machine = await createMachine(WORK_DEFINITION, false);
    const sampledRoot = newTraceId();
    const unsampledRoot = newTraceId();
    const callerId = '53995c3f42cd8ad8';

    // Act
    const sampled = await start(machine.arn, {
      traceHeader: `Root=${sampledRoot};Parent=${callerId};Sampled=1`,
    });
    await finished(sampled.executionArn);
    await service.settled(sampled.executionArn);
    const before = sent.length;
    const unsampled = await start(machine.arn, { traceHeader: `Root=${unsampledRoot};Sampled=0` });
    await finished(unsampled.executionArn);
    await service.settled(unsampled.executionArn);
    const untraced = await start(machine.arn);
    const untracedDescribed = await finished(untraced.executionArn);
    await service.settled(untraced.executionArn);

    // Assess
    const segment = only(await machineSegmentsOf(sampledRoot), 'one state machine segment');
    expect(segment.parent_id).toBe(callerId);
    const attempt = childNamed(childNamed(segment, 'Work'), 'Lambda');
    expect(functions.of(sampled.name).map((invocation) => invocation.traceHeader)).toEqual([
      `Root=${sampledRoot};Parent=${attempt.id};Sampled=1`,
    ]);

    expect(sent.length).toBe(before);
    expect(await traceOf(unsampledRoot)).toEqual([]);
    expect(functions.of(unsampled.name).map((invocation) => invocation.traceHeader)).toEqual([
      `Root=${unsampledRoot};Sampled=0`,
    ]);
    expect(functions.of(untraced.name).map((invocation) => invocation.traceHeader)).toEqual([undefined]);
    expect(untracedDescribed.traceHeader).toBeUndefined();
  });

  it('marks a refused DynamoDB write as an error of the attempt, not a fault', async () => {
    // Prepare
    const machine = await createMachine(claimDefinition(table), true);
    const key = uniquePrefix('claim');
    const first = await start(machine.arn, { input: { key } });
    await finished(first.executionArn);

    // Act
    const second = await start(machine.arn, { input: { key } });
    const described = await finished(second.executionArn);
    await service.settled(second.executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const segment = only(await machineSegmentsOf(traceIdOf(described)), 'one state machine segment');
    const claim = childNamed(segment, 'Claim');
    const attempt = childNamed(claim, 'DynamoDB');
    expect(attempt).toMatchObject({ error: true, aws: { operation: 'PutItem' } });
    expect(attempt.fault).toBeUndefined();
    expect(firstExceptionType(attempt)).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(claim).toMatchObject({ error: true });
    expect(namesOf(segment)).toEqual(['Claim', 'Taken']);
    expect(segment.error).toBeUndefined();
  });

  it('keeps a waitForTaskToken attempt in progress until the callback', async () => {
    // Prepare
    const machine = await createMachine(CALLBACK_DEFINITION, true);
    const { name, executionArn } = await start(machine.arn);
    const token = await functions.token(name);
    const traceId = traceIdOf(await sfn.send(new DescribeExecutionCommand({ executionArn })));

    // Act
    const waiting = only(await machineSegmentsOf(traceId), 'one state machine segment');
    const calledBackAt = Date.now() / 1000;
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"done":true}' }));
    await finished(executionArn);
    await service.settled(executionArn);

    // Assess
    expect(waiting.in_progress).toBe(true);
    expect(childNamed(childNamed(waiting, 'Callback'), 'Lambda')).toMatchObject({
      in_progress: true,
      aws: { operation: 'Invoke', function_name: 'work' },
    });
    const ended = only(await machineSegmentsOf(traceId), 'one state machine segment');
    const attempt = childNamed(childNamed(ended, 'Callback'), 'Lambda');
    expect(attempt.in_progress).toBeUndefined();
    expect(attempt.end_time).toBeGreaterThanOrEqual(calledBackAt);
    expect(allOf(ended).filter((entity) => entity.in_progress === true)).toEqual([]);
  });

  it('ends a stopped execution as an error, closing the states it stopped', async () => {
    // Prepare
    const machine = await createMachine(CALLBACK_DEFINITION, true);
    const { name, executionArn } = await start(machine.arn);
    await functions.token(name);

    // Act
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'not needed' }));
    const described = await finished(executionArn);
    await service.settled(executionArn);

    // Assess
    expect(described.status).toBe('ABORTED');
    const segment = only(await machineSegmentsOf(traceIdOf(described)), 'one state machine segment');
    expect(segment).toMatchObject({ error: true });
    expect(segment.fault).toBeUndefined();
    expect(firstExceptionType(segment)).toBe('Operator');
    expect(childNamed(childNamed(segment, 'Callback'), 'Lambda').end_time).toBeDefined();
    expect(allOf(segment).filter((entity) => entity.in_progress === true)).toEqual([]);
  });

  it('closes an interrupted run as a fault and writes the resumed run as a new segment of the same trace', async () => {
    // Prepare
    const dataDir = folder();
    const first = await startLocalStepFunctions(serviceOptions({ dataDir, drainTimeoutMs: 0 }));
    const firstClient = new SFNClient({ ...TEST_AWS, endpoint: first.endpoint, maxAttempts: 1 });
    const machine = await createMachine(CALLBACK_DEFINITION, true, firstClient);
    const { name, executionArn } = await start(machine.arn, {}, firstClient);
    await functions.token(name, 1);
    firstClient.destroy();
    await first.stop();

    // Act
    const second = await startLocalStepFunctions(serviceOptions({ dataDir }));
    const secondClient = new SFNClient({ ...TEST_AWS, endpoint: second.endpoint, maxAttempts: 1 });
    try {
      const token = await functions.token(name, 2);
      await secondClient.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      const described = await finished(executionArn, secondClient);
      await second.settled(executionArn);

      // Assess
      expect(described.status).toBe('SUCCEEDED');
      const segments = await machineSegmentsOf(traceIdOf(described));
      expect(segments).toHaveLength(2);
      const [interrupted, resumed] = segments;
      expect(interrupted).toMatchObject({ fault: true, aws: { execution_arn: executionArn } });
      expect(interrupted && firstExceptionType(interrupted)).toBe('Local.Interrupted');
      expect(childNamed(childNamed(interrupted, 'Callback'), 'Lambda')).toMatchObject({ fault: true });
      expect(resumed?.fault).toBeUndefined();
      expect(resumed?.start_time).toBeGreaterThanOrEqual(interrupted?.end_time ?? Number.POSITIVE_INFINITY);
      expect(childNamed(resumed, 'Callback').fault).toBeUndefined();
      expect(segments.flatMap(allOf).filter((entity) => entity.in_progress === true)).toEqual([]);
      expect(await summaryOf(traceIdOf(described))).toMatchObject({ IsPartial: false });
    } finally {
      secondClient.destroy();
      await second.stop();
    }
  });
});
