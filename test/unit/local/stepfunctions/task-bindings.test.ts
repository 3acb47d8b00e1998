import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { QueueDoesNotExist, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AslState, AslStates } from '../../../../local/stepfunctions/asl';
import { TASK_TOKEN_PLACEHOLDER } from '../../../../local/stepfunctions/context-object';
import {
  buildTaskBindings,
  type LambdaInvoker,
  type TaskResourceLocalHandlers,
} from '../../../../local/stepfunctions/task-bindings';
import { TaskTokens } from '../../../../local/stepfunctions/task-tokens';
import { failureOf } from '../../../support/failure-of';

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:docflow-Worker';

type JsonValue = Parameters<TaskResourceLocalHandlers[string]>[0];

/** A one-Task machine around a state. */
const machine = (state: Partial<AslState>, name = 'Work'): AslStates => ({
  StartAt: name,
  States: { [name]: { Type: 'Task', End: true, ...state } },
});

const recordingInvoker = (
  respond: (arn: string, payload: unknown) => unknown = () => ({ ok: true }),
): LambdaInvoker & { calls: [string, unknown][] } => {
  const calls: [string, unknown][] = [];
  const invoker = async (arn: string, payload: unknown) => {
    calls.push([arn, payload]);
    return respond(arn, payload);
  };
  return Object.assign(invoker, { calls });
};

/** The task token a recorded invocation received. */
const tokenOfCall = (invoker: { calls: [string, unknown][] }, index: number): string => {
  const payload = invoker.calls[index]?.[1] as { taskToken?: string } | undefined;
  if (payload?.taskToken === undefined) throw new Error(`invocation ${index} carried no token`);
  return payload.taskToken;
};

const ports = (overrides: { invokeLambda?: LambdaInvoker; taskTokens?: TaskTokens } = {}) => ({
  invokeLambda: overrides.invokeLambda ?? recordingInvoker(),
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  sqs: new SQSClient({ region: 'eu-west-1' }),
  taskTokens: overrides.taskTokens ?? new TaskTokens(),
});

const handlerOf = (handlers: TaskResourceLocalHandlers, name = 'Work') => {
  const handler = handlers[name];
  if (!handler) throw new Error(`no handler for ${name}`);
  return (input: unknown) => Promise.resolve(handler(input as JsonValue));
};

/** The handler of a one-Task machine that invokes FUNCTION_ARN through `invoker`. */
const lambdaTask = (invoker: LambdaInvoker) =>
  handlerOf(buildTaskBindings(machine({ Resource: FUNCTION_ARN }), ports({ invokeLambda: invoker })));

/** An invoker that fails as Lambda or the function would, with an error of that name. */
const throwing =
  (name: string, message: string): LambdaInvoker =>
  async () => {
    throw Object.assign(new Error(message), { name });
  };

const waitForTokenState: Partial<AslState> = {
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: FUNCTION_ARN, Payload: { 'taskToken.$': '$$.Task.Token', 'n.$': '$.n' } },
  HeartbeatSeconds: 2,
  TimeoutSeconds: 10,
};

afterEach(() => {
  vi.useRealTimers();
});

describe('buildTaskBindings', () => {
  it('binds every Task by name, nested Parallel and Map states included, and nothing else', () => {
    // Prepare
    const definition: AslStates = {
      StartAt: 'Outer',
      States: {
        Outer: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'InBranch',
              States: { InBranch: { Type: 'Task', Resource: FUNCTION_ARN, End: true } },
            },
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  ItemProcessor: {
                    StartAt: 'InMap',
                    States: {
                      InMap: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true },
                    },
                  },
                  End: true,
                },
              },
            },
          ],
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
      },
    };

    // Act
    const handlers = buildTaskBindings(definition, ports());

    // Assess
    expect(Object.keys(handlers).sort()).toEqual(['InBranch', 'InMap']);
  });

  it.each([
    ['an unknown service', 'arn:aws:states:::sns:publish'],
    ['an unbound DynamoDB action', 'arn:aws:states:::dynamodb:query'],
    ['an activity', 'arn:aws:states:eu-west-1:123456789012:activity:review'],
  ])('refuses %s when the bindings are built, naming the state and the resource', (_, resource) => {
    // Act & Assess
    expect(() => buildTaskBindings(machine({ Resource: resource }, 'Notify'), ports())).toThrow(
      `state "Notify": no local binding for resource "${resource}"`,
    );
  });

  it('refuses a callback task that does not pass the task token, and an asynchronous invocation type', () => {
    // Prepare
    const noToken = machine({
      ...waitForTokenState,
      Parameters: { FunctionName: FUNCTION_ARN, Payload: {} },
    });
    const eventInvoke = machine({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: FUNCTION_ARN, Payload: {}, InvocationType: 'Event' },
    });

    // Act & Assess
    expect(() => buildTaskBindings(noToken, ports())).toThrow('must pass $$.Task.Token');
    expect(() => buildTaskBindings(eventInvoke, ports())).toThrow(
      'InvocationType Event has no local binding',
    );
  });
});

