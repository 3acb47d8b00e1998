import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  InvalidDefinition,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { executionName } from '../../../../lambdas/starter/execution-name';
import { SfnExecutionStarter } from '../../../../lambdas/starter/sfn-execution-starter';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import {
  type LocalStepFunctionsOptions,
  type RunningLocalStepFunctions,
  startLocalStepFunctions,
} from '../../../../local/stepfunctions/service';
import type { LambdaInvoker } from '../../../../local/stepfunctions/task-bindings';
import { aDocument } from '../../../fixtures/document-outcomes';
import {
  drainQueue,
  TEST_AWS,
  testArn,
  testDocumentClient,
  testSqs,
  uniquePrefix,
} from '../../../support/aws';
import {
  createStateMachine,
  finishedExecution,
  type RegisteredPipeline,
  registerPipeline,
  testStepFunctionsOptions,
} from '../../../support/local-step-functions';
import { namedError } from '../../../support/named-error';

const ROLE_ARN = testArn.role('docflow-test');
const DOUBLE = testArn.lambda('double');

/** A promise with its resolver, for values that arrive from inside an execution. */
const deferred = <T>() => Promise.withResolvers<T>();

/**
 * Pass → Task (Lambda ARN, with Retry) → Choice → Parallel[Pass | lambda:invoke] / waitForTaskToken /
 * Fail. `route` in the input picks the path; `value` is doubled by the function.
 */
const TINY_DEFINITION = {
  Comment: 'service test machine',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.stage', Next: 'Double' },
    Double: {
      Type: 'Task',
      Resource: DOUBLE,
      Parameters: { 'value.$': '$.value', 'execution.$': '$$.Execution.Name' },
      ResultPath: '$.doubled',
      TimeoutSeconds: 30,
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.route', IsPresent: true },
            { Variable: '$.route', StringEquals: 'fail' },
          ],
          Next: 'Boom',
        },
        {
          And: [
            { Variable: '$.route', IsPresent: true },
            { Variable: '$.route', StringEquals: 'wait' },
          ],
          Next: 'Callback',
        },
      ],
      Default: 'Fork',
    },
    Fork: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', Result: 'left', End: true } } },
        {
          StartAt: 'Right',
          States: {
            Right: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: DOUBLE, Payload: { 'value.$': '$.doubled.value' } },
              ResultSelector: { 'value.$': '$.Payload.value' },
              End: true,
            },
          },
        },
      ],
      ResultPath: '$.fork',
      Next: 'Done',
    },
    Callback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: DOUBLE,
        Payload: { 'execution.$': '$$.Execution.Name', 'token.$': '$$.Task.Token' },
      },
      HeartbeatSeconds: 3600,
      ResultPath: '$.callback',
      Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.rejection', Next: 'Done' }],
      Next: 'Done',
    },
    Boom: { Type: 'Fail', Error: 'Boom', Cause: 'the route was fail' },
    Done: { Type: 'Succeed' },
  },
} as const;

const PIPELINE_ARNS = {
  inspect: testArn.lambda('docflow-Inspect'),
  thumbnail: testArn.lambda('docflow-Thumbnail'),
  extractText: testArn.lambda('docflow-ExtractText'),
  indexMetadata: testArn.lambda('docflow-IndexMetadata'),
} as const;

type Payload = { value?: number; execution?: string; token?: string; taskToken?: string };

/**
 * The Lambda functions of both definitions, as one fake invoker shared by every service instance
 * (so a restarted service reaches the same "functions"). Faults are scripted per execution name.
 */
class FakeFunctions {
  readonly calls = new Map<string, number>();
  readonly faults = new Map<string, (call: number) => Error | undefined>();
  readonly #arrived = new Map<string, string[]>();
  readonly #waiters = new Map<string, PromiseWithResolvers<string>>();

  /** Resolves with the `n`-th (1-based) task token handed to a worker for this key. */
  token(key: string, n = 1): Promise<string> {
    const arrived = this.#arrived.get(key)?.[n - 1];
    if (arrived !== undefined) return Promise.resolve(arrived);
    const waiter = this.#waiters.get(`${key}#${n}`) ?? deferred<string>();
    this.#waiters.set(`${key}#${n}`, waiter);
    return waiter.promise;
  }

