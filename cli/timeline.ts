import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { ATTEMPT_EVENTS, enteredEventIdOf } from '../console/shared/history-events';

export type StepStatus = 'succeeded' | 'caught' | 'failed' | 'aborted' | 'running';

/** One visit of one state, as an operator reads it. */
export interface Step {
  readonly name: string;
  /** `Task`, `Parallel`, `Choice`, `Pass`, `Fail`, … */
  readonly type: string;
  /** How deep in Parallel/Map branches (0 at the top). */
  readonly depth: number;
  readonly status: StepStatus;
  readonly startedAt: Date;
  readonly durationMs?: number;
  /** Task attempts after the first. */
  readonly retries: number;
  /** The error of the last failed attempt (the one that was caught or failed the state). */
  readonly error?: string;
  readonly cause?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionTimeline {
  readonly status: ExecutionStatus;
  readonly startedAt?: Date;
  readonly stoppedAt?: Date;
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount: number;
  readonly steps: readonly Step[];
}

interface MutableStep {
  name: string;
  type: string;
  depth: number;
  startedAt: Date;
  exitedAt?: Date;
  attempts: number;
  lastAttemptFailed: boolean;
  aborted: boolean;
  error?: string;
  cause?: string;
}

const CONTAINERS = new Set(['Parallel', 'Map']);
const EXECUTION_ENDS: Readonly<Record<string, ExecutionStatus>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** The `error` and `cause` of whichever `…EventDetails` an event carries. */
const errorOf = (event: HistoryEvent): { error?: string; cause?: string } => {
  for (const [field, value] of Object.entries(event)) {
    if (!field.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const { error, cause } = value as { error?: unknown; cause?: unknown };
    if (typeof error === 'string' || typeof cause === 'string') {
      return {
        ...(typeof error === 'string' ? { error } : {}),
        ...(typeof cause === 'string' ? { cause } : {}),
      };
    }
  }
  return {};
};

const stateNameOf = (event: HistoryEvent): string | undefined =>
  event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;

/**
 * Builds the step-by-step view of an execution from its history (AWS event shapes, oldest first):
 * one step per state entered, with its duration, its retries (Task attempts after the first), and
 * the error of its last failed attempt. A Task whose error was caught shows as `caught`.
 *
 * Events are tied to their state by following `previousEventId` back to the `…StateEntered` event,
 * which is how Step Functions links them (also inside Parallel branches).
 */
export const buildTimeline = (history: readonly HistoryEvent[]): ExecutionTimeline => {
  const events = history.toSorted((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const byId = new Map(events.map((event) => [event.id ?? 0, event]));
  const stepByEnteredId = new Map<number, MutableStep>();
  const open: MutableStep[] = [];
  const steps: MutableStep[] = [];
  let status: ExecutionStatus = 'RUNNING';
  let startedAt: Date | undefined;
  let stoppedAt: Date | undefined;
  let executionError: { error?: string; cause?: string } = {};
  let redriveCount = 0;

  const owner = (event: HistoryEvent): MutableStep | undefined => {
    const enteredId = enteredEventIdOf(event, byId);
    return enteredId === undefined ? undefined : stepByEnteredId.get(enteredId);
  };
  const innermostOpen = (types: ReadonlySet<string>): MutableStep | undefined =>
    open.findLast((step) => types.has(step.type));
  const close = (step: MutableStep, at: Date | undefined): void => {
    step.exitedAt = at;
    open.splice(open.indexOf(step), 1);
  };

  for (const event of events) {
    const type = event.type ?? '';
    const at = event.timestamp;
    if (type === 'ExecutionStarted') {
      startedAt ??= at;
    } else if (type === 'ExecutionRedriven') {
      redriveCount = event.executionRedrivenEventDetails?.redriveCount ?? redriveCount + 1;
      status = 'RUNNING';
      stoppedAt = undefined;
      executionError = {};
    } else if (type in EXECUTION_ENDS) {
      status = EXECUTION_ENDS[type] as ExecutionStatus;
      stoppedAt = at;
      executionError = errorOf(event);
    } else if (type.endsWith('StateEntered')) {
      const step: MutableStep = {
        name: stateNameOf(event) ?? '?',
        type: type.slice(0, -'StateEntered'.length),
        depth: open.filter((candidate) => CONTAINERS.has(candidate.type)).length,
        startedAt: at ?? new Date(0),
        attempts: 0,
        lastAttemptFailed: false,
        aborted: false,
      };
      stepByEnteredId.set(event.id ?? 0, step);
      steps.push(step);
      // A Fail state ends the execution where it stands: it never exits.
      if (step.type !== 'Fail') open.push(step);
    } else if (type.endsWith('StateExited')) {
      const name = stateNameOf(event);
      const step = open.findLast((candidate) => candidate.name === name);
      if (step) close(step, at);
    } else if (type.endsWith('StateAborted')) {
      const step = owner(event) ?? innermostOpen(new Set([type.slice(0, -'StateAborted'.length)]));
      if (step && open.includes(step)) {
        step.aborted = true;
        close(step, at);
      }
    } else if (ATTEMPT_EVENTS.starts.has(type)) {
      const step = owner(event);
      if (step) step.attempts += 1;
    } else if (ATTEMPT_EVENTS.failures.has(type) || ATTEMPT_EVENTS.timeouts.has(type)) {
      const step = owner(event);
      if (step) Object.assign(step, { lastAttemptFailed: true, ...errorOf(event) });
    } else if (ATTEMPT_EVENTS.successes.has(type)) {
      const step = owner(event);
      if (step) step.lastAttemptFailed = false;
    } else if (type === 'ParallelStateFailed' || type === 'MapStateFailed') {
      const step = innermostOpen(CONTAINERS);
      if (step) Object.assign(step, { lastAttemptFailed: true, ...errorOf(event) });
    }
  }

  const stepStatus = (step: MutableStep): StepStatus => {
    if (step.type === 'Fail') return 'failed';
    if (step.aborted) return 'aborted';
    if (step.exitedAt !== undefined) return step.lastAttemptFailed ? 'caught' : 'succeeded';
    if (status === 'RUNNING') return 'running';
    return step.lastAttemptFailed ? 'failed' : 'aborted';
  };

  return {
    status,
    ...(startedAt ? { startedAt } : {}),
    ...(stoppedAt ? { stoppedAt } : {}),
    ...executionError,
    redriveCount,
    steps: steps.map((step) => {
      const status = stepStatus(step);
      // A retried attempt's error is history once a later attempt succeeded: only failures show one.
      const error =
        step.type === 'Fail'
          ? executionError
          : status === 'succeeded'
            ? {}
            : { error: step.error, cause: step.cause };
      const end = step.exitedAt ?? (step.type === 'Fail' ? step.startedAt : stoppedAt);
      return {
        name: step.name,
        type: step.type,
        depth: step.depth,
        status,
        startedAt: step.startedAt,
        ...(end ? { durationMs: end.getTime() - step.startedAt.getTime() } : {}),
        retries: Math.max(0, step.attempts - 1),
        ...(error.error !== undefined ? { error: error.error } : {}),
        ...(error.cause !== undefined ? { cause: error.cause } : {}),
      };
    }),
  };
};

/** Whether an execution ended in a Fail state (the newest events, newest first, as GetExecutionHistory's reverse order gives them). */
export const endedInFailState = (latestFirst: readonly HistoryEvent[]): boolean => {
  const [last, ...before] = latestFirst;
  if (last?.type !== 'ExecutionFailed') return false;
  return (
    before.some((event) => event.type === 'FailStateEntered' && event.id === last.previousEventId) ||
    before[0]?.type === 'FailStateEntered'
  );
};
