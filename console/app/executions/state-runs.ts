import type { HistoryEvent } from '../../shared/api';
import { ATTEMPT_EVENTS, enteredEventIdOf } from '../../shared/history-events';

/**
 * What happened to each state in one execution, from its history (GetExecutionHistory with execution
 * data), pure. Events are tied to the state they belong to by following `previousEventId` back to the
 * `…StateEntered` event, which is how Step Functions threads them, inside Parallel branches too.
 */

/**
 * How a state's (last) visit went: `retried` is a success after failed attempts, `caught` a failure a
 * Catch handled, `failed` one that failed the execution, `aborted` a state the execution's stop cut
 * short, `not-entered` a state this execution never reached.
 */
export type StateStatus =
  | 'succeeded'
  | 'retried'
  | 'caught'
  | 'failed'
  | 'aborted'
  | 'in-progress'
  | 'not-entered';

/** One attempt of a Task: one Scheduled…Succeeded/Failed group of history events. */
export interface TaskAttempt {
  readonly number: number;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly resource?: string;
  /** The Task's effective input (its resolved Parameters), JSON text. */
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly outcome: 'succeeded' | 'failed' | 'timed-out' | 'running';
}

/** One visit of one state. */
export interface StateVisit {
  readonly name: string;
  /** `Task`, `Choice`, … from the event type. */
  readonly type: string;
  readonly status: StateStatus;
  readonly enteredAt: string;
  readonly exitedAt?: string;
  readonly input?: string;
  readonly output?: string;
  /** The error of the state: its last failed attempt's, or the Parallel's or Fail state's. */
  readonly error?: string;
  readonly cause?: string;
  readonly attempts: readonly TaskAttempt[];
}

export interface ExecutionRuns {
  /** Every visit of every state, in the order they were entered. */
  readonly visits: readonly StateVisit[];
  /** The last visit of each state, by name. */
  readonly lastVisit: ReadonlyMap<string, StateVisit>;
  /** Transitions taken, as `from\u0000to` state names (`Start` and `End` for the marks). */
  readonly taken: ReadonlySet<string>;
  /** The execution's own error, when it failed. */
  readonly error?: string;
  readonly cause?: string;
  readonly ended: boolean;
}

export const transitionKey = (from: string, to: string): string => `${from}\u0000${to}`;

interface MutableAttempt {
  number: number;
  startedAt: string;
  endedAt?: string;
  resource?: string;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  outcome: TaskAttempt['outcome'];
}

interface MutableVisit {
  name: string;
  type: string;
  enteredId: number;
  enteredAt: string;
  exitedAt?: string;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  containerFailed: boolean;
  aborted: boolean;
  attempts: MutableAttempt[];
}

const EXECUTION_ENDS = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionTimedOut',
  'ExecutionAborted',
]);

/** The `…EventDetails` member of an event, whatever its name. */
const detailsOf = (event: HistoryEvent): Readonly<Record<string, unknown>> => {
  for (const [field, value] of Object.entries(event)) {
    if (field.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      return value as Record<string, unknown>;
    }
  }
  return {};
};

const field = (details: Readonly<Record<string, unknown>>, name: string): string | undefined => {
  const value = details[name];
  return typeof value === 'string' ? value : undefined;
};

const stateType = (eventType: string, suffix: string): string => eventType.slice(0, -suffix.length);

const statusOf = (visit: MutableVisit, ended: boolean): StateStatus => {
  const last = visit.attempts.at(-1);
  const lastFailed = last !== undefined && (last.outcome === 'failed' || last.outcome === 'timed-out');
  if (visit.exitedAt !== undefined) {
    if (lastFailed || visit.containerFailed) return 'caught';
    return visit.attempts.length > 1 ? 'retried' : 'succeeded';
  }
  if (visit.aborted) return 'aborted';
  if (visit.type === 'Fail' || lastFailed || visit.containerFailed) return 'failed';
  return ended ? 'aborted' : 'in-progress';
};

