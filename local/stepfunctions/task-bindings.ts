import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  SendMessageCommand,
  type SendMessageCommandInput,
  type SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import type { RunOptions } from 'aws-local-stepfunctions';
import { type AslState, type AslStates, listStates } from './asl';
import { TASK_TOKEN_PLACEHOLDER } from './context-object';
import { TaskFailedError, UnhandleableTaskError } from './task-error';
import type { TaskTokens } from './task-tokens';

/** The `overrides.taskResourceLocalHandlers` map of aws-local-stepfunctions: state name → handler. */
export type TaskResourceLocalHandlers = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>;
type JsonValue = Parameters<TaskResourceLocalHandlers[string]>[0];

/** What an invocation carries besides its payload. */
export interface LambdaInvokeOptions {
  /**
   * The X-Ray header the invocation continues (`Root=…;Parent=…;Sampled=…`): for a traced execution,
   * its trace id and the id of the Task attempt's subsegment, so the function's segments nest under it.
   */
  readonly traceHeader?: string;
}

/**
 * Invokes a Lambda function synchronously (RequestResponse) and resolves with its result. When the
 * function fails it rejects with an Error whose `name` is the Lambda `errorType` and whose `message`
 * is the `errorMessage`; Lambda service failures are named like Step Functions names them
 * (`Lambda.ServiceException`, `Lambda.TooManyRequestsException`, …).
 */
export type LambdaInvoker = (
  functionArn: string,
  payload: unknown,
  options?: LambdaInvokeOptions,
) => Promise<unknown>;

/** What the engine knows of one Task invocation that its binding passes on downstream. */
export interface TaskCallContext {
  /** The X-Ray header of this attempt, passed to a Lambda function it invokes. */
  readonly traceHeader?: string;
}

/**
 * One Task's local handler. It is an aws-local-stepfunctions `taskResourceLocalHandlers` entry (the
 * interpreter calls it with the input alone); the engine also passes the attempt's context.
 */
export type TaskBinding = (input: JsonValue, context?: TaskCallContext) => Promise<JsonValue>;

/** The bindings of a definition, by state name. */
export type TaskBindings = Record<string, TaskBinding>;

/** What the bindings call. */
export interface TaskBindingPorts {
  readonly invokeLambda: LambdaInvoker;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly taskTokens: TaskTokens;
}

/** AWS limit on a state's input or output (and so on a task result). */
const MAX_PAYLOAD_BYTES = 256 * 1024;

const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const DYNAMODB_PREFIX = 'arn:aws:states:::dynamodb:';
const SQS_SEND_MESSAGE = 'arn:aws:states:::sqs:sendMessage';

/**
 * Builds the local handlers of every Task state of a definition (nested branches included), from
 * each Task's `Resource`: Lambda functions (plain ARN, `lambda:invoke`, `lambda:invoke.waitForTaskToken`),
 * DynamoDB `getItem`/`putItem`/`updateItem`/`deleteItem` and SQS `sendMessage`, with results and error
 * names shaped as Step Functions shapes them. A Resource with no binding fails here, naming the state,
 * rather than in the middle of an execution.
 */
export const buildTaskBindings = (definition: AslStates, ports: TaskBindingPorts): TaskBindings => {
  const handlers: TaskBindings = {};
  for (const { name, state } of listStates(definition)) {
    if (state.Type !== 'Task') continue;
    const handler = bindTask(name, state, ports);
    handlers[name] = async (input, context) => limitResult(name, await handler(input, context));
  }
  return handlers;
};

const bindTask = (name: string, state: AslState, ports: TaskBindingPorts): TaskBinding => {
  const resource = state.Resource ?? '';
  if (LAMBDA_FUNCTION_ARN.test(resource)) {
    return (input, context) => invokeFunction(ports.invokeLambda, resource, input, context);
  }
  if (resource === LAMBDA_INVOKE) {
    requireLambdaInvokeParameters(name, state);
    return async (input, context) => {
      const { functionName, payload } = lambdaInvokeParameters(name, input);
      return {
        ExecutedVersion: '$LATEST',
        Payload: await invokeFunction(ports.invokeLambda, functionName, payload, context),
        StatusCode: 200,
      };
    };
  }
  if (resource === LAMBDA_INVOKE_WAIT) {
    requireLambdaInvokeParameters(name, state);
    if (!JSON.stringify(state.Parameters).includes('"$$.Task.Token"')) {
      throw new Error(`state "${name}": a .waitForTaskToken task must pass $$.Task.Token`);
    }
    return (input, context) => invokeAndWaitForToken(name, state, ports, input, context);
  }
  if (resource.startsWith(DYNAMODB_PREFIX)) {
    const action = resource.slice(DYNAMODB_PREFIX.length);
    if (!isDynamoDbAction(action)) throw unsupported(name, resource);
    return (input) => callDynamoDb(ports.dynamodb, action, input);
  }
  if (resource === SQS_SEND_MESSAGE) {
    return (input) => sendMessage(ports.sqs, input);
  }
  throw unsupported(name, resource);
};

