import type { HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateInfo, TaskResource } from './compiled-definition';
import { TASK_TOKEN_PLACEHOLDER } from './context-object';
import type { TaskCall } from './run-events';

/** A history event before the recorder gives it an id, a lane and a link to the previous one. */
export interface HistoryEventDraft {
  readonly type: HistoryEventType;
  readonly details: Record<string, unknown>;
}

/** JSON text as the history carries payloads (`null` for none). */
export const json = (value: unknown): string => JSON.stringify(value ?? null);

/** The payload fields' companion: local payloads are never truncated. */
export const NOT_TRUNCATED = { truncated: false } as const;

const TIMEOUT_ERRORS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

/** The parameters with the task token the invocation was given in place of `$$.Task.Token`. */
const withToken = (value: unknown, token: string | undefined): unknown => {
  if (token === undefined) return value;
  return JSON.parse(JSON.stringify(value ?? null).replaceAll(`"${TASK_TOKEN_PLACEHOLDER}"`, json(token)));
};

/**
 * The events of a Task attempt's start: `LambdaFunctionScheduled`/`Started` for a function ARN
 * resource, `TaskScheduled`/`Started` for a service integration.
 */
export const taskStartedEvents = (
  info: StateInfo,
  task: TaskResource,
  call: TaskCall,
  region: string,
): HistoryEventDraft[] => {
  const timeout =
    info.state.TimeoutSeconds !== undefined ? { timeoutInSeconds: info.state.TimeoutSeconds } : {};
  if (task.kind === 'lambda-function') {
    return [
      {
        type: 'LambdaFunctionScheduled',
        details: {
          lambdaFunctionScheduledEventDetails: {
            resource: task.resource,
            input: json(call.parameters),
            inputDetails: NOT_TRUNCATED,
            ...timeout,
          },
        },
      },
      { type: 'LambdaFunctionStarted', details: {} },
    ];
  }
  const heartbeat =
    info.state.HeartbeatSeconds !== undefined ? { heartbeatInSeconds: info.state.HeartbeatSeconds } : {};
  return [
    {
      type: 'TaskScheduled',
      details: {
        taskScheduledEventDetails: {
          resourceType: task.resourceType,
          resource: task.resource,
          region,
          parameters: json(withToken(call.parameters, call.token)),
          ...timeout,
          ...heartbeat,
        },
      },
    },
    {
      type: 'TaskStarted',
      details: { taskStartedEventDetails: { resourceType: task.resourceType, resource: task.resource } },
    },
  ];
};

/** The event of a Task attempt that failed: timed out (`States.Timeout`, heartbeat) or failed. */
export const taskFailedEvent = (task: TaskResource, error: string, cause: string): HistoryEventDraft => {
  const timedOut = TIMEOUT_ERRORS.has(error);
  if (task.kind === 'lambda-function') {
    return {
      type: timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
      details: {
        [timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: {
          error,
          cause,
        },
      },
    };
  }
  return {
    type: timedOut ? 'TaskTimedOut' : 'TaskFailed',
    details: {
      [timedOut ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: {
        resourceType: task.resourceType,
        resource: task.resource,
        error,
        cause,
      },
    },
  };
};

/** The event of a Task attempt that succeeded, with its output. */
export const taskSucceededEvent = (task: TaskResource, output: unknown): HistoryEventDraft => {
  if (task.kind === 'lambda-function') {
    return {
      type: 'LambdaFunctionSucceeded',
      details: {
        lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: NOT_TRUNCATED },
      },
    };
  }
  return {
    type: 'TaskSucceeded',
    details: {
      taskSucceededEventDetails: {
        resourceType: task.resourceType,
        resource: task.resource,
        output: json(output),
        outputDetails: NOT_TRUNCATED,
      },
    },
  };
};
