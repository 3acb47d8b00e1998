import { epochSeconds, newEntityId, type SegmentSink } from '../xray/trace-header';
import { type CompiledDefinition, runLaneOf, type StateInfo } from './compiled-definition';
import type { ExecutionOutcome } from './execution-store';
import type { ExecutionTrace } from './execution-trace';
import type { InterpreterEvent, TaskCall, TaskCallLog } from './run-events';
import {
  attemptFailure,
  callOf,
  exceptionIdOf,
  exceptionOf,
  type Failure,
  failureFlags,
  segmentNameOf,
} from './segment-documents';

/** Keeps the in-progress documents of the current run (the execution store), for closing after a crash. */
export interface OpenDocuments {
  save(id: string, body: string): void;
  remove(id: string): void;
}

export interface ExecutionTracerOptions {
  readonly compiled: CompiledDefinition;
  readonly trace: ExecutionTrace;
  readonly execution: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly stateMachineName: string;
  };
  readonly region: string;
  readonly accountId: string;
  readonly sink: SegmentSink;
  readonly openDocuments: OpenDocuments;
  /** The run's Task invocations, each with its `attemptId` (the same calls the history recorder pairs). */
  readonly calls: TaskCallLog;
  readonly logger?: Pick<Console, 'warn'>;
}

interface Entity {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
  /** Epoch milliseconds. */
  readonly start: number;
  /** Extra fields of the document (`namespace`, `aws`). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Whether an in-progress version is sent when it opens (it may take a while). */
  readonly longRunning: boolean;
  failure?: Failure;
  /** When the state failed; it ends then unless it exits later (a Catch) or is retried. */
  failedAt?: number;
}

interface Attempt {
  readonly entity: Entity;
  readonly call: TaskCall;
}

/** States that can take long enough for an in-progress subsegment to be worth sending. */
const LONG_RUNNING = new Set(['Task', 'Parallel', 'Map', 'Wait']);

/**
 * Writes the X-Ray segments Step Functions writes for a traced execution, from the same interpreter
 * events the history is made of:
 *
 * - one segment per run, named after the state machine, `origin` `AWS::StepFunctions::StateMachine`,
 *   sent in progress when the run starts and complete (with `fault`/`error` and the cause when the
 *   execution did not succeed) when it ends;
 * - a subsegment per state entered (Parallel branch states nested in their Parallel's, Map iteration
 *   states in an `Iteration <n>` subsegment of their Map's), sent on its own when it ends;
 * - under a Task's subsegment, one `aws` subsegment per attempt (`Lambda`/`Invoke`, `DynamoDB`/`PutItem`,
 *   `SQS`/`SendMessage`), whose id is the `Parent` of the header the function was invoked with: a retry
 *   shows as another attempt, a failed attempt carries `fault` (or `error`/`throttle` for a 4xx/429)
 *   and the cause. A `.waitForTaskToken` attempt lasts until the callback.
 *
 * Long-running entities (the segment, Task/Parallel/Map/Wait states, attempts) are also sent in progress
 * when they start and kept in the store until their complete version is sent, so a run that the service
 * interrupted can be closed by the run that resumes it. Tracing never fails an execution: a sink that
 * throws turns tracing off for the run, with a warning.
 */
export class ExecutionTracer {
  readonly #options: ExecutionTracerOptions;
  readonly #segmentId = newEntityId();
  #segmentStart = 0;
  readonly #states = new Map<string, Entity>();
  readonly #attempts = new Map<string, Attempt>();
  readonly #iterations = new Map<string, Entity>();
  /** Every entity not yet sent complete, in the order they opened. */
  readonly #open = new Map<string, Entity>();
  #closed = false;

  constructor(options: ExecutionTracerOptions) {
    this.#options = options;
  }

  get segmentId(): string {
    return this.#segmentId;
  }