const unsupported = (name: string, resource: string): Error =>
  new Error(`state "${name}": no local binding for resource "${resource}"`);

const toJson = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value ?? null)) as JsonValue;

/** AWS fails a state whose result is over 256 KiB with `States.DataLimitExceeded`, which nothing catches. */
const limitResult = (name: string, result: JsonValue): JsonValue => {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new UnhandleableTaskError(
      'States.DataLimitExceeded',
      `the result of state "${name}" is ${bytes} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`,
    );
  }
  return result;
};

const invokeFunction = async (
  invoke: LambdaInvoker,
  functionArn: string,
  payload: unknown,
  context: TaskCallContext | undefined,
): Promise<JsonValue> => {
  try {
    const options = context?.traceHeader === undefined ? undefined : { traceHeader: context.traceHeader };
    return toJson(await (options ? invoke(functionArn, payload, options) : invoke(functionArn, payload)));
  } catch (error) {
    throw lambdaTaskError(error);
  }
};

/** HTTP statuses of the Lambda Invoke API's errors (its API reference), for the X-Ray attempt. */
const LAMBDA_ERROR_STATUS: Readonly<Record<string, number>> = {
  'Lambda.InvalidParameterValueException': 400,
  'Lambda.InvalidRequestContentException': 400,
  'Lambda.ResourceNotFoundException': 404,
  'Lambda.ResourceConflictException': 409,
  'Lambda.RequestTooLargeException': 413,
  'Lambda.UnsupportedMediaTypeException': 415,
  'Lambda.TooManyRequestsException': 429,
  'Lambda.ServiceException': 500,
  'Lambda.ResourceNotReadyException': 502,
};

/**
 * A function error becomes the Task error named by its `errorType`, with AWS's Cause: the function's
 * error payload as a JSON string (`{"errorType","errorMessage","trace"}`). Lambda service errors
 * (`Lambda.*`) and Step Functions' own (`States.*`) keep their message as the Cause.
 */
const lambdaTaskError = (error: unknown): TaskFailedError => {
  if (error instanceof TaskFailedError) return error;
  if (!(error instanceof Error)) return new TaskFailedError('Lambda.Unknown', String(error));
  if (/^(Lambda|States)\./.test(error.name)) {
    return new TaskFailedError(error.name, error.message, LAMBDA_ERROR_STATUS[error.name]);
  }
  const cause = { errorType: error.name, errorMessage: error.message, trace: error.stack?.split('\n') ?? [] };
  return new TaskFailedError(error.name, JSON.stringify(cause));
};

const requireLambdaInvokeParameters = (name: string, state: AslState): void => {
  const parameters = isObject(state.Parameters) ? state.Parameters : {};
  const has = (field: string): boolean => field in parameters || `${field}.$` in parameters;
  if (!has('FunctionName') || !has('Payload')) {
    throw new Error(`state "${name}": a lambda:invoke task needs FunctionName and Payload parameters`);
  }
  const invocationType = parameters.InvocationType;
  if (invocationType !== undefined && invocationType !== 'RequestResponse') {
    throw new Error(`state "${name}": InvocationType ${String(invocationType)} has no local binding`);
  }
};

const lambdaInvokeParameters = (
  name: string,
  input: JsonValue,
): { functionName: string; payload: JsonValue } => {
  if (!isObject(input) || typeof input.FunctionName !== 'string') {
    throw new UnhandleableTaskError(
      'States.Runtime',
      `state "${name}": FunctionName must resolve to a string`,
    );
  }
  return { functionName: input.FunctionName, payload: (input.Payload ?? null) as JsonValue };
};

/**
 * `lambda:invoke.waitForTaskToken`: the token is registered first (the function may call back before
 * its invocation returns), then the function is invoked with the token in place of the
 * `$$.Task.Token` marker; the task's result is what SendTaskSuccess sends.
 */