describe('Lambda tasks', () => {
  it('invokes a function ARN with the task input and returns its JSON result', async () => {
    // Prepare
    const invoker = recordingInvoker(() => ({ value: 1, dropped: undefined }));
    const work = lambdaTask(invoker);

    // Act
    const result = await work({ document: { id: 'd1' } });

    // Assess
    expect(result).toEqual({ value: 1 });
    expect(invoker.calls).toEqual([[FUNCTION_ARN, { document: { id: 'd1' } }]]);
  });

  it('names a function error by its type, with the Lambda error payload as the Cause', async () => {
    // Prepare
    const work = lambdaTask(throwing('CorruptDocumentError', 'CORRUPT: truncated JPEG'));

    // Act
    const error = await failureOf(work({}));

    // Assess
    expect(error.name).toBe('CorruptDocumentError');
    expect(JSON.parse(error.message)).toMatchObject({
      errorType: 'CorruptDocumentError',
      errorMessage: 'CORRUPT: truncated JPEG',
      trace: expect.arrayContaining([expect.stringContaining('CORRUPT: truncated JPEG')]),
    });
  });

  it('keeps the message of a Lambda service error as its Cause', async () => {
    // Prepare
    const work = lambdaTask(throwing('Lambda.TooManyRequestsException', 'Rate exceeded'));

    // Act
    const error = await failureOf(work({}));

    // Assess
    expect([error.name, error.message]).toEqual(['Lambda.TooManyRequestsException', 'Rate exceeded']);
  });

  it('wraps a lambda:invoke result in Payload and StatusCode, as AWS does', async () => {
    // Prepare
    const invoker = recordingInvoker(() => ({ answer: 42 }));
    const definition = machine({
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: FUNCTION_ARN, 'Payload.$': '$' },
    });
    const work = handlerOf(buildTaskBindings(definition, ports({ invokeLambda: invoker })));

    // Act
    const result = await work({ FunctionName: FUNCTION_ARN, Payload: { question: '?' } });

    // Assess
    expect(result).toEqual({ ExecutedVersion: '$LATEST', Payload: { answer: 42 }, StatusCode: 200 });
    expect(invoker.calls).toEqual([[FUNCTION_ARN, { question: '?' }]]);
  });

  it.each([
    ['a function ARN', { Resource: FUNCTION_ARN }],
    [
      'lambda:invoke',
      {
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: FUNCTION_ARN, Payload: {} },
      },
    ],
  ])("passes the attempt's trace header to the function invoked through %s", async (_, state) => {
    // Prepare
    const headers: (string | undefined)[] = [];
    const invoker: LambdaInvoker = async (_arn, _payload, options) => {
      headers.push(options?.traceHeader);
      return {};
    };
    const handler = buildTaskBindings(machine(state), ports({ invokeLambda: invoker })).Work;
    const traceHeader = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const input = { FunctionName: FUNCTION_ARN, Payload: {} };

    // Act
    await handler?.(input, { traceHeader });
    await handler?.(input);

    // Assess
    expect(headers).toEqual([traceHeader, undefined]);
  });

  it('gives the Lambda service error its HTTP status, and a function error none', async () => {
    // Prepare
    const bindingFor = (name: string) => lambdaTask(throwing(name, 'refused'));

    // Act
    const throttled = await failureOf(bindingFor('Lambda.TooManyRequestsException')({}));
    const missing = await failureOf(bindingFor('Lambda.ResourceNotFoundException')({}));
    const own = await failureOf(bindingFor('CorruptDocumentError')({}));

    // Assess
    expect([throttled, missing, own].map((error) => (error as { httpStatus?: number }).httpStatus)).toEqual([
      429,
      404,
      undefined,
    ]);
  });

  it('fails a result over 256 KiB with States.DataLimitExceeded, which no Catch may handle', async () => {
    // Prepare
    const invoker = recordingInvoker(() => ({ text: 'x'.repeat(300 * 1024) }));
    const work = lambdaTask(invoker);

    // Act
    const error = await failureOf<Error & { isCatchable?: boolean }>(work({}));

    // Assess
    expect(error.name).toBe('States.DataLimitExceeded');
    expect(error.isCatchable).toBe(false);
  });
});

