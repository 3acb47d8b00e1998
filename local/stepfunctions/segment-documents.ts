import { epochSeconds, newEntityId, type SegmentSink } from '../xray/trace-header';
import type { TaskResource } from './compiled-definition';
import type { TaskCall } from './run-events';
import { TaskFailedError } from './task-error';

/*
 * The X-Ray document fields Step Functions writes for an execution: segment names, exceptions and
 * failure flags, the AWS call a Task attempt makes, and the close of documents a stopped run left open.
 */

/** The failure fields of an X-Ray entity: flags, and the cause (an exception, or a child's exception id). */
export interface Failure {
  readonly error?: true;
  readonly throttle?: true;
  readonly fault?: true;
  readonly cause: { readonly exceptions: readonly Record<string, unknown>[] } | string;
}

/** An X-Ray exception message is kept short: a document is capped at 64 KiB and causes reach 32 KiB. */
const MAX_MESSAGE = 1024;

/**
 * X-Ray takes segment names of letters, numbers, white space and `_ . : / % & # = + \ - @`; a state
 * machine name may also hold `!`, `'`, `(`, …, which become `_`.
 */
export const segmentNameOf = (stateMachineName: string): string =>
  stateMachineName.replace(/[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/gu, '_').slice(0, 200);

/** An exception of a `cause`, its message cut to {@link MAX_MESSAGE}; `remote` when a called service threw it. */
export const exceptionOf = (type: string, message: string, remote: boolean): Record<string, unknown> => ({
  id: newEntityId(),
  type,
  message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message,
  ...(remote ? { remote: true } : {}),
});

/**
 * How a failed attempt is flagged, as X-Ray flags a call by its HTTP status: a 429 is a throttle (and
 * an error), another 4xx an error, anything else — a function error (Lambda answers 200 with
 * `X-Amz-Function-Error`, and the function's own segment is a fault), a 5xx, a timeout — a fault.
 */
export const attemptFailure = (call: TaskCall | undefined, error: string, cause: string): Failure => {
  const thrown = call?.outcome?.ok === false ? call.outcome.error : undefined;
  const status = thrown instanceof TaskFailedError ? thrown.httpStatus : undefined;
  const exceptions = [exceptionOf(error, cause, true)];
  if (status === 429) return { error: true, throttle: true, cause: { exceptions } };
  if (status !== undefined && status >= 400 && status < 500) return { error: true, cause: { exceptions } };
  return { fault: true, cause: { exceptions } };
};

/** The flags of a failure without its cause (a parent names a child's exception id instead). */
export const failureFlags = (failure: Failure): Omit<Failure, 'cause'> => ({
  ...(failure.error ? { error: true } : {}),
  ...(failure.throttle ? { throttle: true } : {}),
  ...(failure.fault ? { fault: true } : {}),
});

/** The first exception id of a failure, which a parent names as its own cause. */
export const exceptionIdOf = (failure: Failure): string | undefined =>
  typeof failure.cause === 'string' ? failure.cause : (failure.cause.exceptions[0]?.id as string | undefined);

const functionNameOf = (functionName: string): string =>
  functionName.startsWith('arn:') ? (functionName.split(':')[6] ?? functionName) : functionName;

const parameter = (parameters: unknown, field: string): string | undefined => {
  const value =
    typeof parameters === 'object' && parameters !== null
      ? (parameters as Record<string, unknown>)[field]
      : undefined;
  return typeof value === 'string' ? value : undefined;
};

/**
 * The AWS call a Task attempt makes, named and described as the X-Ray SDKs describe AWS calls
 * (`Lambda`/`Invoke` with `function_name`, `DynamoDB`/`PutItem` with `table_name`, `SQS`/`SendMessage`
 * with `queue_url`).
 */
export const callOf = (
  task: TaskResource,
  parameters: unknown,
  region: string,
): { name: string; aws: Record<string, unknown> } => {
  if (task.kind === 'lambda-function') {
    return {
      name: 'Lambda',
      aws: {
        operation: 'Invoke',
        region,
        function_name: functionNameOf(task.resource),
        resource_names: [task.resource],
      },
    };
  }
  if (task.resourceType === 'lambda') {
    const functionName = parameter(parameters, 'FunctionName') ?? '';
    return {
      name: 'Lambda',
      aws: {
        operation: 'Invoke',
        region,
        function_name: functionNameOf(functionName),
        resource_names: [functionName],
      },
    };
  }
  if (task.resourceType === 'dynamodb') {
    const table = parameter(parameters, 'TableName') ?? '';
    const action = task.resource.split('.')[0] ?? task.resource;
    return {
      name: 'DynamoDB',
      aws: {
        operation: `${action.charAt(0).toUpperCase()}${action.slice(1)}`,
        region,
        table_name: table,
        resource_names: [table],
      },
    };
  }
  if (task.resourceType === 'sqs') {
    const queueUrl = parameter(parameters, 'QueueUrl') ?? '';
    return {
      name: 'SQS',
      aws: { operation: 'SendMessage', region, queue_url: queueUrl, resource_names: [queueUrl] },
    };
  }
  return { name: task.resourceType, aws: { operation: task.resource, region } };
};

/**
 * Closes the documents a run left in progress when the service stopped under it (the run that resumes
 * the execution calls this first): each ends at `at` (the last moment the history shows) with a fault,
 * and the segment's cause says the service was interrupted. Returns the ids it closed.
 */
export const closeInterruptedDocuments = (
  bodies: readonly string[],
  at: number,
  sink: SegmentSink,
): string[] =>
  bodies.map((body) => {
    const document = JSON.parse(body) as Record<string, unknown>;
    const start = typeof document.start_time === 'number' ? document.start_time : epochSeconds(at);
    const { in_progress: _, ...rest } = document;
    const segment = document.type !== 'subsegment';
    sink.put({
      ...rest,
      end_time: Math.max(start, epochSeconds(at)),
      fault: true,
      ...(segment
        ? {
            cause: {
              exceptions: [
                exceptionOf(
                  'Local.Interrupted',
                  'The local Step Functions service stopped while this execution was running; it ran again from the start.',
                  false,
                ),
              ],
            },
          }
        : {}),
    });
    return String(document.id);
  });
