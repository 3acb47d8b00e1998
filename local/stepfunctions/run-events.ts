import type { StateMachine } from 'aws-local-stepfunctions';

/** One event of aws-local-stepfunctions' `eventLogs`. */
export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** One invocation of a Task's local binding, as the history reports it. */
export interface TaskCall {
  readonly stateName: string;
  /** The Task's effective input (its resolved Parameters). */
  readonly parameters: unknown;
  readonly startedAt: number;
  /** The task token issued for this invocation, for `.waitForTaskToken` tasks. */
  token?: string;
  /** Id of the X-Ray subsegment of this attempt, when the execution is traced. */
  attemptId?: string;
  outcome?:
    | { readonly ok: true; readonly output: unknown; readonly at: number }
    | { readonly ok: false; readonly error: unknown; readonly at: number };
}

/**
 * The Task invocations of one run, per state name, in call order. The interpreter calls a Task's
 * binding in the same tick as it dispatches the state's StateEntered (or StateRetried) event, and
 * the history is written when that event is read, later: so the recorder pairs each such event with
 * the oldest invocation of that state it has not paired yet. Map iterations running the same Task
 * concurrently may be paired out of order; nothing in this project uses Map.
 */
export class TaskCallLog {
  readonly #unclaimed = new Map<string, TaskCall[]>();

  record(stateName: string, parameters: unknown): TaskCall {
    const call: TaskCall = { stateName, parameters, startedAt: Date.now() };
    this.add(call);
    return call;
  }

  /** Queues a call recorded in another log too (each reader pairs calls with events on its own). */
  add(call: TaskCall): void {
    const queue = this.#unclaimed.get(call.stateName) ?? [];
    queue.push(call);
    this.#unclaimed.set(call.stateName, queue);
  }

  take(stateName: string): TaskCall | undefined {
    return this.#unclaimed.get(stateName)?.shift();
  }
}
