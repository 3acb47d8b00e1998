import type { HistoryEventType } from '@aws-sdk/client-sfn';
import { type CompiledDefinition, runLaneOf, type StateInfo } from './compiled-definition';
import type { ExecutionOutcome, StoredHistoryEvent } from './execution-store';
import type { InterpreterEvent, TaskCall, TaskCallLog } from './run-events';
import {
  json,
  NOT_TRUNCATED,
  taskFailedEvent,
  taskStartedEvents,
  taskSucceededEvent,
} from './task-history-events';

/** Where the recorder puts what it derives: persisted at once, in order. */
export interface HistorySink {
  write(events: readonly StoredHistoryEvent[], outcome?: ExecutionOutcome): void;
}

export interface HistoryRecorderOptions {
  readonly compiled: CompiledDefinition;
  readonly region: string;
  readonly roleArn: string;
  /** Id of the newest event already in the history (0 for a new execution). */
  readonly lastEventId: number;
  readonly sink: HistorySink;
  readonly calls: TaskCallLog;
}

/** Step Functions' history-event type prefix for each state type. */
const STATE_TYPES = new Set(['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);
/** States whose entering and exiting can be interrupted (the others are instant). */
const ABORTABLE = new Set(['Task', 'Parallel', 'Map', 'Wait']);
/** What aws-local-stepfunctions reports for a Fail state that has no Error / no Cause. */
const FAIL_STATE_DEFAULT_ERROR = 'FailStateError';
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';

const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : json(cause));

/** Error and cause fields, omitting absent ones. */
const errorDetails = (error: string | undefined, cause: string | undefined) => ({
  ...(error !== undefined ? { error } : {}),
  ...(cause !== undefined ? { cause } : {}),
});

interface OpenState {
  readonly name: string;
  readonly type: string;
  readonly lane: string;
}

/**
 * Turns aws-local-stepfunctions' event log of one run into Step Functions history events
 * (`TaskStateEntered`, `LambdaFunctionScheduled`, `ParallelStateStarted`, `ExecutionSucceeded`, …)
 * with ids, `previousEventId` links and the `…EventDetails` objects the API returns.
 *
 * - StateEntered/StateExited become `<Type>StateEntered/Exited` (a Fail state only enters).
 * - A Task's invocations become `LambdaFunction*` events (Resource is a function ARN) or `Task*`
 *   events (service integrations), one Scheduled/Started/Succeeded-or-Failed group per attempt: a
 *   retry shows as a new group after a failure, as in AWS. StateRetried/StateCaught add nothing.
 * - `previousEventId` follows the thread the event belongs to: a branch's first state points at its
 *   `ParallelStateStarted`, a Task's result at its `…Started`.
 */
export class HistoryRecorder {
  readonly #options: HistoryRecorderOptions;
  #lastId: number;
  readonly #lastIdByLane = new Map<string, number>();
  readonly #current = new Map<string, TaskCall>();
  readonly #failed = new Set<string>();
  readonly #open = new Map<string, OpenState>();
  #pending: StoredHistoryEvent[] = [];
  #skipExecutionStarted = false;
  #failStateEntered = false;
  #closed = false;

  constructor(options: HistoryRecorderOptions) {
    this.#options = options;
    this.#lastId = options.lastEventId;
  }

  /** True once a terminal event was written or the recorder was detached. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops recording without writing anything (the service is shutting down; the run resumes later). */
  detach(): void {
    this.#closed = true;
  }

  /**
   * Marks the restart of an execution that was RUNNING when the service stopped: an
   * `ExecutionAborted` event with error `Local.Interrupted`, then the new run's `ExecutionStarted`.
   */
  interrupted(at = Date.now()): void {
    this.#emit(
      'ExecutionAborted',
      '',
      {
        executionAbortedEventDetails: {
          error: 'Local.Interrupted',
          cause:
            'The local Step Functions service stopped while this execution was running. ' +
            'It runs again from the start with the same input.',
        },
      },
      at,
      'latest',
    );
    this.#flush();
  }

  /** Marks a redrive: `ExecutionRedriven` stands for the run's `ExecutionStarted`, as in AWS. */
  redriven(redriveCount: number, at = Date.now()): void {
    this.#emit('ExecutionRedriven', '', { executionRedrivenEventDetails: { redriveCount } }, at, 'latest');
    this.#skipExecutionStarted = true;
    this.#flush();
  }

  /** StopExecution: the open states are aborted, then the execution. */
  abort(error: string | undefined, cause: string | undefined, at = Date.now()): void {
    if (this.#closed) return;
    this.#abortOpenStates(at);
    this.#emit(
      'ExecutionAborted',
      '',
      { executionAbortedEventDetails: errorDetails(error, cause) },
      at,
      'latest',
    );
    this.#flush({ status: 'ABORTED', stopDate: at, ...errorDetails(error, cause) });
  }

  record(event: InterpreterEvent): void {
    if (this.#closed) return;
    const outcome = this.#translate(event);
    this.#flush(outcome);
  }

  #flush(outcome?: ExecutionOutcome): void {
    const events = this.#pending;
    this.#pending = [];
    this.#options.sink.write(events, outcome);
    if (outcome) this.#closed = true;
  }

  #emit(
    type: HistoryEventType,
    lane: string,
    details: Record<string, unknown>,
    timestamp: number,
    previous: 'lane' | 'latest' = 'lane',
  ): number {
    const id = this.#lastId + 1;
    const previousEventId =
      previous === 'lane' ? (this.#lastIdByLane.get(lane) ?? this.#lastId) : this.#lastId;
    this.#pending.push({ id, previousEventId, timestamp, type, ...details });
    this.#lastId = id;
    this.#lastIdByLane.set(lane, id);
    return id;
  }

  /** Where a state runs in this run: its definition, its lane, and the key of its open entry. */
  #placeOf(
    name: string,
    index: number | undefined,
  ): { info: StateInfo | undefined; lane: string; key: string } {
    const info = this.#options.compiled.states.get(name);
    const lane = runLaneOf(info, index);
    return { info, lane, key: `${lane}|${name}` };
  }

  #translate(event: InterpreterEvent): ExecutionOutcome | undefined {
    switch (event.type) {
      case 'ExecutionStarted':
        if (this.#skipExecutionStarted) {
          this.#skipExecutionStarted = false;
          return undefined;
        }
        this.#emit(
          'ExecutionStarted',
          '',
          {
            executionStartedEventDetails: {
              input: json(event.input),
              inputDetails: NOT_TRUNCATED,
              roleArn: this.#options.roleArn,
            },
          },
          event.timestamp,
        );
        return undefined;
      case 'ExecutionSucceeded': {
        const output = json(event.output);
        this.#emit(
          'ExecutionSucceeded',
          '',
          { executionSucceededEventDetails: { output, outputDetails: NOT_TRUNCATED } },
          event.timestamp,
          'latest',
        );
        return { status: 'SUCCEEDED', stopDate: event.timestamp, output };
      }
      case 'ExecutionFailed': {
        const { error, cause } = this.#executionError(event.Error, causeText(event.Cause));
        this.#emit(
          'ExecutionFailed',
          '',
          { executionFailedEventDetails: errorDetails(error, cause) },
          event.timestamp,
          'latest',
        );
        return { status: 'FAILED', stopDate: event.timestamp, ...errorDetails(error, cause) };
      }
      case 'ExecutionTimeout': {
        const error = 'States.Timeout';
        const cause = 'The execution ran longer than the state machine\u2019s TimeoutSeconds.';
        this.#abortOpenStates(event.timestamp);
        this.#emit(
          'ExecutionTimedOut',
          '',
          { executionTimedOutEventDetails: { error, cause } },
          event.timestamp,
          'latest',
        );
        return { status: 'TIMED_OUT', stopDate: event.timestamp, error, cause };
      }
      case 'ExecutionAborted':
        this.#abortOpenStates(event.timestamp);
        this.#emit('ExecutionAborted', '', { executionAbortedEventDetails: {} }, event.timestamp, 'latest');
        return { status: 'ABORTED', stopDate: event.timestamp };
      case 'StateEntered':
        this.#stateEntered(
          event.state.name,
          event.state.type,
          event.state.input,
          event.index,
          event.timestamp,
        );
        return undefined;
      case 'StateRetried':
        this.#stateStarted(event.state.name, event.state.type, event.index, event.timestamp);
        return undefined;
      case 'StateFailed':
        this.#stateFailed(event.state.name, event.state.type, event.Error, causeText(event.Cause), event);
        return undefined;
      case 'StateExited':
        this.#stateExited(
          event.state.name,
          event.state.type,
          event.state.output,
          event.index,
          event.timestamp,
        );
        return undefined;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.#mapIteration(event.type, event.parentState.name, event.index, event.timestamp);
        return undefined;
      default:
        // StateCaught (the StateExited that follows shows the caught output) and ParallelBranch*
        // (AWS has no per-branch events) add nothing.
        return undefined;
    }
  }

  /**
   * A Fail state without Error or Cause fails the execution without them in AWS; the interpreter
   * fills in its own defaults, which are dropped here.
   */
  #executionError(error: string, cause: string): { error?: string; cause?: string } {
    if (!this.#failStateEntered) return { error, cause };
    return {
      ...(error !== FAIL_STATE_DEFAULT_ERROR ? { error } : {}),
      ...(cause !== FAIL_STATE_DEFAULT_CAUSE ? { cause } : {}),
    };
  }

  #stateEntered(
    name: string,
    type: string,
    input: unknown,
    index: number | undefined,
    timestamp: number,
  ): void {
    const { lane, key } = this.#placeOf(name, index);
    if (!STATE_TYPES.has(type)) return;
    this.#emit(
      `${type}StateEntered` as HistoryEventType,
      lane,
      { stateEnteredEventDetails: { name, input: json(input), inputDetails: NOT_TRUNCATED } },
      timestamp,
    );
    this.#open.set(key, { name, type, lane });
    this.#failed.delete(key);
    if (type === 'Fail') {
      this.#failStateEntered = true;
      this.#open.delete(key);
    }
    this.#stateStarted(name, type, index, timestamp);
  }

  /** The part of entering a state that a retry repeats: a Task's invocation, a Parallel's branches. */
  #stateStarted(name: string, type: string, index: number | undefined, timestamp: number): void {
    const { info, lane, key } = this.#placeOf(name, index);
    this.#failed.delete(key);
    if (type === 'Task' && info?.task) {
      const call = this.#options.calls.take(name);
      if (!call) return;
      this.#current.set(key, call);
      for (const { type: eventType, details } of taskStartedEvents(
        info,
        info.task,
        call,
        this.#options.region,
      )) {
        this.#emit(eventType, lane, details, call.startedAt);
      }
    } else if (type === 'Parallel') {
      const started = this.#emit('ParallelStateStarted', lane, {}, timestamp);
      for (const branchLane of this.#options.compiled.branchLanes.get(name) ?? []) {
        this.#lastIdByLane.set(branchLane, started);
      }
    } else if (type === 'Map') {
      this.#emit('MapStateStarted', lane, { mapStateStartedEventDetails: {} }, timestamp);
    }
  }

  #stateFailed(
    name: string,
    type: string,
    error: string,
    cause: string,
    event: { readonly index?: number; readonly timestamp: number },
  ): void {
    const { info, lane, key } = this.#placeOf(name, event.index);
    this.#failed.add(key);
    if (type === 'Task' && info?.task) {
      const call = this.#current.get(key);
      if (!call) return;
      this.#current.delete(key);
      const failed = taskFailedEvent(info.task, error, cause);
      this.#emit(failed.type, lane, failed.details, event.timestamp);
    } else if (type === 'Parallel' || type === 'Map') {
      // The branches still running are cancelled with it.
      this.#abortOpenStates(event.timestamp, `${lane}/${name}`);
      this.#emit(`${type}StateFailed`, lane, {}, event.timestamp, 'latest');
    }
  }

  #stateExited(
    name: string,
    type: string,
    output: unknown,
    index: number | undefined,
    timestamp: number,
  ): void {
    const { info, lane, key } = this.#placeOf(name, index);
    if (!STATE_TYPES.has(type) || type === 'Fail') return;
    const failed = this.#failed.has(key);
    if (type === 'Task' && info?.task) {
      const call = this.#current.get(key);
      this.#current.delete(key);
      if (call?.outcome?.ok) {
        const succeeded = taskSucceededEvent(info.task, call.outcome.output);
        this.#emit(succeeded.type, lane, succeeded.details, call.outcome.at);
      }
    } else if (type === 'Parallel' && !failed) {
      this.#emit('ParallelStateSucceeded', lane, {}, timestamp, 'latest');
    } else if (type === 'Map' && !failed) {
      this.#emit('MapStateSucceeded', lane, {}, timestamp, 'latest');
    }
    this.#emit(
      `${type}StateExited` as HistoryEventType,
      lane,
      { stateExitedEventDetails: { name, output: json(output), outputDetails: NOT_TRUNCATED } },
      timestamp,
      // A Parallel or Map exits after its last branch event, not after its own start.
      type === 'Parallel' || type === 'Map' ? 'latest' : 'lane',
    );
    this.#open.delete(key);
    this.#failed.delete(key);
  }

  #mapIteration(
    type: 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed',
    mapName: string,
    index: number,
    timestamp: number,
  ): void {
    const info = this.#options.compiled.states.get(mapName);
    const mapLane = info?.lane ?? '';
    const iterationLane = `${mapLane}/${mapName}#${index}`;
    const detailsField = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
    const id = this.#emit(
      type,
      type === 'MapIterationStarted' ? mapLane : iterationLane,
      { [detailsField]: { name: mapName, index } },
      timestamp,
    );
    this.#lastIdByLane.set(iterationLane, id);
  }

  /**
   * Emits `<Type>StateAborted` for the states still running (all, or those nested in one Parallel or
   * Map), innermost first. A state whose last attempt failed is not running any more.
   */
  #abortOpenStates(at: number, within?: string): void {
    for (const [key, open] of [...this.#open.entries()].reverse()) {
      const nested =
        within === undefined || open.lane.startsWith(`${within}[`) || open.lane.startsWith(`${within}#`);
      if (!nested) continue;
      this.#open.delete(key);
      if (this.#failed.has(key)) continue;
      if (ABORTABLE.has(open.type)) {
        this.#emit(`${open.type}StateAborted` as HistoryEventType, open.lane, {}, at);
      }
    }
  }
}