/** Reads the history (any order; sorted by id here) into each state's visits and the path taken. */
export const executionRunsOf = (history: readonly HistoryEvent[]): ExecutionRuns => {
  const events = history.toSorted((left, right) => left.id - right.id);
  const byId = new Map(events.map((event) => [event.id, event]));
  const visitByEnteredId = new Map<number, MutableVisit>();
  const visits: MutableVisit[] = [];
  const exitedName = new Map<number, string>();
  const taken = new Set<string>();
  let ended = false;
  let executionError: { error?: string; cause?: string } = {};

  const owner = (event: HistoryEvent): MutableVisit | undefined => {
    const enteredId = enteredEventIdOf(event, byId);
    return enteredId === undefined ? undefined : visitByEnteredId.get(enteredId);
  };
  const openNamed = (name: string | undefined): MutableVisit | undefined =>
    visits.findLast((visit) => visit.name === name && visit.exitedAt === undefined);

  for (const event of events) {
    const { type } = event;
    const details = detailsOf(event);
    if (type.endsWith('StateEntered')) {
      const name = field(details, 'name') ?? '';
      const input = field(details, 'input');
      const visit: MutableVisit = {
        name,
        type: stateType(type, 'StateEntered'),
        enteredId: event.id,
        enteredAt: event.timestamp,
        ...(input === undefined ? {} : { input }),
        containerFailed: false,
        aborted: false,
        attempts: [],
      };
      visits.push(visit);
      visitByEnteredId.set(event.id, visit);
      const from = event.previousEventId === undefined ? undefined : exitedName.get(event.previousEventId);
      const previous = event.previousEventId === undefined ? undefined : byId.get(event.previousEventId);
      if (from !== undefined) taken.add(transitionKey(from, name));
      else if (previous?.type === 'ExecutionStarted' || previous?.type === 'ExecutionRedriven') {
        taken.add(transitionKey('Start', name));
      }
      if (visit.type === 'Fail') taken.add(transitionKey(name, 'End'));
    } else if (type.endsWith('StateExited')) {
      const visit = openNamed(field(details, 'name'));
      if (!visit) continue;
      visit.exitedAt = event.timestamp;
      const output = field(details, 'output');
      if (output !== undefined) visit.output = output;
      exitedName.set(event.id, visit.name);
    } else if (type.endsWith('StateAborted')) {
      const visit = owner(event) ?? visits.findLast((candidate) => candidate.exitedAt === undefined);
      if (visit) visit.aborted = true;
    } else if (type === 'ParallelStateFailed' || type === 'MapStateFailed') {
      const kind = type === 'ParallelStateFailed' ? 'Parallel' : 'Map';
      const visit = visits.findLast(
        (candidate) => candidate.type === kind && candidate.exitedAt === undefined,
      );
      if (visit) {
        visit.containerFailed = true;
        const error = field(details, 'error');
        const cause = field(details, 'cause');
        if (error !== undefined) visit.error = error;
        if (cause !== undefined) visit.cause = cause;
      }
    } else if (ATTEMPT_EVENTS.starts.has(type)) {
      const visit = owner(event);
      if (!visit) continue;
      const resource = field(details, 'resource');
      const input = field(details, 'input') ?? field(details, 'parameters');
      visit.attempts.push({
        number: visit.attempts.length + 1,
        startedAt: event.timestamp,
        ...(resource === undefined ? {} : { resource }),
        ...(input === undefined ? {} : { input }),
        outcome: 'running',
      });
    } else if (
      ATTEMPT_EVENTS.successes.has(type) ||
      ATTEMPT_EVENTS.failures.has(type) ||
      ATTEMPT_EVENTS.timeouts.has(type)
    ) {
      const visit = owner(event);
      const attempt = visit?.attempts.at(-1);
      if (!visit || !attempt) continue;
      attempt.endedAt = event.timestamp;
      if (ATTEMPT_EVENTS.successes.has(type)) {
        attempt.outcome = 'succeeded';
        const output = field(details, 'output');
        if (output !== undefined) attempt.output = output;
      } else {
        attempt.outcome = ATTEMPT_EVENTS.timeouts.has(type) ? 'timed-out' : 'failed';
        const error = field(details, 'error');
        const cause = field(details, 'cause');
        if (error !== undefined) attempt.error = visit.error = error;
        if (cause !== undefined) attempt.cause = visit.cause = cause;
      }
    } else if (EXECUTION_ENDS.has(type)) {
      ended = true;
      const error = field(details, 'error');
      const cause = field(details, 'cause');
      executionError = {
        ...(error === undefined ? {} : { error }),
        ...(cause === undefined ? {} : { cause }),
      };
      const from = event.previousEventId === undefined ? undefined : exitedName.get(event.previousEventId);
      if (type === 'ExecutionSucceeded' && from !== undefined) taken.add(transitionKey(from, 'End'));
    } else if (type === 'ExecutionRedriven' || type === 'ExecutionStarted') {
      ended = false;
    }
  }

  // A Fail state has no error of its own in the history: the execution's is its.
  const finished = visits.map((visit): StateVisit => {
    const failState = visit.type === 'Fail' && visit.error === undefined ? executionError : {};
    return {
      name: visit.name,
      type: visit.type,
      status: statusOf(visit, ended),
      enteredAt: visit.enteredAt,
      ...(visit.exitedAt === undefined ? {} : { exitedAt: visit.exitedAt }),
      ...(visit.input === undefined ? {} : { input: visit.input }),
      ...(visit.output === undefined ? {} : { output: visit.output }),
      ...(visit.error === undefined ? {} : { error: visit.error }),
      ...(visit.cause === undefined ? {} : { cause: visit.cause }),
      ...failState,
      attempts: visit.attempts.map((attempt) => ({ ...attempt })),
    };
  });
  return {
    visits: finished,
    lastVisit: new Map(finished.map((visit) => [visit.name, visit])),
    taken,
    ...executionError,
    ended,
  };
};
