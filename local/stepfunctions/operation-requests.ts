import { z } from 'zod';
import { lengthError, StepFunctionsApiError } from './api-errors';

/** Step Functions limits on payloads (input, output, callback output): 256 KiB. */
const MAX_PAYLOAD_CHARS = 262_144;
/** Step Functions' limits on other request fields, in characters. */
export const MAX_TRACE_HEADER = 256;
export const MAX_ERROR = 256;
export const MAX_CAUSE = 32_768;
export const MAX_TOKEN = 2048;
/** List operations' page sizes. */
export const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** Task tokens this service issues are base64url; anything else cannot be one of them. */
export const TOKEN_ALPHABET = /^[A-Za-z0-9_-]+$/;

/** A request checked against its schema, or the ValidationException AWS answers for its first fault. */
export const parse = <T extends z.ZodType>(schema: T, input: unknown): z.infer<T> => {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const missing = issue?.code === 'invalid_type' && issue.input === undefined;
  throw new StepFunctionsApiError(
    'ValidationException',
    missing
      ? `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`
      : `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
  );
};

const pageSize = z.number().int().min(0).max(MAX_PAGE).optional();

/** Input and output are JSON of at most 256 KiB; AWS names the fault by the field. */
export const assertJson = (
  value: string,
  name: 'InvalidExecutionInput' | 'InvalidOutput',
  field: string,
): void => {
  if (value.length > MAX_PAYLOAD_CHARS) throw lengthError(field, `${value.slice(0, 32)}…`, MAX_PAYLOAD_CHARS);
  try {
    JSON.parse(value);
  } catch {
    throw new StepFunctionsApiError(
      name,
      `Invalid ${field === 'input' ? 'State Machine Execution Input' : 'Output'}: '${value.slice(0, 256)}'`,
    );
  }
};

/** A field over its length limit is AWS's length ValidationException. */
export const assertMax = (field: string, value: string | undefined, max: number): void => {
  if (value !== undefined && value.length > max) throw lengthError(field, value, max);
};

/** Opaque pagination tokens: the position, bound to what was listed. */
export const encodeToken = (value: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** A pagination token of `kind` that passes `check`, or AWS's InvalidToken. */
export const decodeToken = <T>(token: string, kind: string, check: (value: T) => boolean): T => {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T & { k?: string };
    if (value.k === kind && check(value)) return value;
  } catch {
    // Falls through to the same answer as a token for something else.
  }
  throw new StepFunctionsApiError('InvalidToken', `Invalid Token: '${token}'`);
};

/** The request of each operation, as the SDK sends it; anything else is a ValidationException. */
export const schemas = {
  CreateStateMachine: z.object({
    name: z.string(),
    definition: z.string(),
    roleArn: z.string(),
    type: z.string().optional(),
    tracingConfiguration: z.object({ enabled: z.boolean().optional() }).optional(),
  }),
  UpdateStateMachine: z.object({
    stateMachineArn: z.string(),
    definition: z.string().optional(),
    roleArn: z.string().optional(),
    tracingConfiguration: z.object({ enabled: z.boolean().optional() }).optional(),
  }),
  DescribeStateMachine: z.object({ stateMachineArn: z.string() }),
  ListStateMachines: z.object({ maxResults: pageSize, nextToken: z.string().optional() }),
  DescribeStateMachineForExecution: z.object({ executionArn: z.string() }),
  StartExecution: z.object({
    stateMachineArn: z.string(),
    name: z.string().optional(),
    input: z.string().optional(),
    traceHeader: z.string().optional(),
  }),
  DescribeExecution: z.object({
    executionArn: z.string(),
    includedData: z.enum(['ALL_DATA', 'METADATA_ONLY']).optional(),
  }),
  ListExecutions: z.object({
    stateMachineArn: z.string(),
    statusFilter: z
      .enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'])
      .optional(),
    maxResults: pageSize,
    nextToken: z.string().optional(),
  }),
  GetExecutionHistory: z.object({
    executionArn: z.string(),
    maxResults: pageSize,
    reverseOrder: z.boolean().optional(),
    nextToken: z.string().optional(),
    includeExecutionData: z.boolean().optional(),
  }),
  StopExecution: z.object({
    executionArn: z.string(),
    error: z.string().optional(),
    cause: z.string().optional(),
  }),
  RedriveExecution: z.object({ executionArn: z.string(), clientToken: z.string().optional() }),
  SendTaskSuccess: z.object({ taskToken: z.string(), output: z.string() }),
  SendTaskFailure: z.object({
    taskToken: z.string(),
    error: z.string().optional(),
    cause: z.string().optional(),
  }),
  SendTaskHeartbeat: z.object({ taskToken: z.string() }),
} as const;

/** The operations this service answers (`X-Amz-Target: AWSStepFunctions.<operation>`). */
export type OperationName = keyof typeof schemas;

export const isOperationName = (name: string): name is OperationName => Object.hasOwn(schemas, name);
