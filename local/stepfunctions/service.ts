import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsJsonHandler } from '../http/aws-json-protocol';
import { serveHttp } from '../http/listen';
import type { RequestHandler } from '../http/proxy';
import type { SegmentSink } from '../xray/trace-header';
import { StepFunctionsApiError } from './api-errors';
import type { Partition } from './arns';
import type { WaitOverrides } from './compiled-definition';
import { ExecutionEngine, ExecutionTaskTokens } from './execution-engine';
import { ExecutionStore } from './execution-store';
import { isOperationName } from './operation-requests';
import { type StateMachineRegistration, StepFunctionsApi } from './operations';
import type { ExecutionEventSink } from './status-change-events';
import type { LambdaInvoker } from './task-bindings';

/** `X-Amz-Target` prefix of Step Functions calls: how a shared endpoint tells them from other services'. */
export const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions.';

/** Definitions go up to 1 MB and payloads to 256 KiB; nothing legitimate is near this. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface LocalStepFunctionsOptions {
  /** Invokes the Lambda functions that Task states name (the local Lambda runner). */
  readonly invokeLambda: LambdaInvoker;
  /** Endpoints the `dynamodb:*` and `sqs:sendMessage` integrations call (the emulators, or the gateway). */
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  /** Folder of the on-disk state (`stepfunctions.sqlite`); in memory when absent. */
  readonly dataDir?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** Credentials for the emulator clients. @default local dummies */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Shorter retry and Wait-state waits, for tests. @default the definition's own */
  readonly waits?: WaitOverrides;
  /** How long `stop()` waits for running executions before leaving them to resume. @default 3000 */
  readonly drainTimeoutMs?: number;
  /**
   * Where traced executions (tracing enabled, or started with a `Sampled=1` trace header) write the
   * segments Step Functions writes to X-Ray. @default none: no segments are written
   */
  readonly segments?: SegmentSink;
  /**
   * Where every execution status change goes, as the "Step Functions Execution Status Change" event
   * Step Functions sends to EventBridge (the local EventBridge's default bus). @default nowhere
   */
  readonly events?: ExecutionEventSink;
  readonly logger?: Pick<Console, 'warn'>;
}

/** The local Step Functions without a listening socket: mount `handler` on any node:http server. */
export interface LocalStepFunctions {
  readonly api: StepFunctionsApi;
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Creates a state machine, or updates the one of that name (the template deployer's path). */
  registerStateMachine(registration: StateMachineRegistration): { stateMachineArn: string };
  /**
   * Runs again from the start every execution that was RUNNING when the service last stopped.
   * Call it once the Lambda functions and emulators the definitions use are up. Returns how many.
   */
  resumeInterrupted(): number;
  /** Resolves when the execution's current run has ended (at once when it is not running). */
  settled(executionArn: string): Promise<void>;
  /**
   * Stops taking executions, waits up to `drainTimeoutMs` for the running ones, leaves the others
   * RUNNING on disk (they resume on the next start) and closes the store.
   */
  stop(): Promise<void>;
}

export interface RunningLocalStepFunctions extends LocalStepFunctions {
  /** `http://127.0.0.1:<port>`: give it to `SFNClient` as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
}

/**
 * A node:http request handler speaking Step Functions' AWS JSON 1.0 protocol (`POST /`,
 * `X-Amz-Target: AWSStepFunctions.<Operation>`, errors as `{"__type","message"}` with HTTP 400).
 * It reads nothing but the target header and the body, so it works behind a gateway that routes
 * by the SigV4 credential scope (`states`). Signatures are not checked.
 */
export const createStepFunctionsRequestHandler = (
  api: StepFunctionsApi,
  logger?: Pick<Console, 'warn'>,
): RequestHandler =>
  awsJsonHandler({
    targetPrefix: STEP_FUNCTIONS_TARGET_PREFIX,
    contentType: 'application/x-amz-json-1.0',
    maxBodyBytes: MAX_BODY_BYTES,
    isOperation: isOperationName,
    call: (operation, input) => api.call(operation, input),
    errorOf: (error, operation) => {
      if (error instanceof StepFunctionsApiError) return error;
      if (operation !== undefined) {
        logger?.warn(`local Step Functions: ${operation} failed: ${(error as Error).stack ?? String(error)}`);
      }
      return { name: 'InternalServerError', message: 'Internal server error', status: 500 };
    },
    tooLarge: (maxBodyBytes) => ({
      name: 'ValidationException',
      message: `The request is larger than ${maxBodyBytes} bytes`,
    }),
    unknownOperation: (target) => ({
      name: 'UnknownOperationException',
      message: `Unknown operation ${String(target)}`,
    }),
  });

/**
 * Builds the local Step Functions: opens the store in `dataDir` (state machines, executions and
 * histories from earlier runs included) and the engine. Executions left RUNNING by a previous
 * process wait for `resumeInterrupted()`.
 */
export const createLocalStepFunctions = (options: LocalStepFunctionsOptions): LocalStepFunctions => {
  const partition: Partition = {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
  };
  const clientConfig = {
    region: partition.region,
    credentials: options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' },
    // Only the definition's Retry decides how often a service integration is tried.
    maxAttempts: 1,
  };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: options.endpoints.dynamodb });
  const sqs = new SQSClient({
    ...clientConfig,
    endpoint: options.endpoints.sqs,
    useQueueUrlAsEndpoint: false,
  });
  const store = new ExecutionStore(options.dataDir);
  const taskTokens = new ExecutionTaskTokens();
  const engine = new ExecutionEngine({
    store,
    taskTokens,
    partition,
    ports: { invokeLambda: options.invokeLambda, dynamodb, sqs },
    ...(options.waits ? { waits: options.waits } : {}),
    ...(options.segments ? { segments: options.segments } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const api = new StepFunctionsApi({ store, engine, taskTokens, partition });
  let stopping: Promise<void> | undefined;
  return {
    api,
    handler: createStepFunctionsRequestHandler(api, options.logger),
    registerStateMachine: (registration) => api.register(registration),
    resumeInterrupted: () => engine.resumeInterrupted(),
    settled: (executionArn) => engine.settled(executionArn),
    stop: () => {
      stopping ??= (async () => {
        await engine.close(options.drainTimeoutMs ?? 3000);
        store.close();
        dynamodb.destroy();
        sqs.destroy();
      })();
      return stopping;
    },
  };
};

/**
 * Starts the local Step Functions on 127.0.0.1 (a free port unless `port` is given) and, unless
 * `resumeInterrupted` is false, resumes the executions a previous process left running.
 */
export const startLocalStepFunctions = async (
  options: LocalStepFunctionsOptions & { readonly port?: number; readonly resumeInterrupted?: boolean },
): Promise<RunningLocalStepFunctions> => {
  const service = createLocalStepFunctions(options);
  const served = await serveHttp(service.handler, {
    port: options.port ?? 0,
    host: '127.0.0.1',
    service: 'the local Step Functions',
  }).catch(async (error: unknown) => {
    await service.stop();
    throw error;
  });
  if (options.resumeInterrupted ?? true) service.resumeInterrupted();
  return {
    ...service,
    endpoint: served.endpoint,
    port: served.port,
    stop: async () => {
      await service.stop();
      await served.stop();
    },
  };
};
