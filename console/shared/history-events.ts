/**
 * What Step Functions history events say about states and their Task attempts, for the Task, Lambda and
 * Activity integrations alike. Pure: `docflow show`'s timeline and the console's state runs both read
 * execution histories through it.
 */

/** Event types by what they say of one attempt of a Task. */
export const ATTEMPT_EVENTS = {
  starts: new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']),
  successes: new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']),
  timeouts: new Set(['TaskTimedOut', 'LambdaFunctionTimedOut', 'ActivityTimedOut']),
  /** The attempt failed otherwise than by timing out: its own error, or it could not start. */
  failures: new Set([
    'TaskFailed',
    'TaskStartFailed',
    'TaskSubmitFailed',
    'LambdaFunctionFailed',
    'LambdaFunctionScheduleFailed',
    'LambdaFunctionStartFailed',
    'ActivityFailed',
    'ActivityScheduleFailed',
  ]),
};

/** The fields that link an event to the one before it (the SDK's shape and the console API's alike). */
interface LinkedEvent {
  readonly id?: number;
  readonly previousEventId?: number;
  readonly type?: string;
}

/** A history holds at most 25,000 events: a longer chain of `previousEventId`s is a loop. */
const MAX_HISTORY_EVENTS = 25_000;

/**
 * The id of the `…StateEntered` event that `event` follows from, walking `previousEventId` back: the
 * entry of the state an attempt or a failure belongs to. Undefined when the chain reaches none.
 */
export const enteredEventIdOf = (
  event: LinkedEvent,
  byId: ReadonlyMap<number, LinkedEvent>,
): number | undefined => {
  let current: LinkedEvent | undefined = event;
  for (let hops = 0; current && hops < MAX_HISTORY_EVENTS; hops += 1) {
    if (current !== event && current.type?.endsWith('StateEntered')) return current.id ?? 0;
    current = current.previousEventId === undefined ? undefined : byId.get(current.previousEventId);
  }
  return undefined;
};