/** Starts the waitForTaskToken state with a function that answers nothing: only the token can end it. */
const startWaitingTask = () => {
  const taskTokens = new TaskTokens();
  const invoker = recordingInvoker(() => null);
  const work = handlerOf(
    buildTaskBindings(machine(waitForTokenState), ports({ invokeLambda: invoker, taskTokens })),
  );
  const failure = failureOf(
    work({ FunctionName: FUNCTION_ARN, Payload: { taskToken: TASK_TOKEN_PLACEHOLDER } }),
  );
  return { taskTokens, invoker, failure };
};

describe('lambda:invoke.waitForTaskToken tasks', () => {
  it('invokes with a fresh token in place of $$.Task.Token and returns what SendTaskSuccess sends', async () => {
    // Prepare
    const taskTokens = new TaskTokens();
    const invoker = recordingInvoker((_, payload) => {
      const { taskToken } = payload as { taskToken: string };
      // The worker answers before its own invocation returns: the token must already be waiting.
      taskTokens.succeed(taskToken, { text: { key: 'text/d1.json' } });
      return null;
    });
    const work = handlerOf(
      buildTaskBindings(machine(waitForTokenState), ports({ invokeLambda: invoker, taskTokens })),
    );
    const input = { FunctionName: FUNCTION_ARN, Payload: { taskToken: TASK_TOKEN_PLACEHOLDER, n: 1 } };

    // Act
    const first = await work(input);
    const second = await work(input);

    // Assess
    expect(first).toEqual({ text: { key: 'text/d1.json' } });
    expect(second).toEqual(first);
    const tokens = invoker.calls.map(([, payload]) => (payload as { taskToken: string }).taskToken);
    expect(tokens[0]).not.toBe(TASK_TOKEN_PLACEHOLDER);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(invoker.calls[0]?.[1]).toEqual({ taskToken: tokens[0], n: 1 });
    expect(taskTokens.pendingCount).toBe(0);
  });

  it('fails with the error and cause of SendTaskFailure', async () => {
    // Prepare
    const taskTokens = new TaskTokens();
    const invoker = recordingInvoker((_, payload) => {
      setTimeout(() =>
        taskTokens.fail((payload as { taskToken: string }).taskToken, 'TextractJobFailed', 'bad page'),
      );
      return null;
    });
    const work = handlerOf(
      buildTaskBindings(machine(waitForTokenState), ports({ invokeLambda: invoker, taskTokens })),
    );

    // Act
    const error = await failureOf(
      work({ FunctionName: FUNCTION_ARN, Payload: { taskToken: TASK_TOKEN_PLACEHOLDER } }),
    );

    // Assess
    expect([error.name, error.message]).toEqual(['TextractJobFailed', 'bad page']);
  });

  it('fails with the function error when the invocation fails, and refuses the token afterwards', async () => {
    // Prepare
    const taskTokens = new TaskTokens();
    let token = '';
    const invoker: LambdaInvoker = async (_, payload) => {
      token = (payload as { taskToken: string }).taskToken;
      throw Object.assign(new Error('slow down'), { name: 'TextractThrottledError' });
    };
    const work = handlerOf(
      buildTaskBindings(machine(waitForTokenState), ports({ invokeLambda: invoker, taskTokens })),
    );

    // Act
    const error = await failureOf(
      work({ FunctionName: FUNCTION_ARN, Payload: { taskToken: TASK_TOKEN_PLACEHOLDER } }),
    );

    // Assess
    expect(error.name).toBe('TextractThrottledError');
    expect(() => taskTokens.succeed(token, {})).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(taskTokens.pendingCount).toBe(0);
  });

  it('fails with States.HeartbeatTimeout when no heartbeat arrives within HeartbeatSeconds', async () => {
    // Prepare
    vi.useFakeTimers();
    const { taskTokens, invoker, failure } = startWaitingTask();
    await vi.advanceTimersByTimeAsync(1_500);
    const taskToken = tokenOfCall(invoker, 0);
    taskTokens.heartbeat(taskToken);

    // Act
    await vi.advanceTimersByTimeAsync(1_900);
    const stillPending = taskTokens.pendingCount;
    await vi.advanceTimersByTimeAsync(200);

    // Assess
    expect(stillPending).toBe(1);
    expect((await failure).name).toBe('States.HeartbeatTimeout');
  });

  it('fails with States.Timeout after TimeoutSeconds even while heartbeats arrive', async () => {
    // Prepare
    vi.useFakeTimers();
    const { taskTokens, invoker, failure } = startWaitingTask();
    await vi.advanceTimersByTimeAsync(0);
    const taskToken = tokenOfCall(invoker, 0);

    // Act
    for (let second = 1; second <= 10; second += 1) {
      if (taskTokens.pendingCount > 0) taskTokens.heartbeat(taskToken);
      await vi.advanceTimersByTimeAsync(1_000);
    }

    // Assess
    expect((await failure).name).toBe('States.Timeout');
  });
});