const invokeAndWaitForToken = async (
  name: string,
  state: AslState,
  ports: TaskBindingPorts,
  input: JsonValue,
  context: TaskCallContext | undefined,
): Promise<JsonValue> => {
  const { functionName, payload } = lambdaInvokeParameters(name, input);
  const token = ports.taskTokens.issue({
    ...(state.HeartbeatSeconds ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
    ...(state.TimeoutSeconds ? { timeoutSeconds: state.TimeoutSeconds } : {}),
  });
  const settled = ports.taskTokens.waitFor(token);
  try {
    await invokeFunction(ports.invokeLambda, functionName, replaceTokenPlaceholder(payload, token), context);
  } catch (error) {
    ports.taskTokens.cancel(token);
    throw error;
  }
  return toJson(await settled);
};

const replaceTokenPlaceholder = (value: JsonValue, token: string): JsonValue => {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => replaceTokenPlaceholder(item, token));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceTokenPlaceholder(item, token)]),
    ) as JsonValue;
  }
  return value;
};

const DYNAMODB_ACTIONS = {
  getItem: (client: DynamoDBClient, input: unknown) =>
    client.send(new GetItemCommand(input as GetItemCommandInput)),
  putItem: (client: DynamoDBClient, input: unknown) =>
    client.send(new PutItemCommand(input as PutItemCommandInput)),
  updateItem: (client: DynamoDBClient, input: unknown) =>
    client.send(new UpdateItemCommand(input as UpdateItemCommandInput)),
  deleteItem: (client: DynamoDBClient, input: unknown) =>
    client.send(new DeleteItemCommand(input as DeleteItemCommandInput)),
} as const;
type DynamoDbAction = keyof typeof DYNAMODB_ACTIONS;

const isDynamoDbAction = (action: string): action is DynamoDbAction =>
  Object.hasOwn(DYNAMODB_ACTIONS, action);

/** How Step Functions names one integrated service's errors (see {@link serviceTaskError}). */
interface IntegratedService {
  readonly prefix: string;
  readonly service: string;
  readonly base: { readonly prototype: object };
  readonly fallback: string;
}

const DYNAMODB: IntegratedService = {
  prefix: 'DynamoDB',
  service: 'AmazonDynamoDBv2',
  base: DynamoDBServiceException,
  fallback: 'AmazonDynamoDBException',
};

const SQS: IntegratedService = {
  prefix: 'SQS',
  service: 'AmazonSQS',
  base: SQSServiceException,
  fallback: 'AmazonSQSException',
};

/**
 * One call of an optimized integration: the API's response out (without the SDK's `$metadata`), its
 * errors named as Step Functions names them.
 */
const callService = async (
  service: IntegratedService,
  call: () => Promise<{ readonly $metadata: unknown }>,
): Promise<JsonValue> => {
  try {
    const { $metadata: _, ...output } = await call();
    return toJson(output);
  } catch (error) {
    throw serviceTaskError(error, service);
  }
};

/** The optimized DynamoDB integration: the API's own parameters in, the API's response out. */
const callDynamoDb = (client: DynamoDBClient, action: DynamoDbAction, input: JsonValue): Promise<JsonValue> =>
  callService(DYNAMODB, () => DYNAMODB_ACTIONS[action](client, input));

/** The SQS integration serializes a JSON MessageBody, as Step Functions does. */
const sendMessage = async (client: SQSClient, input: JsonValue): Promise<JsonValue> => {
  if (!isObject(input))
    throw new UnhandleableTaskError('States.Runtime', 'sqs:sendMessage parameters must be an object');
  const body = input.MessageBody;
  const parameters = { ...input, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) };
  return callService(SQS, () =>
    client.send(new SendMessageCommand(parameters as unknown as SendMessageCommandInput)),
  );
};

/**
 * Step Functions names a service integration's error `<Service>.<exception>` when the SDK models the
 * exception (`DynamoDB.ConditionalCheckFailedException`) and `<Service>.<Service>Exception` otherwise
 * (a ValidationException surfaces as `DynamoDB.AmazonDynamoDBException`); the Cause is the message
 * followed by the Java SDK's request summary.
 */
const serviceTaskError = (error: unknown, service: IntegratedService): TaskFailedError => {
  const fallback = `${service.prefix}.${service.fallback}`;
  if (!(error instanceof Error)) return new TaskFailedError(fallback, String(error));
  if (!('$metadata' in error)) return new TaskFailedError(fallback, error.message);
  const modeled = Object.getPrototypeOf(error) !== service.base.prototype;
  const metadata = (error.$metadata ?? {}) as { httpStatusCode?: number; requestId?: string };
  const cause =
    `${error.message} (Service: ${service.service}; Status Code: ${metadata.httpStatusCode ?? 'unknown'}; ` +
    `Error Code: ${error.name}; Request ID: ${metadata.requestId ?? 'unknown'}; Proxy: null)`;
  return new TaskFailedError(
    modeled ? `${service.prefix}.${error.name}` : fallback,
    cause,
    metadata.httpStatusCode,
  );
};

const isObject = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
