import { isEntityId, isTraceId } from '../xray/ids';
import {
  formatTraceHeader,
  newEntityId,
  newTraceId,
  parseTraceHeader,
  type SegmentSink,
} from '../xray/trace-header';
import type { CompiledDefinition, StateInfo, TaskResource } from './compiled-definition';
import type { ExecutionOutcome } from './execution-store';
import type { InterpreterEvent, TaskCall, TaskCallLog } from './history-recorder';
import { TaskFailedError } from './task-error';

/** Where an execution writes its X-Ray segments. */
export interface ExecutionTrace {
  readonly traceId: string;
  /** The caller's segment or subsegment (the `Parent` of StartExecution's header): the segment's parent. */
  readonly parentId?: string;
}

/**
 * Step Functions' tracing decision at StartExecution. A state machine with tracing enabled traces every
 * execution, continuing the trace of the header it was given or starting one; one without tracing
 * traces only an execution whose header says `Sampled=1`, as AWS documents ("if a trace ID is passed
 * by an upstream service, Step Functions will then send traces"). `Sampled=0` is the caller's decision
 * not to trace. Returns the trace id, or undefined when the execution is not traced.
 */
export const traceIdFor = (tracingEnabled: boolean, traceHeader: string | undefined): string | undefined => {
  const header = parseTraceHeader(traceHeader);
  if (header?.sampled === false) return undefined;
  if (!tracingEnabled && header?.sampled !== true) return undefined;
  return header && isTraceId(header.root) ? header.root : newTraceId();
};

/** The trace of a stored execution: its trace id, and the parent its StartExecution header named. */
export const executionTraceOf = (execution: {
  readonly traceId?: string;
  readonly traceHeader?: string;
}): ExecutionTrace | undefined => {
  if (execution.traceId === undefined) return undefined;
  const header = parseTraceHeader(execution.traceHeader);
  const continues = header?.root === execution.traceId && isEntityId(header.parent);
  return { traceId: execution.traceId, ...(continues && header.parent ? { parentId: header.parent } : {}) };
};

/**
 * The header an untraced execution passes to the functions it invokes: its caller's trace id with the
 * caller's decision not to sample, so the trace id still follows the request. Undefined without one.
 */
export const untracedHeaderOf = (traceHeader: string | undefined): string | undefined => {
  const header = parseTraceHeader(traceHeader);
  return header && isTraceId(header.root)
    ? formatTraceHeader({ root: header.root, sampled: false })
    : undefined;
};

/** The header a traced Task attempt passes downstream: the function's segments nest under the attempt. */
export const attemptHeader = (traceId: string, attemptId: string): string =>
  formatTraceHeader({ root: traceId, parent: attemptId, sampled: true });

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

/** The failure fields of an X-Ray entity: flags, and the cause (an exception, or a child's exception id). */
interface Failure {
  readonly error?: true;
  readonly throttle?: true;
  readonly fault?: true;
  readonly cause: { readonly exceptions: readonly Record<string, unknown>[] } | string;
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

/** An X-Ray exception message is kept short: a document is capped at 64 KiB and causes reach 32 KiB. */
const MAX_MESSAGE = 1024;

const seconds = (ms: number): number => ms / 1000;

/**
 * X-Ray takes segment names of letters, numbers, white space and `_ . : / % & # = + \ - @`; a state
 * machine name may also hold `!`, `'`, `(`, …, which become `_`.
 */
const segmentNameOf = (stateMachineName: string): string =>
  stateMachineName.replace(/[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/gu, '_').slice(0, 200);

const exceptionOf = (type: string, message: string, remote: boolean): Record<string, unknown> => ({
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
const attemptFailure = (call: TaskCall | undefined, error: string, cause: string): Failure => {
  const thrown = call?.outcome?.ok === false ? call.outcome.error : undefined;
  const status = thrown instanceof TaskFailedError ? thrown.httpStatus : undefined;
  const exceptions = [exceptionOf(error, cause, true)];
  if (status === 429) return { error: true, throttle: true, cause: { exceptions } };
  if (status !== undefined && status >= 400 && status < 500) return { error: true, cause: { exceptions } };
  return { fault: true, cause: { exceptions } };
};

const failureFlags = (failure: Failure): Omit<Failure, 'cause'> => ({
  ...(failure.error ? { error: true } : {}),
  ...(failure.throttle ? { throttle: true } : {}),
  ...(failure.fault ? { fault: true } : {}),
});

/** The first exception id of a failure, which a parent names as its own cause. */
const exceptionIdOf = (failure: Failure): string | undefined =>
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
const callOf = (
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
      start_time: seconds(this.#segmentStart),
      ...(end === undefined
        ? { in_progress: true }
        : { end_time: seconds(Math.max(end, this.#segmentStart)) }),
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
      start_time: seconds(entity.start),
      ...(end === undefined ? { in_progress: true } : { end_time: seconds(Math.max(end, entity.start)) }),
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

  #laneOf(info: StateInfo | undefined, index: number | undefined): string {
    const lane = info?.lane ?? '';
    return lane.endsWith('#') ? `${lane}${index ?? 0}` : lane;
  }

  /** The subsegment a state nests in: its Parallel's, its Map iteration's, or the segment. */
  #parentOf(info: StateInfo | undefined, index: number | undefined): string {
    const enclosing =
      info?.enclosing === undefined ? undefined : this.#options.compiled.states.get(info.enclosing);
    if (!enclosing) return this.#segmentId;
    const enclosingKey = `${this.#laneOf(enclosing, index)}|${enclosing.name}`;
    if (enclosing.state.Type === 'Map') {
      const iteration = this.#iterations.get(`${enclosingKey}#${index ?? 0}`);
      if (iteration) return iteration.id;
    }
    return this.#states.get(enclosingKey)?.id ?? this.#segmentId;
  }

  #stateEntered(name: string, type: string, index: number | undefined, at: number): void {
    const info = this.#options.compiled.states.get(name);
    const key = `${this.#laneOf(info, index)}|${name}`;
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
    const key = `${this.#laneOf(info, index)}|${name}`;
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
    const key = `${this.#laneOf(info, index)}|${name}`;
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
    const key = `${this.#laneOf(info, index)}|${name}`;
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
    const mapKey = `${this.#laneOf(info, undefined)}|${mapName}`;
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
    const key = `${this.#laneOf(info, undefined)}|${mapName}#${index}`;
    const iteration = this.#iterations.get(key);
    if (!iteration) return;
    this.#iterations.delete(key);
    this.#closeOpen(at, iteration.id);
    this.#close(iteration, at);
  }
}

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
    const start = typeof document.start_time === 'number' ? document.start_time : seconds(at);
    const { in_progress: _, ...rest } = document;
    const segment = document.type !== 'subsegment';
    sink.put({
      ...rest,
      end_time: Math.max(start, seconds(at)),
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