  /** Opens the run's segment (in progress). */
  start(at: number): void {
    this.#safely(() => {
      this.#segmentStart = at;
      const document = this.#segmentDocument();
      this.#options.openDocuments.save(this.#segmentId, JSON.stringify(document));
      this.#options.sink.put(document);
    });
  }

  record(event: InterpreterEvent): void {
    this.#safely(() => {
      switch (event.type) {
        case 'StateEntered':
          this.#stateEntered(event.state.name, event.state.type, event.index, event.timestamp);
          return;
        case 'StateRetried':
          this.#stateRetried(event.state.name, event.index, event.timestamp);
          return;
        case 'StateFailed':
          this.#stateFailed(event.state.name, event.state.type, event.index, event.timestamp, {
            error: event.Error,
            cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause ?? null),
          });
          return;
        case 'StateExited':
          this.#stateExited(event.state.name, event.state.type, event.index, event.timestamp);
          return;
        case 'MapIterationStarted':
          this.#iterationStarted(event.parentState.name, event.index, event.timestamp);
          return;
        case 'MapIterationSucceeded':
        case 'MapIterationFailed':
          this.#iterationEnded(event.parentState.name, event.index, event.timestamp);
          return;
        default:
          // Execution events end the run through finish(), with the outcome the history recorded.
          return;
      }
    });
  }

  /**
   * Ends the run with the execution's outcome: whatever is still open ends (a state that failed, when
   * it failed; anything else then), and the segment is sent complete.
   */
  finish(outcome: ExecutionOutcome): void {
    this.#safely(() => {
      this.#closeOpen(outcome.stopDate);
      this.#send({ ...this.#segmentDocument(outcome.stopDate), ...this.#outcomeFailure(outcome) }, true);
      this.#closed = true;
    });
  }

  /** Stops writing (the service is stopping; the run resumes later and closes what is open). */
  detach(): void {
    this.#closed = true;
  }

  #safely(work: () => void): void {
    if (this.#closed) return;
    try {
      work();
    } catch (error) {
      this.#closed = true;
      this.#options.logger?.warn(
        `local Step Functions: tracing ${this.#options.execution.executionArn} stopped: ${(error as Error).message}`,
      );
    }
  }

  #outcomeFailure(outcome: ExecutionOutcome): Partial<Failure> {
    if (outcome.status === 'SUCCEEDED') return {};
    const error = outcome.error ?? (outcome.status === 'ABORTED' ? 'Aborted' : 'Failed');
    const cause = { exceptions: [exceptionOf(error, outcome.cause ?? '', false)] };
    // Stopped by a client (StopExecution) is the caller's doing: an error; anything else a fault.
    return outcome.status === 'ABORTED' ? { error: true, cause } : { fault: true, cause };
  }

  #segmentDocument(end?: number): Record<string, unknown> {
    const { execution, trace, region, accountId } = this.#options;
    return {
      name: segmentNameOf(execution.stateMachineName),
      id: this.#segmentId,
      trace_id: trace.traceId,
      ...(trace.parentId ? { parent_id: trace.parentId } : {}),
      start_time: epochSeconds(this.#segmentStart),
      ...(end === undefined
        ? { in_progress: true }
        : { end_time: epochSeconds(Math.max(end, this.#segmentStart)) }),
      origin: 'AWS::StepFunctions::StateMachine',
      resource_arn: execution.stateMachineArn,
      aws: { account_id: accountId, region, execution_arn: execution.executionArn },
    };
  }

  #subsegmentDocument(entity: Entity, end?: number): Record<string, unknown> {
    return {
      type: 'subsegment',
      trace_id: this.#options.trace.traceId,
      parent_id: entity.parentId,
      id: entity.id,
      name: entity.name,
      start_time: epochSeconds(entity.start),
      ...(end === undefined
        ? { in_progress: true }
        : { end_time: epochSeconds(Math.max(end, entity.start)) }),
      ...entity.fields,
      ...(end !== undefined && entity.failure ? entity.failure : {}),
    };
  }

  /** Sends a document; an in-progress one is kept in the store, a complete one replaces it there. */
  #send(document: Record<string, unknown>, complete: boolean): void {
    const id = String(document.id);
    if (complete) {
      this.#options.sink.put(document);
      this.#options.openDocuments.remove(id);
    } else {
      this.#options.openDocuments.save(id, JSON.stringify(document));
      this.#options.sink.put(document);
    }
  }

  #begin(entity: Entity): Entity {
    this.#open.set(entity.id, entity);
    if (entity.longRunning) this.#send(this.#subsegmentDocument(entity), false);
    return entity;
  }

  #close(entity: Entity, at: number): void {
    if (!this.#open.delete(entity.id)) return;
    const document = this.#subsegmentDocument(entity, at);
    if (entity.longRunning) {
      this.#send(document, true);
    } else {
      this.#options.sink.put(document);
    }
  }

  /** Ends every open entity (innermost first) that lies within `ancestorId`, or all of them. */
  #closeOpen(at: number, ancestorId?: string): void {
    for (const entity of [...this.#open.values()].reverse()) {
      if (ancestorId !== undefined && !this.#isWithin(entity, ancestorId)) continue;
      this.#close(entity, entity.failedAt ?? at);
    }
    if (ancestorId === undefined) {
      this.#states.clear();
      this.#attempts.clear();
      this.#iterations.clear();
    }
  }

  #isWithin(entity: Entity, ancestorId: string): boolean {
    for (let parent = this.#open.get(entity.parentId); parent; parent = this.#open.get(parent.parentId)) {
      if (parent.id === ancestorId) return true;
    }
    return entity.parentId === ancestorId;
  }

  /** The subsegment a state nests in: its Parallel's, its Map iteration's, or the segment. */
  #parentOf(info: StateInfo | undefined, index: number | undefined): string {
    const enclosing =
      info?.enclosing === undefined ? undefined : this.#options.compiled.states.get(info.enclosing);
    if (!enclosing) return this.#segmentId;
    const enclosingKey = `${runLaneOf(enclosing, index)}|${enclosing.name}`;
    if (enclosing.state.Type === 'Map') {
      const iteration = this.#iterations.get(`${enclosingKey}#${index ?? 0}`);
      if (iteration) return iteration.id;
    }
    return this.#states.get(enclosingKey)?.id ?? this.#segmentId;
  }

  #stateEntered(name: string, type: string, index: number | undefined, at: number): void {
    const info = this.#options.compiled.states.get(name);
    const key = `${runLaneOf(info, index)}|${name}`;
    const state = this.#begin({
      id: newEntityId(),
      name,
      parentId: this.#parentOf(info, index),
      start: at,
      fields: {},
      longRunning: LONG_RUNNING.has(type),
    });
    this.#states.set(key, state);
    // A Fail state only enters: it ends the execution at once.
    if (type === 'Fail') {
      this.#close(state, at);
      this.#states.delete(key);
      return;
    }
    if (type === 'Task' && info) this.#attemptStarted(key, info, state);
  }

  #attemptStarted(key: string, info: StateInfo, state: Entity): void {
    const call = this.#options.calls.take(info.name);
    if (!call || !info.task) return;
    const { name, aws } = callOf(info.task, call.parameters, this.#options.region);
    const entity = this.#begin({
      id: call.attemptId ?? newEntityId(),
      name,
      parentId: state.id,
      start: Math.max(call.startedAt, state.start),
      fields: { namespace: 'aws', aws },
      longRunning: true,
    });
    this.#attempts.set(key, { entity, call });
  }

  #stateRetried(name: string, index: number | undefined, _at: number): void {
    const info = this.#options.compiled.states.get(name);
    const key = `${runLaneOf(info, index)}|${name}`;
    const state = this.#states.get(key);
    if (!state) return;
    state.failure = undefined;
    state.failedAt = undefined;
    if (info?.state.Type === 'Task') this.#attemptStarted(key, info, state);
  }

  #stateFailed(
    name: string,
    type: string,
    index: number | undefined,
    at: number,
    failure: { readonly error: string; readonly cause: string },
  ): void {
    const info = this.#options.compiled.states.get(name);
    const key = `${runLaneOf(info, index)}|${name}`;
    const state = this.#states.get(key);
    if (!state) return;
    const attempt = this.#attempts.get(key);
    if (type === 'Task' && attempt) {
      this.#attempts.delete(key);
      const attemptFailed = attemptFailure(attempt.call, failure.error, failure.cause);
      attempt.entity.failure = attemptFailed;
      const failedAt = attempt.call.outcome?.ok === false ? Math.min(attempt.call.outcome.at, at) : at;
      this.#close(attempt.entity, failedAt);
      // The state's own cause is its attempt's exception, named by id as X-Ray allows.
      const exceptionId = exceptionIdOf(attemptFailed);
      state.failure = { ...failureFlags(attemptFailed), cause: exceptionId ?? attemptFailed.cause };
    } else {
      state.failure = {
        fault: true,
        cause: { exceptions: [exceptionOf(failure.error, failure.cause, false)] },
      };
    }
    state.failedAt = at;
    // A Parallel or Map that fails cancels what still runs inside it.
    if (type === 'Parallel' || type === 'Map') this.#closeOpen(at, state.id);
  }

  #stateExited(name: string, type: string, index: number | undefined, at: number): void {
    const info = this.#options.compiled.states.get(name);
    const key = `${runLaneOf(info, index)}|${name}`;
    const attempt = this.#attempts.get(key);
    if (attempt) {
      this.#attempts.delete(key);
      const outcome = attempt.call.outcome;
      this.#close(attempt.entity, outcome ? Math.min(outcome.at, at) : at);
    }
    const state = this.#states.get(key);
    if (!state || type === 'Fail') return;
    this.#states.delete(key);
    this.#close(state, at);
  }

  #iterationStarted(mapName: string, index: number, at: number): void {
    const info = this.#options.compiled.states.get(mapName);
    const mapKey = `${runLaneOf(info, undefined)}|${mapName}`;
    const map = this.#states.get(mapKey);
    const iteration = this.#begin({
      id: newEntityId(),
      name: `Iteration ${index}`,
      parentId: map?.id ?? this.#segmentId,
      start: at,
      fields: {},
      longRunning: true,
    });
    this.#iterations.set(`${mapKey}#${index}`, iteration);
  }

  #iterationEnded(mapName: string, index: number, at: number): void {
    const info = this.#options.compiled.states.get(mapName);
    const key = `${runLaneOf(info, undefined)}|${mapName}#${index}`;
    const iteration = this.#iterations.get(key);
    if (!iteration) return;
    this.#iterations.delete(key);
    this.#closeOpen(at, iteration.id);
    this.#close(iteration, at);
  }
}