describe('TaskTokens', () => {
  it('refuses callbacks for unknown and for finished tasks with the Step Functions error names', () => {
    // Prepare
    const taskTokens = new TaskTokens();
    const token = taskTokens.issue();
    taskTokens.succeed(token, { done: true });

    // Act & Assess
    expect(() => taskTokens.heartbeat('not-a-token')).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    expect(() => taskTokens.fail(token, 'E', 'C')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(taskTokens.pendingCount).toBe(0);
  });

  it('gives the output to the waiter, then closes the token', async () => {
    // Prepare
    const taskTokens = new TaskTokens();
    const token = taskTokens.issue({ heartbeatSeconds: 60 });
    const result = taskTokens.waitFor(token);

    // Act
    taskTokens.succeed(token, { done: true });

    // Assess
    await expect(result).resolves.toEqual({ done: true });
    expect(() => taskTokens.waitFor(token)).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });
});

describe('DynamoDB tasks', () => {
  it('sends the task parameters as the API request and returns the response without SDK metadata', async () => {
    // Prepare
    const p = ports();
    const dynamodb = mockClient(p.dynamodb);
    dynamodb.on(UpdateItemCommand).resolves({ Attributes: { status: { S: 'PROCESSING' } } });
    const parameters = {
      TableName: 'metadata',
      Key: { documentId: { S: 'd1' } },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'PROCESSING' } },
    };
    const work = handlerOf(
      buildTaskBindings(machine({ Resource: 'arn:aws:states:::dynamodb:updateItem' }), p),
    );

    // Act
    const result = await work(parameters);

    // Assess
    expect(result).toEqual({ Attributes: { status: { S: 'PROCESSING' } } });
    expect(dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input)).toEqual([parameters]);
  });

  it('prefixes a modeled exception with DynamoDB. and names the others AmazonDynamoDBException', async () => {
    // Prepare
    const p = ports();
    const dynamodb = mockClient(p.dynamodb);
    dynamodb
      .on(PutItemCommand)
      .rejectsOnce(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: { httpStatusCode: 400, requestId: 'REQ1' },
        }),
      )
      .rejectsOnce(
        new DynamoDBServiceException({
          name: 'ValidationException',
          $fault: 'client',
          message: 'Invalid UpdateExpression',
          $metadata: { httpStatusCode: 400, requestId: 'REQ2' },
        }),
      );
    const work = handlerOf(buildTaskBindings(machine({ Resource: 'arn:aws:states:::dynamodb:putItem' }), p));

    // Act
    const conditional = await failureOf(work({ TableName: 'metadata', Item: {} }));
    const validation = await failureOf(work({ TableName: 'metadata', Item: {} }));

    // Assess
    expect(conditional.name).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(conditional.message).toBe(
      'The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: REQ1; Proxy: null)',
    );
    expect(validation.name).toBe('DynamoDB.AmazonDynamoDBException');
    expect(validation.message).toContain('Error Code: ValidationException');
  });
});

describe('SQS tasks', () => {
  it('serializes a JSON MessageBody and passes a string body as it is', async () => {
    // Prepare
    const p = ports();
    const sqs = mockClient(p.sqs);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1', MD5OfMessageBody: 'abc' });
    const work = handlerOf(buildTaskBindings(machine({ Resource: 'arn:aws:states:::sqs:sendMessage' }), p));

    // Act
    const result = await work({
      QueueUrl: 'https://queue',
      MessageBody: { input: { document: { id: 'd1' } } },
    });
    await work({ QueueUrl: 'https://queue', MessageBody: 'plain' });

    // Assess
    expect(result).toEqual({ MessageId: 'm1', MD5OfMessageBody: 'abc' });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: 'https://queue', MessageBody: '{"input":{"document":{"id":"d1"}}}' },
      { QueueUrl: 'https://queue', MessageBody: 'plain' },
    ]);
  });

  it('prefixes SQS errors with SQS.', async () => {
    // Prepare
    const p = ports();
    mockClient(p.sqs)
      .on(SendMessageCommand)
      .rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    const work = handlerOf(buildTaskBindings(machine({ Resource: 'arn:aws:states:::sqs:sendMessage' }), p));

    // Act
    const error = await failureOf(work({ QueueUrl: 'https://queue', MessageBody: 'x' }));

    // Assess
    expect(error.name).toBe('SQS.QueueDoesNotExist');
    expect(error.message).toMatch(/^The specified queue does not exist\. \(Service: AmazonSQS;/);
  });
});