  #tokenArrived(key: string, token: string): void {
    const arrived = this.#arrived.get(key) ?? [];
    arrived.push(token);
    this.#arrived.set(key, arrived);
    this.#waiters.get(`${key}#${arrived.length}`)?.resolve(token);
  }

  readonly invoke: LambdaInvoker = async (arn, raw) => {
    const payload = JSON.parse(JSON.stringify(raw)) as Payload;
    if (arn === DOUBLE) {
      const key = payload.execution ?? '';
      if (payload.token !== undefined) {
        this.#tokenArrived(key, payload.token);
        return { accepted: true };
      }
      const call = (this.calls.get(key) ?? 0) + 1;
      this.calls.set(key, call);
      const fault = this.faults.get(key)?.(call);
      if (fault) throw fault;
      return { value: (payload.value ?? 0) * 2 };
    }
    return this.#pipeline(arn, payload);
  };

  #pipeline(arn: string, payload: Payload): unknown {
    const event = payload as Payload & { document: DocumentRef };
    const fault = this.faults.get(`${arn}|${event.document.id}`)?.(0);
    if (fault) throw fault;
    if (arn === PIPELINE_ARNS.inspect) {
      // A multi-page PDF goes to a Textract job and its callback; anything else has no text.
      const pdf = event.document.key.endsWith('.pdf');
      return {
        mimeType: pdf ? 'application/pdf' : 'image/png',
        type: pdf ? 'pdf' : 'png',
        size: 10,
        sha256: '0'.repeat(64),
        textStrategy: pdf ? 'textract-async' : 'none',
      };
    }
    if (arn === PIPELINE_ARNS.thumbnail) return { thumbnail: null };
    if (arn === PIPELINE_ARNS.extractText && payload.taskToken !== undefined) {
      this.#tokenArrived(event.document.id, payload.taskToken);
      return { jobId: 'job-1' };
    }
    if (arn === PIPELINE_ARNS.indexMetadata) return { written: true, status: 'PROCESSED' };
    throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${arn}`);
  }
}

const typesOf = (events: readonly HistoryEvent[]): string[] => events.map((event) => String(event.type));

describe('local Step Functions API (real SFNClient)', () => {
  let dynamo: DynamoDbEmulator;
  let messaging: MessagingEmulator;
  let service: RunningLocalStepFunctions;
  let sfn: SFNClient;
  let tinyArn: string;
  const functions = new FakeFunctions();
  const dataDirs: string[] = [];

  const serviceOptions = (overrides: Partial<LocalStepFunctionsOptions> = {}): LocalStepFunctionsOptions => ({
    ...testStepFunctionsOptions(functions.invoke, { dynamodb: dynamo.endpoint, sqs: messaging.endpoint }),
    ...overrides,
  });

  const clientFor = (endpoint: string): SFNClient => new SFNClient({ ...TEST_AWS, endpoint, maxAttempts: 1 });

  const freshDataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'docflow-sfn-'));
    dataDirs.push(dir);
    return dir;
  };

  const createMachine = (client: SFNClient, definition: object = TINY_DEFINITION): Promise<string> =>
    createStateMachine(client, definition, ROLE_ARN);

  const finished = (executionArn: string, client = sfn): Promise<DescribeExecutionOutput> =>
    finishedExecution(client, executionArn);

  const historyOf = async (executionArn: string, client = sfn): Promise<HistoryEvent[]> => {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  };

  const start = async (input: Record<string, unknown>, name = uniquePrefix('run'), machine = tinyArn) => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine, name, input: JSON.stringify(input) }),
    );
    return { name, executionArn: started.executionArn ?? '', startDate: started.startDate };
  };

  const expectRejection = async (
    promise: Promise<unknown>,
    type: abstract new (...args: never[]) => Error,
  ) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(type);
    return error as Error;
  };

  beforeAll(async () => {
    [dynamo, messaging] = await Promise.all([startDynamoDb(), startMessaging()]);
    service = await startLocalStepFunctions(serviceOptions());
    sfn = clientFor(service.endpoint);
    tinyArn = await createMachine(sfn);
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([dynamo?.stop(), messaging?.stop()]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('StartExecution', () => {
    it('answers the running execution for the same name and input, and ExecutionAlreadyExists otherwise', async () => {
      // Prepare
      const input = { value: 2, route: 'wait' };
      const first = await start(input);
      const token = await functions.token(first.name);

      // Act
      const repeated = await start(input, first.name);
      const otherInput = await expectRejection(
        start({ value: 3, route: 'wait' }, first.name),
        ExecutionAlreadyExists,
      );
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
      const described = await finished(first.executionArn);
      const afterCompletion = await expectRejection(start(input, first.name), ExecutionAlreadyExists);

      // Assess
      expect(repeated.executionArn).toBe(first.executionArn);
      expect(repeated.startDate?.getTime()).toBe(first.startDate?.getTime());
      expect(described.status).toBe('SUCCEEDED');
      expect(otherInput.name).toBe('ExecutionAlreadyExists');
      expect(afterCompletion.name).toBe('ExecutionAlreadyExists');
      expect(afterCompletion.message).toContain(first.executionArn);
    });

    it.each([
      ['white space', 'has space'],
      ['a slash', 'a/b'],
      ['a hash', 'a#b'],
      ['a colon', 'a:b'],
      ['a bracket', 'a[1]'],
      ['a wildcard', 'a*'],
      ['a control character', 'a\u0007b'],
    ])('refuses a name with %s as InvalidName', async (_kind, name) => {
      // Act
      const error = await expectRejection(start({ value: 1 }, name), InvalidName);

      // Assess
      expect(error.message).toContain('Invalid Name');
    });

    it('refuses names longer than 80 characters, accepts 80 and makes a UUID when none is given', async () => {
      // Prepare
      const longest = `n${'x'.repeat(79)}`;

      // Act
      const tooLong = await expectRejection(start({ value: 1 }, `${longest}y`), ValidationException);
      const accepted = await start({ value: 1 }, longest);
      const unnamed = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: tinyArn, input: '{"value":1}' }),
      );
      const unnamedDescribed = await finished(unnamed.executionArn ?? '');

      // Assess
      expect(tooLong.message).toContain('Member must have length less than or equal to 80');
      expect((await finished(accepted.executionArn)).name).toBe(longest);
      expect(unnamedDescribed.name).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(unnamed.executionArn?.endsWith(`:${unnamedDescribed.name}`)).toBe(true);
    });

    it('refuses unknown state machines, malformed ARNs and input that is not JSON', async () => {
      // Prepare
      const unknownMachine = tinyArn.replace(/:stateMachine:.*/, ':stateMachine:does-not-exist');

      // Act
      const unknown = expectRejection(
        sfn.send(new StartExecutionCommand({ stateMachineArn: unknownMachine })),
        StateMachineDoesNotExist,
      );
      const malformed = expectRejection(
        sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:s3:::bucket' })),
        InvalidArn,
      );
      const notJson = expectRejection(
        sfn.send(new StartExecutionCommand({ stateMachineArn: tinyArn, input: '{value: 1' })),
        InvalidExecutionInput,
      );

      // Assess
      await Promise.all([unknown, malformed, notJson]);
    });
  });

  describe('state machines', () => {
    it('creates idempotently, describes, lists, and refuses invalid or conflicting definitions', async () => {
      // Prepare
      const name = uniquePrefix('machine');
      const definition = JSON.stringify(TINY_DEFINITION);
      const create = (body: string) =>
        sfn.send(new CreateStateMachineCommand({ name, definition: body, roleArn: ROLE_ARN }));

      // Act
      const created = await create(definition);
      const again = await create(definition);
      const conflicting = expectRejection(
        create(JSON.stringify({ ...TINY_DEFINITION, Comment: 'changed' })),
        StateMachineAlreadyExists,
      );
      const invalid = expectRejection(
        sfn.send(
          new CreateStateMachineCommand({
            name: uniquePrefix('bad'),
            definition: JSON.stringify({ StartAt: 'Nowhere', States: {} }),
            roleArn: ROLE_ARN,
          }),
        ),
        InvalidDefinition,
      );
      const jsonata = expectRejection(
        sfn.send(
          new CreateStateMachineCommand({
            name: uniquePrefix('jsonata'),
            definition: JSON.stringify({
              QueryLanguage: 'JSONata',
              StartAt: 'A',
              States: { A: { Type: 'Pass', End: true } },
            }),
            roleArn: ROLE_ARN,
          }),
        ),
        InvalidDefinition,
      );
      const unbound = expectRejection(
        sfn.send(
          new CreateStateMachineCommand({
            name: uniquePrefix('unbound'),
            definition: JSON.stringify({
              StartAt: 'A',
              States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } },
            }),
            roleArn: ROLE_ARN,
          }),
        ),
        InvalidDefinition,
      );
      await Promise.all([conflicting, invalid, jsonata, unbound]);
      const described = await sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }),
      );
      const listed = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 2, nextToken }));
        listed.push(...(page.stateMachines ?? []));
        nextToken = page.nextToken;
      } while (nextToken);

      // Assess
      expect(created.stateMachineArn).toBe(testArn.stateMachine(name));
      expect(again.stateMachineArn).toBe(created.stateMachineArn);
      expect(again.creationDate?.getTime()).toBe(created.creationDate?.getTime());
      expect((await unbound).message).toContain('sns:publish');
      expect(described).toMatchObject({
        stateMachineArn: created.stateMachineArn,
        name,
        status: 'ACTIVE',
        definition,
        roleArn: ROLE_ARN,
        type: 'STANDARD',
      });
      expect(listed.filter((machine) => machine.name === name)).toEqual([
        {
          stateMachineArn: created.stateMachineArn,
          name,
          type: 'STANDARD',
          creationDate: created.creationDate,
        },
      ]);
    });
  });

  describe('DescribeExecution and ListExecutions', () => {
    it('describes an execution and lists executions newest first, filtered and paged', async () => {
      // Prepare
      const machine = await createMachine(sfn);
      const succeeded = await start({ value: 5 }, uniquePrefix('ok'), machine);
      await finished(succeeded.executionArn);
      const failed = await start({ value: 5, route: 'fail' }, uniquePrefix('fail'), machine);
      await finished(failed.executionArn);
      const traced = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: machine,
          name: uniquePrefix('traced'),
          input: '{"value":1}',
          traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        }),
      );
      await finished(traced.executionArn ?? '');

      // Act
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: succeeded.executionArn }),
      );
      const tracedDescribed = await sfn.send(
        new DescribeExecutionCommand({ executionArn: traced.executionArn }),
      );
      const firstPage = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machine, maxResults: 2 }),
      );
      const secondPage = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machine,
          maxResults: 2,
          nextToken: firstPage.nextToken,
        }),
      );
      const onlyFailed = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'FAILED' }),
      );
      const badToken = expectRejection(
        sfn.send(new ListExecutionsCommand({ stateMachineArn: tinyArn, nextToken: firstPage.nextToken })),
        InvalidToken,
      );
      const unknown = expectRejection(
        sfn.send(new DescribeExecutionCommand({ executionArn: `${succeeded.executionArn}-nope` })),
        ExecutionDoesNotExist,
      );
      await Promise.all([badToken, unknown]);

      // Assess
      expect(described).toMatchObject({
        executionArn: succeeded.executionArn,
        stateMachineArn: machine,
        name: succeeded.name,
        status: 'SUCCEEDED',
        input: '{"value":5}',
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      });
      expect(JSON.parse(described.output ?? '')).toMatchObject({
        value: 5,
        doubled: { value: 10 },
        fork: ['left', { value: 20 }],
      });
      expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(
        described.startDate?.getTime() ?? Infinity,
      );
      expect(tracedDescribed.traceHeader).toBe(
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      );
      expect(firstPage.executions?.map((execution) => execution.executionArn)).toEqual([
        traced.executionArn,
        failed.executionArn,
      ]);
      expect(firstPage.nextToken).toBeDefined();
      expect(secondPage.executions?.map((execution) => execution.executionArn)).toEqual([
        succeeded.executionArn,
      ]);
      expect(secondPage.nextToken).toBeUndefined();
      expect(onlyFailed.executions).toEqual([
        expect.objectContaining({ executionArn: failed.executionArn, status: 'FAILED', name: failed.name }),
      ]);
    });

    it('fails an execution at a Fail state with its error and cause', async () => {
      // Act
      const { executionArn } = await start({ value: 1, route: 'fail' });
      const described = await finished(executionArn);
      const events = await historyOf(executionArn);

      // Assess
      expect(described).toMatchObject({
        status: 'FAILED',
        error: 'Boom',
        cause: 'the route was fail',
        redriveStatus: 'REDRIVABLE',
      });
      expect(typesOf(events).slice(-2)).toEqual(['FailStateEntered', 'ExecutionFailed']);
      expect(events.at(-1)?.executionFailedEventDetails).toEqual({
        error: 'Boom',
        cause: 'the route was fail',
      });
    });
  });

  describe('GetExecutionHistory', () => {
    it('records AWS event types, details and links, including a retried Lambda', async () => {
      // Prepare
      const name = uniquePrefix('history');
      functions.faults.set(name, (call) => (call === 1 ? namedError('Flaky', 'try again') : undefined));

      // Act
      const { executionArn } = await start({ value: 3 }, name);
      await finished(executionArn);
      const events = await historyOf(executionArn);

      // Assess
      const byId = new Map(events.map((event) => [event.id, event]));
      const first = (type: string, from = 0) =>
        events.find((event, index) => index >= from && event.type === type);
      expect(typesOf(events).slice(0, 12)).toEqual([
        'ExecutionStarted',
        'PassStateEntered',
        'PassStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionFailed',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ChoiceStateEntered',
      ]);
      expect(typesOf(events).slice(12, 15)).toEqual([
        'ChoiceStateExited',
        'ParallelStateEntered',
        'ParallelStateStarted',
      ]);
      expect(new Set(typesOf(events).slice(15, -5))).toEqual(
        new Set([
          'PassStateEntered',
          'PassStateExited',
          'TaskStateEntered',
          'TaskScheduled',
          'TaskStarted',
          'TaskSucceeded',
          'TaskStateExited',
        ]),
      );
      expect(typesOf(events).slice(-5)).toEqual([
        'ParallelStateSucceeded',
        'ParallelStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
      expect(events[0]).toMatchObject({
        previousEventId: 0,
        executionStartedEventDetails: {
          input: '{"value":3}',
          roleArn: ROLE_ARN,
          inputDetails: { truncated: false },
        },
      });
      const failure = first('LambdaFunctionFailed');
      expect(failure?.lambdaFunctionFailedEventDetails?.error).toBe('Flaky');
      expect(JSON.parse(failure?.lambdaFunctionFailedEventDetails?.cause ?? '{}')).toMatchObject({
        errorType: 'Flaky',
        errorMessage: 'try again',
      });
      const scheduled = first('LambdaFunctionScheduled');
      expect(scheduled?.lambdaFunctionScheduledEventDetails).toEqual({
        resource: DOUBLE,
        input: JSON.stringify({ value: 3, execution: name }),
        inputDetails: { truncated: false },
        timeoutInSeconds: 30,
      });
      expect(byId.get(scheduled?.previousEventId)?.type).toBe('TaskStateEntered');
      expect(first('LambdaFunctionSucceeded')?.lambdaFunctionSucceededEventDetails?.output).toBe(
        '{"value":6}',
      );
      const parallelStarted = first('ParallelStateStarted');
      const branchStarts = events.filter(
        (event) =>
          event.stateEnteredEventDetails?.name === 'Left' || event.stateEnteredEventDetails?.name === 'Right',
      );
      expect(branchStarts.map((event) => event.previousEventId)).toEqual([
        parallelStarted?.id,
        parallelStarted?.id,
      ]);
      expect(first('TaskScheduled')?.taskScheduledEventDetails).toEqual({
        resourceType: 'lambda',
        resource: 'invoke',
        region: TEST_AWS.region,
        parameters: JSON.stringify({ FunctionName: DOUBLE, Payload: { value: 6 } }),
      });
      expect(JSON.parse(first('TaskSucceeded')?.taskSucceededEventDetails?.output ?? '{}')).toMatchObject({
        Payload: { value: 12 },
        StatusCode: 200,
      });
    });

    it('pages forwards and backwards and can leave the execution data out', async () => {
      // Prepare
      const { executionArn } = await start({ value: 4 });
      await finished(executionArn);
      const all = await historyOf(executionArn);

      // Act
      const forward: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 5, nextToken }),
        );
        expect(page.events?.length).toBeLessThanOrEqual(5);
        forward.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const backward: HistoryEvent[] = [];
      do {
        const page = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 7, reverseOrder: true, nextToken }),
        );
        backward.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const withoutData = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, maxResults: 3 }),
      );
      const forwardToken = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1 })))
        .nextToken;
      await Promise.all([
        expectRejection(
          sfn.send(
            new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: forwardToken }),
          ),
          InvalidToken,
        ),
        expectRejection(
          sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'not-a-token' })),
          InvalidToken,
        ),
      ]);

      // Assess
      expect(forward).toEqual(all);
      expect(backward).toEqual([...all].reverse());
      expect(all.at(-1)?.type).toBe('ExecutionSucceeded');
      expect(withoutData.events?.[0]?.executionStartedEventDetails).toEqual({
        inputDetails: { truncated: false },
        roleArn: ROLE_ARN,
      });
      expect(withoutData.events?.[1]?.stateEnteredEventDetails).toEqual({
        name: 'Prepare',
        inputDetails: { truncated: false },
      });
    });
  });

  describe('task tokens', () => {
    it('stops a waiting execution: aborted states, ExecutionAborted, and its token refused', async () => {
      // Prepare
      const { name, executionArn } = await start({ value: 1, route: 'wait' });
      const token = await functions.token(name);

      // Act
      const stopped = await sfn.send(
        new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'not needed' }),
      );
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const events = await historyOf(executionArn);
      const late = await expectRejection(
        sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
        TaskTimedOut,
      );
      const stoppedAgain = await sfn.send(new StopExecutionCommand({ executionArn }));

      // Assess
      expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'not needed' });
      expect(described.stopDate?.getTime()).toBe(stopped.stopDate?.getTime());
      expect(typesOf(events).slice(-2)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
      expect(events.at(-1)?.executionAbortedEventDetails).toEqual({ error: 'Operator', cause: 'not needed' });
      expect(late.name).toBe('TaskTimedOut');
      expect(stoppedAgain.stopDate?.getTime()).toBe(stopped.stopDate?.getTime());
      const scheduled = events.find((event) => event.type === 'TaskScheduled');
      expect(JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}')).toEqual({
        FunctionName: DOUBLE,
        Payload: { execution: name, token },
      });
      expect(scheduled?.taskScheduledEventDetails?.heartbeatInSeconds).toBe(3600);
    });

    it('takes heartbeats and a failure that the Catch handles', async () => {
      // Prepare
      const { name, executionArn } = await start({ value: 1, route: 'wait' });
      const token = await functions.token(name);

      // Act
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'no thanks' }));
      const described = await finished(executionArn);
      const events = await historyOf(executionArn);

      // Assess
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output ?? '{}')).toMatchObject({
        rejection: { Error: 'Rejected', Cause: 'no thanks' },
      });
      expect(events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        error: 'Rejected',
        cause: 'no thanks',
      });
    });

    it('completes through SendTaskSuccess with its output as the task result', async () => {
      // Prepare
      const { name, executionArn } = await start({ value: 1, route: 'wait' });
      const token = await functions.token(name);

      // Act
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"answer":42}' }));
      const described = await finished(executionArn);
      const events = await historyOf(executionArn);

      // Assess
      expect(JSON.parse(described.output ?? '{}')).toMatchObject({ callback: { answer: 42 } });
      expect(events.find((event) => event.type === 'TaskSucceeded')?.taskSucceededEventDetails?.output).toBe(
        '{"answer":42}',
      );
    });

    it('refuses unknown tokens as TaskDoesNotExist, malformed ones as InvalidToken, bad output as InvalidOutput', async () => {
      // Prepare
      const unknown = randomBytes(48).toString('base64url');
      const { name } = await start({ value: 1, route: 'wait' });
      const token = await functions.token(name);

      // Act
      const refusals = await Promise.all([
        expectRejection(
          sfn.send(new SendTaskSuccessCommand({ taskToken: unknown, output: '{}' })),
          TaskDoesNotExist,
        ),
        expectRejection(sfn.send(new SendTaskFailureCommand({ taskToken: unknown })), TaskDoesNotExist),
        expectRejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: unknown })), TaskDoesNotExist),
        expectRejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'not a token!' })), InvalidToken),
        expectRejection(
          sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{oops' })),
          InvalidOutput,
        ),
      ]);
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));

      // Assess
      expect(refusals.map((error) => error.name)).toEqual([
        'TaskDoesNotExist',
        'TaskDoesNotExist',
        'TaskDoesNotExist',
        'InvalidToken',
        'InvalidOutput',
      ]);
    });
  });

  describe('RedriveExecution', () => {
    it('runs a failed execution again from the start and refuses a succeeded one', async () => {
      // Prepare
      const name = uniquePrefix('redrive');
      let broken = true;
      functions.faults.set(name, () => (broken ? namedError('Broken', 'disk full') : undefined));
      const { executionArn } = await start({ value: 7 }, name);
      const failed = await finished(executionArn);
      broken = false;

      // Act
      const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
      const described = await finished(executionArn);
      const events = await historyOf(executionArn);
      const again = await expectRejection(
        sfn.send(new RedriveExecutionCommand({ executionArn })),
        ExecutionNotRedrivable,
      );

      // Assess
      expect(failed).toMatchObject({ status: 'FAILED', error: 'Broken' });
      expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
      expect(described.redriveDate?.getTime()).toBe(redriven.redriveDate?.getTime());
      expect(described.error).toBeUndefined();
      const redrivenAt = typesOf(events).indexOf('ExecutionRedriven');
      expect(typesOf(events).slice(redrivenAt - 1, redrivenAt + 2)).toEqual([
        'ExecutionFailed',
        'ExecutionRedriven',
        'PassStateEntered',
      ]);
      expect(events[redrivenAt]?.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
      expect(typesOf(events).filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
      expect(again.name).toBe('ExecutionNotRedrivable');
    });
  });

  it('runs concurrent executions independently', async () => {
    // Prepare
    const values = Array.from({ length: 25 }, (_, index) => index + 1);

    // Act
    const started = await Promise.all(values.map((value) => start({ value })));
    const described = await Promise.all(started.map(({ executionArn }) => finished(executionArn)));
    const histories = await Promise.all(started.map(({ executionArn }) => historyOf(executionArn)));

    // Assess
    expect(described.map((execution) => execution.status)).toEqual(values.map(() => 'SUCCEEDED'));
    expect(described.map((execution) => JSON.parse(execution.output ?? '{}').fork[1].value)).toEqual(
      values.map((value) => value * 4),
    );
    for (const events of histories) {
      expect(typesOf(events).filter((type) => type.startsWith('Execution'))).toEqual([
        'ExecutionStarted',
        'ExecutionSucceeded',
      ]);
      expect(typesOf(events).filter((type) => type === 'TaskStateEntered')).toHaveLength(2);
    }
  });

  describe('restart', () => {
    it('keeps finished histories and runs an interrupted execution again to completion', async () => {
      // Prepare
      const dataDir = freshDataDir();
      const first = await startLocalStepFunctions(serviceOptions({ dataDir, drainTimeoutMs: 0 }));
      const firstClient = clientFor(first.endpoint);
      const machine = await createMachine(firstClient);
      const done = await firstClient.send(
        new StartExecutionCommand({
          stateMachineArn: machine,
          name: uniquePrefix('done'),
          input: '{"value":9}',
        }),
      );
      await finished(done.executionArn ?? '', firstClient);
      const doneHistory = await historyOf(done.executionArn ?? '', firstClient);
      const waitingName = uniquePrefix('waiting');
      const waiting = await firstClient.send(
        new StartExecutionCommand({
          stateMachineArn: machine,
          name: waitingName,
          input: '{"value":1,"route":"wait"}',
        }),
      );
      const firstToken = await functions.token(waitingName, 1);

      // Act
      await first.stop();
      const second = await startLocalStepFunctions(serviceOptions({ dataDir }));
      const secondClient = clientFor(second.endpoint);
      try {
        const secondToken = await functions.token(waitingName, 2);
        const staleToken = await expectRejection(
          secondClient.send(new SendTaskSuccessCommand({ taskToken: firstToken, output: '{}' })),
          TaskDoesNotExist,
        );
        await secondClient.send(
          new SendTaskSuccessCommand({ taskToken: secondToken, output: '{"resumed":true}' }),
        );
        const resumed = await finished(waiting.executionArn ?? '', secondClient);
        const resumedHistory = await historyOf(waiting.executionArn ?? '', secondClient);
        const doneAfter = await historyOf(done.executionArn ?? '', secondClient);
        const machineAfter = await secondClient.send(
          new DescribeStateMachineCommand({ stateMachineArn: machine }),
        );
        const definitionUsed = await secondClient.send(
          new DescribeStateMachineForExecutionCommand({ executionArn: waiting.executionArn }),
        );
        const listed = await secondClient.send(new ListExecutionsCommand({ stateMachineArn: machine }));

        // Assess
        expect(staleToken.name).toBe('TaskDoesNotExist');
        expect(secondToken).not.toBe(firstToken);
        expect(doneAfter).toEqual(doneHistory);
        expect(resumed).toMatchObject({ status: 'SUCCEEDED', startDate: waiting.startDate });
        expect(JSON.parse(resumed.output ?? '{}')).toMatchObject({ callback: { resumed: true } });
        const types = typesOf(resumedHistory);
        const interruption = types.indexOf('ExecutionAborted');
        expect(types.slice(0, 4)).toEqual([
          'ExecutionStarted',
          'PassStateEntered',
          'PassStateExited',
          'TaskStateEntered',
        ]);
        expect(types.slice(interruption, interruption + 2)).toEqual(['ExecutionAborted', 'ExecutionStarted']);
        expect(resumedHistory[interruption]?.executionAbortedEventDetails?.error).toBe('Local.Interrupted');
        expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(2);
        expect(types.at(-1)).toBe('ExecutionSucceeded');
        expect(resumedHistory.map((event) => event.id)).toEqual(resumedHistory.map((_, index) => index + 1));
        expect(machineAfter.definition).toBe(JSON.stringify(TINY_DEFINITION));
        expect(definitionUsed.definition).toBe(JSON.stringify(TINY_DEFINITION));
        expect(listed.executions?.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      } finally {
        await second.stop();
      }
    });

    it('refuses new executions while stopping and lets running ones finish within the drain time', async () => {
      // Prepare
      const dataDir = freshDataDir();
      const running = await startLocalStepFunctions(serviceOptions({ dataDir, drainTimeoutMs: 30_000 }));
      const client = clientFor(running.endpoint);
      const machine = await createMachine(client);
      const name = uniquePrefix('draining');
      const { executionArn } = await client.send(
        new StartExecutionCommand({ stateMachineArn: machine, name, input: '{"value":1,"route":"wait"}' }),
      );
      const token = await functions.token(name);

      // Act
      const stopping = running.stop();
      const refused = await client
        .send(new StartExecutionCommand({ stateMachineArn: machine, input: '{"value":1}' }))
        .then(
          () => undefined,
          (error: unknown) => error as Error,
        );
      await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      await stopping;
      const reopened = await startLocalStepFunctions(serviceOptions({ dataDir }));
      const described = await clientFor(reopened.endpoint)
        .send(new DescribeExecutionCommand({ executionArn }))
        .finally(() => reopened.stop());

      // Assess
      expect(refused?.name).toBe('ServiceUnavailable');
      expect(described.status).toBe('SUCCEEDED');
    });
  });

  describe('the document pipeline definition', () => {
    let pipeline: RegisteredPipeline;

    const documentRef = (name: string): DocumentRef => {
      const bucket = 'uploads';
      const key = `incoming/${uniquePrefix('doc')}/${name}`;
      return aDocument(key, Date.now().toString(16), {
        bucket,
        size: 10,
        eTag: 'etag',
        uploadedAt: new Date().toISOString(),
      });
    };

    beforeAll(async () => {
      pipeline = await registerPipeline(
        service,
        { dynamodb: dynamo.endpoint, sqs: messaging.endpoint },
        PIPELINE_ARNS,
      );
    });

    it('runs through the starter: one execution per name, the callback, and ExecutionAlreadyExists afterwards', async () => {
      // Prepare
      const document = documentRef('scan.pdf');
      const starter = new SfnExecutionStarter(sfn, pipeline.stateMachineArn);
      const name = executionName(document.bucket, document.key, document.version);
      const input = JSON.stringify({ document });

      // Act
      const started = await starter.start(name, input, 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1');
      const token = await functions.token(document.id);
      const duplicate = await starter.start(name, input);
      await sfn.send(
        new SendTaskSuccessCommand({
          taskToken: token,
          output: JSON.stringify({
            text: {
              bucket: 'derivatives',
              key: 'text.json',
              pages: 3,
              characters: 9,
              words: 2,
              source: 'textract',
            },
          }),
        }),
      );
      const described = await finished(started.executionArn);
      const afterwards = await starter.start(name, input);
      const events = await historyOf(started.executionArn);
      const item = (
        await testDocumentClient(dynamo.endpoint).send(
          new GetCommand({ TableName: pipeline.metadataTable, Key: { documentId: document.id } }),
        )
      ).Item;

      // Assess
      expect(started.status).toBe('started');
      expect(duplicate).toEqual(started);
      expect(afterwards).toEqual({ status: 'already-exists', executionArn: started.executionArn });
      expect(described).toMatchObject({
        status: 'SUCCEEDED',
        traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      });
      expect(JSON.parse(described.output ?? '{}')).toMatchObject({
        indexed: { written: true, status: 'PROCESSED' },
        derivatives: { thumbnail: null, text: { source: 'textract' } },
      });
      // $$.Execution.Id reached DynamoDB through the dynamodb:updateItem integration.
      expect(item).toMatchObject({ status: 'PROCESSING', executionArn: started.executionArn });
      const markProcessing = events.find((event) => event.type === 'TaskScheduled');
      expect(markProcessing?.taskScheduledEventDetails).toMatchObject({
        resourceType: 'dynamodb',
        resource: 'updateItem',
        timeoutInSeconds: 30,
      });
      expect(JSON.parse(markProcessing?.taskScheduledEventDetails?.parameters ?? '{}')).toMatchObject({
        TableName: pipeline.metadataTable,
        Key: { documentId: { S: document.id } },
      });
      const callback = events.find(
        (event) =>
          event.type === 'TaskScheduled' &&
          event.taskScheduledEventDetails?.resource === 'invoke.waitForTaskToken',
      );
      expect(JSON.parse(callback?.taskScheduledEventDetails?.parameters ?? '{}')).toMatchObject({
        FunctionName: PIPELINE_ARNS.extractText,
        Payload: { strategy: 'textract-async', taskToken: token },
      });
      expect(
        events
          .filter((event) => event.type === 'LambdaFunctionScheduled')
          .map((event) => event.lambdaFunctionScheduledEventDetails?.resource),
      ).toEqual(
        expect.arrayContaining([PIPELINE_ARNS.inspect, PIPELINE_ARNS.thumbnail, PIPELINE_ARNS.indexMetadata]),
      );
      expect(typesOf(events).slice(-3)).toEqual([
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
    });

    it('records the failure, sends the DLQ message and fails; a redrive then processes the document', async () => {
      // Prepare
      const document = documentRef('photo.png');
      functions.faults.set(
        `${PIPELINE_ARNS.thumbnail}|${document.id}`,
        () => new Error('libvips: out of memory'),
      );
      const { executionArn } = await start({ document }, uniquePrefix('pipeline'), pipeline.stateMachineArn);

      // Act
      const failed = await finished(executionArn);
      const failedEvents = await historyOf(executionArn);
      const failedDocuments = await drainQueue(testSqs(messaging.endpoint), pipeline.failedDocumentsQueueUrl);
      functions.faults.delete(`${PIPELINE_ARNS.thumbnail}|${document.id}`);
      await sfn.send(new RedriveExecutionCommand({ executionArn }));
      const redriven = await finished(executionArn);

      // Assess
      expect(failed).toMatchObject({ status: 'FAILED', error: 'Error' });
      expect(JSON.parse(failed.cause ?? '{}')).toMatchObject({ errorMessage: 'libvips: out of memory' });
      expect(
        failedEvents
          .filter((event) => event.type === 'LambdaFunctionFailed')
          .map((event) => event.lambdaFunctionFailedEventDetails?.error),
      ).toEqual(['Error', 'Error', 'Error']);
      expect(
        failedEvents.find((event) => event.taskScheduledEventDetails?.resource === 'sendMessage')
          ?.taskScheduledEventDetails,
      ).toMatchObject({
        resourceType: 'sqs',
      });
      expect(typesOf(failedEvents).slice(-2)).toEqual(['FailStateEntered', 'ExecutionFailed']);
      expect(failedDocuments.map((message) => JSON.parse(message.Body ?? '{}').executionArn)).toContain(
        executionArn,
      );
      expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    });

    it('resumes an interrupted pipeline execution after a restart and completes it', async () => {
      // Prepare
      const dataDir = freshDataDir();
      const first = await startLocalStepFunctions(serviceOptions({ dataDir, drainTimeoutMs: 0 }));
      const { stateMachineArn } = first.registerStateMachine({
        name: 'DocumentPipeline',
        definition:
          (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: pipeline.stateMachineArn })))
            .definition ?? '',
        roleArn: ROLE_ARN,
      });
      const document = documentRef('long.pdf');
      const { executionArn } = await clientFor(first.endpoint).send(
        new StartExecutionCommand({
          stateMachineArn,
          name: uniquePrefix('resume'),
          input: JSON.stringify({ document }),
        }),
      );
      await functions.token(document.id, 1);

      // Act
      await first.stop();
      const second = await startLocalStepFunctions(serviceOptions({ dataDir }));
      try {
        const token = await functions.token(document.id, 2);
        await clientFor(second.endpoint).send(
          new SendTaskSuccessCommand({ taskToken: token, output: '{"text":null}' }),
        );
        const described = await finished(executionArn ?? '', clientFor(second.endpoint));
        const events = await historyOf(executionArn ?? '', clientFor(second.endpoint));

        // Assess
        expect(described.status).toBe('SUCCEEDED');
        const markProcessing = events.filter(
          (event) => event.stateEnteredEventDetails?.name === 'MarkProcessing',
        );
        expect(markProcessing).toHaveLength(2);
        expect(
          events.filter(
            (event) =>
              event.type === 'TaskSucceeded' && event.taskSucceededEventDetails?.resource === 'updateItem',
          ),
        ).toHaveLength(2);
        expect(
          events.find((event) => event.type === 'SucceedStateEntered')?.stateEnteredEventDetails?.name,
        ).toBe('Processed');
      } finally {
        await second.stop();
      }
    });
  });
});
