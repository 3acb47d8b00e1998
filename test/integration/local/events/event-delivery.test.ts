import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, type EventRuleSpec, LocalEventBus } from '../../../../local/events/event-bus';
import { queueSender } from '../../../../local/events/queue-sender';
import { createEventsRequestHandler, LocalEventsApi } from '../../../../local/events/service';
import { LambdaRunner, type LocalFunction } from '../../../../local/lambda/runner';
import { type DeployedFunction, LocalLambdaApi } from '../../../../local/lambda-api/service';
import { createLocalStepFunctions, type LocalStepFunctions } from '../../../../local/stepfunctions/service';
import { bundleFixture, fixtureFunction } from '../../../fixtures/lambda-handlers/bundle';
import { TEST_ACCOUNT, TEST_AWS, testArn, testSqs } from '../../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../../support/local-gateway';

const run = promisify(execFile);
const REGION = TEST_AWS.region;
const STATUS_CHANGE = 'Step Functions Execution Status Change';

const asset = await bundleFixture('event-recorder.ts');
const records = mkdtempSync(join(tmpdir(), 'docflow-event-records-'));
const recordsOf = (name: string): unknown[] => {
  const directory = join(records, name);
  return readdirSync(directory)
    .sort()
    .map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as unknown);
};

/** Polls until `read` gives what `done` accepts; the event bus and Lambda's queue deliver asynchronously. */
const eventually = async <T>(read: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> => {
  for (let attempt = 0; ; attempt += 1) {
    const value = await read();
    if (done(value) || attempt > 300) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

let local: LocalGateway;
let runner: LambdaRunner;
let lambdaApi: LocalLambdaApi;
let bus: LocalEventBus;
let stepFunctions: LocalStepFunctions;
let sqs: SQSClient;
let stateMachineArn: string;
const queues: Record<string, { url: string; arn: string }> = {};

const receiveAll = async (queue: string): Promise<Message[]> => {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queues[queue]?.url,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return Messages ?? [];
};

const attributesOf = (message: Message | undefined): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );

const deployFunction = (name: string, environment: Record<string, string>, deadLetterQueueArn?: string) => {
  mkdirSync(join(records, name), { recursive: true });
  const fn: LocalFunction & DeployedFunction = {
    ...fixtureFunction(asset.codeDirectory, name, {
      environment: { RECORD_DIR: join(records, name), ...environment },
    }),
    runtime: 'nodejs24.x',
    tracing: 'PassThrough',
    ...(deadLetterQueueArn ? { deadLetterQueueArn } : {}),
  };
  runner.register(fn);
  lambdaApi.register(fn);
};

const rule = (name: string, target: string, deadLetterQueue: string, status: string[]): EventRuleSpec => ({
  name,
  arn: `arn:aws:events:${REGION}:${TEST_ACCOUNT}:rule/${name}`,
  eventPattern: {
    source: ['aws.states'],
    'detail-type': [STATUS_CHANGE],
    detail: { stateMachineArn: [stateMachineArn], status },
  },
  enabled: true,
  targets: [
    {
      id: 'Target0',
      arn: target,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, maximumRetryAttempts: 2 },
      deadLetterQueueArn: queues[deadLetterQueue]?.arn ?? '',
    },
  ],
});

beforeAll(async () => {
  let lambdaHandler: LocalLambdaApi['handler'] = () => undefined;
  let eventsHandler: ReturnType<typeof createEventsRequestHandler> = () => undefined;
  let statesHandler: LocalStepFunctions['handler'] = () => undefined;
  local = await startLocalGateway({
    extraRoutes: {
      lambda: (request, response) => lambdaHandler(request, response),
      events: (request, response) => eventsHandler(request, response),
      states: (request, response) => statesHandler(request, response),
    },
  });
  sqs = testSqs(local.endpoint);
  for (const name of ['target-dlq', 'function-dlq']) {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `events-test-${name}` }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    queues[name] = { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
  }
  runner = new LambdaRunner({ region: REGION, environment: { AWS_REGION: REGION } });
  const sendToQueue = queueSender(sqs, local.endpoint);
  lambdaApi = new LocalLambdaApi({
    invoke: (arn, payload, options) => runner.invoke(arn, payload, options),
    sendToQueue,
    // Lambda waits one, then two minutes; the semantics are the same with shorter waits.
    retryDelaysMs: [20, 20],
  });
  bus = new LocalEventBus({
    region: REGION,
    accountId: TEST_ACCOUNT,
    ports: {
      invokeLambdaAsync: async (arn, payload) => {
        await lambdaApi.invokeAsync(arn, payload);
      },
      sendToQueue,
    },
    retryBaseDelayMs: 5,
  });
  stepFunctions = createLocalStepFunctions({
    invokeLambda: (arn, payload, options) => runner.invoke(arn, payload, options),
    endpoints: { dynamodb: local.dynamo.endpoint, sqs: local.messaging.endpoint },
    events: bus,
    region: REGION,
  });
  lambdaHandler = lambdaApi.handler;
  eventsHandler = createEventsRequestHandler(new LocalEventsApi(bus));
  statesHandler = stepFunctions.handler;
  ({ stateMachineArn } = stepFunctions.registerStateMachine({
    name: 'events-test',
    definition: {
      StartAt: 'Decide',
      States: {
        Decide: {
          Type: 'Choice',
          Choices: [{ Variable: '$.fail', IsPresent: true, Next: 'Fail' }],
          Default: 'Done',
        },
        Done: { Type: 'Pass', Result: { pages: 2 }, End: true },
        Fail: { Type: 'Fail', Error: 'DocumentFailed', Cause: 'asked to fail' },
      },
    },
  }));
  deployFunction('record-cost', {});
  deployFunction('always-fails', { FAIL_AFTER_RECORDING: 'true' }, queues['function-dlq']?.arn);
  bus.putRule(rule('cost-on-success', testArn.lambda('record-cost'), 'target-dlq', ['SUCCEEDED']));
  bus.putRule(rule('cost-on-failure', testArn.lambda('always-fails'), 'target-dlq', ['FAILED']));
  bus.putRule(rule('to-nowhere', testArn.lambda('not-deployed'), 'target-dlq', ['TIMED_OUT']));
}, 60_000);

afterAll(async () => {
  await stepFunctions?.stop();
  await bus?.stop();
  await lambdaApi?.stop();
  await runner?.close();
  sqs?.destroy();
  await local?.stop();
  await asset.remove();
  rmSync(records, { recursive: true, force: true });
});

const startExecution = async (name: string, input: object): Promise<string> => {
  const sfn = new SFNClient({ ...TEST_AWS, endpoint: local.endpoint });
  const { executionArn = '' } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  sfn.destroy();
  await stepFunctions.settled(executionArn);
  return executionArn;
};

describe('Step Functions status changes through the local EventBridge to Lambda', () => {
  it('delivers the SUCCEEDED status change of a real execution to the rule’s function, in AWS’s shape', async () => {
    // Act
    const executionArn = await startExecution('succeeds', { documentId: 'doc-1' });
    const [event, ...more] = await eventually(
      () => recordsOf('record-cost'),
      (found) => found.length > 0,
    );

    // Assess
    expect(more).toEqual([]);
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': STATUS_CHANGE,
      source: 'aws.states',
      account: TEST_ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: REGION,
      resources: [executionArn],
      detail: {
        executionArn,
        stateMachineArn,
        name: 'succeeds',
        status: 'SUCCEEDED',
        startDate: expect.any(Number),
        stopDate: expect.any(Number),
        input: '{"documentId":"doc-1"}',
        inputDetails: { included: true },
        output: '{"pages":2}',
        outputDetails: { included: true },
        error: null,
        cause: null,
        redriveCount: 0,
        redriveDate: null,
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      },
    });
    expect(recordsOf('always-fails')).toEqual([]);
  });

  it('retries a function that fails the event twice, as Lambda does, then puts the event in the function’s dead-letter queue', async () => {
    // Act
    const executionArn = await startExecution('fails', { fail: true });
    const attempts = await eventually(
      () => recordsOf('always-fails'),
      (found) => found.length >= 3,
    );
    const [deadLetter, ...others] = await eventually(
      () => receiveAll('function-dlq'),
      (found) => found.length > 0,
    );

    // Assess
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((attempt) => JSON.stringify(attempt))).size).toBe(1);
    expect(attempts[0]).toMatchObject({
      resources: [executionArn],
      detail: { status: 'FAILED', error: 'DocumentFailed', cause: 'asked to fail' },
    });
    expect(others).toEqual([]);
    expect(JSON.parse(deadLetter?.Body ?? '')).toEqual(attempts[0]);
    expect(attributesOf(deadLetter)).toEqual({
      RequestID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ErrorCode: '200',
      ErrorMessage: expect.stringMatching(/^RecordedFailureError: recorded to .*, then failed on purpose$/),
    });
    // Lambda took the event: the rule's own dead-letter queue is for events it could not hand over.
    expect(await receiveAll('target-dlq')).toEqual([]);
  });

  it('puts an event it cannot hand to Lambda (the function does not exist) in the target’s dead-letter queue at once', async () => {
    // Act
    bus.put({
      source: 'aws.states',
      detailType: STATUS_CHANGE,
      detail: { stateMachineArn, status: 'TIMED_OUT' },
      resources: ['arn:aws:states:us-east-1:000000000000:execution:events-test:late'],
    });
    const [deadLetter] = await eventually(
      () => receiveAll('target-dlq'),
      (found) => found.length > 0,
    );

    // Assess
    expect(JSON.parse(deadLetter?.Body ?? '')).toMatchObject({ detail: { status: 'TIMED_OUT' } });
    expect(attributesOf(deadLetter)).toEqual({
      RULE_ARN: `arn:aws:events:${REGION}:${TEST_ACCOUNT}:rule/to-nowhere`,
      TARGET_ARN: testArn.lambda('not-deployed'),
      ERROR_CODE: 'RESOURCE_NOT_FOUND',
      ERROR_MESSAGE: `Function not found: ${testArn.lambda('not-deployed')}`,
      RETRY_ATTEMPTS: '0',
    });
  });

  it.skipIf(!process.env.PATH?.split(':').some((dir) => readdirSafe(dir).includes('aws')))(
    'takes PutEvents from the AWS CLI, so a rule can be tried by hand',
    async () => {
      // Prepare
      const detail = { stateMachineArn, status: 'SUCCEEDED', executionArn: 'from-the-cli' };

      // Act
      const { stdout } = await run(
        'aws',
        [
          'events',
          'put-events',
          '--endpoint-url',
          local.endpoint,
          '--entries',
          JSON.stringify([
            { Source: 'aws.states', DetailType: STATUS_CHANGE, Detail: JSON.stringify(detail) },
            { Source: 'aws.states', DetailType: STATUS_CHANGE, Detail: '[1, 2]' },
          ]),
        ],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_DEFAULT_REGION: REGION,
          },
        },
      );
      const recorded = await eventually(
        () => recordsOf('record-cost'),
        (found) => found.some((event) => JSON.stringify(event).includes('from-the-cli')),
      );

      // Assess
      expect(JSON.parse(stdout)).toEqual({
        FailedEntryCount: 1,
        Entries: [
          { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
          { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        ],
      });
      expect(recorded.find((event) => JSON.stringify(event).includes('from-the-cli'))).toMatchObject({
        source: 'aws.states',
        detail,
        resources: [],
      });
    },
  );
});

function readdirSafe(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
