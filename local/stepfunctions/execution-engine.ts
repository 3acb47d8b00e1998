import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { newEntityId, type SegmentSink } from '../xray/trace-header';
import { StepFunctionsApiError } from './api-errors';
import { executionArnOf, type Partition } from './arns';
import { type CompiledDefinition, compileDefinition, type WaitOverrides } from './compiled-definition';
import { executionContext } from './context-object';
import {
  definitionHash,
  type ExecutionRecord,
  type ExecutionStore,
  type StateMachineRecord,
  type StoredHistoryEvent,
} from './execution-store';
import {
  attemptHeader,
  type ExecutionTrace,
  executionTraceOf,
  traceIdFor,
  untracedHeaderOf,
} from './execution-trace';
import { ExecutionTracer } from './execution-tracer';
import { HistoryRecorder } from './history-recorder';
import { type TaskCall, TaskCallLog } from './run-events';
import { closeInterruptedDocuments } from './segment-documents';
import { type ExecutionEventSink, publishStatusChange } from './status-change-events';
import type {
  TaskBindingPorts,
  TaskBindings,
  TaskCallContext,
  TaskResourceLocalHandlers,
} from './task-bindings';
import { UnhandleableTaskError } from './task-error';
import { type TaskTokenLimits, TaskTokens } from './task-tokens';

/** The Task invocation a task token is issued in, found through the async context of the call. */
const tokenOwner = new AsyncLocalStorage<{ readonly call: TaskCall; readonly tokens: Set<string> }>();

/**
 * The task-token registry, remembering which execution (and which Task invocation) each token
 * belongs to: a stopped execution's tokens are cancelled, and the history shows the token the
 * worker received.
 */
export class ExecutionTaskTokens extends TaskTokens {
  override issue(limits?: TaskTokenLimits): string {
    const token = super.issue(limits);
    const owner = tokenOwner.getStore();
    if (owner) {
      owner.call.token = token;
      owner.tokens.add(token);
    }
    return token;
  }
}

export interface ExecutionEngineOptions {
  readonly store: ExecutionStore;
  readonly ports: Omit<TaskBindingPorts, 'taskTokens'>;
  readonly taskTokens: ExecutionTaskTokens;
  readonly partition: Partition;
  readonly waits?: WaitOverrides;
  /** Where traced executions write their X-Ray segments (the local X-Ray); none: nothing is written. */
  readonly segments?: SegmentSink;
  /** Where each status change goes as a "Step Functions Execution Status Change" event; none: nowhere. */
  readonly events?: ExecutionEventSink;
  readonly logger?: Pick<Console, 'warn'>;
}

/** What StartExecution asks for, already validated. */
export interface ExecutionRequest {
  readonly name?: string;
  readonly input: string;
  readonly traceHeader?: string;
}

interface RunningExecution {
  readonly recorder: HistoryRecorder;
  readonly tracer?: ExecutionTracer;
  readonly tokens: Set<string>;
  /** Set when the run must not call anything any more (stopped, or the service is closing). */
  stopped: boolean;
  abort: () => void;
  done: Promise<void>;
}

type RunMode = 'start' | 'redrive' | 'resume';

/**
 * Runs executions with aws-local-stepfunctions and keeps their records: one interpreter instance per
 * definition, the Task bindings wrapped so each invocation lands in the history, and every event
 * written to the store as it happens.
 */
export class ExecutionEngine {
  readonly #options: ExecutionEngineOptions;
  readonly #compiled = new Map<string, CompiledDefinition>();
  readonly #running = new Map<string, RunningExecution>();
  #closing = false;

  constructor(options: ExecutionEngineOptions) {
    this.#options = options;
  }

  /** Validates a definition (once per distinct text) and keeps it ready to run. */
  compile(definition: string): CompiledDefinition {
    const cached = this.#compiled.get(definitionHash(definition));
    if (cached) return cached;
    const compiled = compileDefinition(
      definition,
      { ...this.#options.ports, taskTokens: this.#options.taskTokens },
      this.#options.waits,
    );
    this.#compiled.set(compiled.hash, compiled);
    return compiled;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /**
   * StartExecution. Names are unique per state machine: the same name and input while that
   * execution runs answers the original execution (AWS's idempotent start); anything else is
   * `ExecutionAlreadyExists`.
   */
  start(machine: StateMachineRecord, request: ExecutionRequest): ExecutionRecord {
    this.#assertOpen();
    const { partition, store } = this.#options;
    const name = request.name ?? randomUUID();
    const executionArn = executionArnOf(partition, machine.name, name);
    const existing = store.getExecution(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === request.input) return existing;
      throw new StepFunctionsApiError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const compiled = this.compile(machine.definition);
    const traceId = traceIdFor(machine.tracingEnabled, request.traceHeader);
    const execution = store.insertExecution(
      {
        executionArn,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        name,
        definitionHash: compiled.hash,
        roleArn: machine.roleArn,
        status: 'RUNNING',
        input: request.input,
        ...(request.traceHeader !== undefined ? { traceHeader: request.traceHeader } : {}),
        ...(traceId !== undefined ? { traceId } : {}),
        startDate: Date.now(),
        redriveCount: 0,
      },
      compiled.text,
    );
    this.#statusChanged(execution);
    this.#launch(execution, compiled, 'start');
    return execution;
  }

  /**
   * StopExecution: the history gets `<Type>StateAborted` for the open states and `ExecutionAborted`,
   * the interpreter is aborted and the execution's task tokens are cancelled. A closed execution is
   * left as it is.
   */
  stop(execution: ExecutionRecord, error?: string, cause?: string): ExecutionRecord {
    if (execution.status !== 'RUNNING') return execution;
    const running = this.#running.get(execution.executionArn);
    const now = Date.now();
    if (running) {
      running.stopped = true;
      running.recorder.abort(error, cause, now);
      running.abort();
      this.#cancelTokens(running);
    } else {
      const aborted: StoredHistoryEvent = {
        id: execution.lastEventId + 1,
        previousEventId: execution.lastEventId,
        timestamp: now,
        type: 'ExecutionAborted',
        executionAbortedEventDetails: {
          ...(error !== undefined ? { error } : {}),
          ...(cause !== undefined ? { cause } : {}),
        },
      };
      this.#options.store.append(execution, [aborted], {
        status: 'ABORTED',
        stopDate: now,
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
      this.#statusChanged(execution.executionArn);
    }
    return this.#options.store.getExecution(execution.executionArn) ?? execution;
  }

  /**
   * RedriveExecution, done locally by running the definition again from the start with the same
   * input (the workflow is idempotent); the history gets `ExecutionRedriven` and `$$.Execution.RedriveCount`
   * counts up.
   */
  redrive(execution: ExecutionRecord): ExecutionRecord {
    this.#assertOpen();
    if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') {
      throw new StepFunctionsApiError(
        'ExecutionNotRedrivable',
        `Execution is ${execution.status} and cannot be redriven: '${execution.executionArn}'`,
      );
    }
    const compiled = this.#compiledFor(execution);
    const reopened = this.#options.store.reopenForRedrive(execution, Date.now());
    this.#statusChanged(reopened);
    this.#launch(reopened, compiled, 'redrive');
    return reopened;
  }

  /**
   * Runs again, from the start and with the same input, every execution the store still has as
   * RUNNING: they were running when the service last stopped. Returns how many.
   */
  resumeInterrupted(): number {
    this.#assertOpen();
    let resumed = 0;
    for (const execution of this.#options.store.runningExecutions()) {
      if (this.#running.has(execution.executionArn)) continue;
      this.#closeInterruptedTrace(execution);
      let compiled: CompiledDefinition;
      try {
        compiled = this.#compiledFor(execution);
      } catch (error) {
        this.#failUnrunnable(execution, error);
        continue;
      }
      this.#launch(execution, compiled, 'resume');
      resumed += 1;
    }
    return resumed;
  }

  /**
   * Stops taking executions, waits up to `timeoutMs` for the running ones, then leaves the rest
   * RUNNING in the store (they are resumed by the next `resumeInterrupted`) and stops their runs.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    const all = Promise.all([...this.#running.values()].map((running) => running.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const running of this.#running.values()) {
      running.stopped = true;
      running.recorder.detach();
      running.tracer?.detach();
      running.abort();
      this.#cancelTokens(running);
    }
    await Promise.all([...this.#running.values()].map((running) => running.done));
  }

  /** Resolves once the given execution's run has ended (at once when it is not running here). */
  async settled(executionArn: string): Promise<void> {
    await this.#running.get(executionArn)?.done;
  }

  #assertOpen(): void {
    if (this.#closing) {
      throw new StepFunctionsApiError(
        'ServiceUnavailable',
        'The local Step Functions service is stopping',
        503,
      );
    }
  }

  #compiledFor(execution: ExecutionRecord): CompiledDefinition {
    const cached = this.#compiled.get(execution.definitionHash);
    if (cached) return cached;
    const definition = this.#options.store.definition(execution.definitionHash);
    if (definition === undefined) throw new Error(`definition ${execution.definitionHash} is missing`);
    return this.compile(definition);
  }

  #failUnrunnable(execution: ExecutionRecord, error: unknown): void {
    const now = Date.now();
    const cause = `the definition can no longer run locally: ${(error as Error).message}`;
    this.#options.store.append(
      execution,
      [
        {
          id: execution.lastEventId + 1,
          previousEventId: execution.lastEventId,
          timestamp: now,
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: 'States.Runtime', cause },
        },
      ],
      { status: 'FAILED', stopDate: now, error: 'States.Runtime', cause },
    );
    this.#statusChanged(execution.executionArn);
  }

  /**
   * Sends the execution's status to the event sink, as Step Functions sends every status change of a
   * Standard execution to EventBridge (best effort: a failing sink never fails the execution). A run
   * resumed after a restart changes no status, so it sends nothing until it ends.
   */
  #statusChanged(execution: ExecutionRecord | string): void {
    const { events, store, logger } = this.#options;
    if (!events) return;
    try {
      const record = typeof execution === 'string' ? store.getExecution(execution) : execution;
      if (record) publishStatusChange(events, record);
    } catch (error) {
      logger?.warn(`local Step Functions: the status change event was not sent: ${(error as Error).message}`);
    }
  }

  /**
   * Closes the X-Ray documents a run left in progress when the service stopped under it, ending them
   * at the execution's last recorded event. The run that follows writes a new segment in the same trace.
   */
  #closeInterruptedTrace(execution: ExecutionRecord): void {
    const { store, segments } = this.#options;
    const open = store.openTraceDocuments(execution);
    if (open.length === 0) return;
    const last = store.events(execution, { reverse: true, limit: 1 })[0];
    try {
      const closed = segments ? closeInterruptedDocuments(open, last?.timestamp ?? Date.now(), segments) : [];
      for (const id of closed) store.deleteOpenTraceDocument(execution, id);
    } catch (error) {
      this.#options.logger?.warn(
        `local Step Functions: closing the trace of ${execution.executionArn} failed: ${(error as Error).message}`,
      );
    }
  }

  #tracerFor(
    execution: ExecutionRecord,
    compiled: CompiledDefinition,
    trace: ExecutionTrace | undefined,
    calls: TaskCallLog,
  ): ExecutionTracer | undefined {
    const { store, partition, segments, logger } = this.#options;
    if (!trace || !segments) return undefined;
    return new ExecutionTracer({
      compiled,
      trace,
      execution,
      region: partition.region,
      accountId: partition.accountId,
      sink: segments,
      openDocuments: {
        save: (id, body) => store.putOpenTraceDocument(execution, id, body),
        remove: (id) => store.deleteOpenTraceDocument(execution, id),
      },
      calls,
      ...(logger ? { logger } : {}),
    });
  }

  #cancelTokens(running: RunningExecution): void {
    for (const token of running.tokens) this.#options.taskTokens.cancel(token);
  }

  #launch(execution: ExecutionRecord, compiled: CompiledDefinition, mode: RunMode): void {
    const { store, partition } = this.#options;
    if (mode === 'redrive') this.#closeInterruptedTrace(execution);
    const trace = executionTraceOf(execution);
    const calls = new TaskCallLog();
    const tracedCalls = new TaskCallLog();
    const tracer = this.#tracerFor(execution, compiled, trace, tracedCalls);
    const recorder = new HistoryRecorder({
      compiled,
      region: partition.region,
      roleArn: execution.roleArn,
      lastEventId: execution.lastEventId,
      calls,
      sink: {
        write: (events, outcome) => {
          store.append(execution, events, outcome);
          if (outcome) {
            tracer?.finish(outcome);
            this.#statusChanged(execution.executionArn);
          }
        },
      },
    });
    const running: RunningExecution = {
      recorder,
      ...(tracer ? { tracer } : {}),
      tokens: new Set(),
      stopped: false,
      abort: () => undefined,
      done: Promise.resolve(),
    };
    if (mode === 'resume') recorder.interrupted();
    if (mode === 'redrive') recorder.redriven(execution.redriveCount);
    const runStart =
      mode === 'start' ? execution.startDate : mode === 'redrive' ? execution.redriveDate : undefined;
    tracer?.start(runStart ?? Date.now());
    const downstream = trace
      ? { traced: { traceId: trace.traceId, calls: tracer ? tracedCalls : undefined } }
      : { untracedHeader: untracedHeaderOf(execution.traceHeader) };
    const run = compiled.machine.run(JSON.parse(execution.input), {
      overrides: {
        taskResourceLocalHandlers: this.#observed(compiled.bindings, calls, running, downstream),
        ...(compiled.retryIntervalOverrides
          ? { retryIntervalOverrides: compiled.retryIntervalOverrides }
          : {}),
        ...(compiled.waitTimeOverrides ? { waitTimeOverrides: compiled.waitTimeOverrides } : {}),
      },
      context: executionContext({
        executionArn: execution.executionArn,
        name: execution.name,
        stateMachineArn: execution.stateMachineArn,
        stateMachineName: execution.stateMachineName,
        roleArn: execution.roleArn,
        redriveCount: execution.redriveCount,
      }),
    });
    running.abort = run.abort;
    // The outcome is read from the event log; the result only settles the interpreter's promise.
    run.result.catch(() => undefined);
    this.#running.set(execution.executionArn, running);
    running.done = (async () => {
      try {
        for await (const event of run.eventLogs) {
          recorder.record(event);
          tracer?.record(event);
        }
      } catch (error) {
        // The store refused a write: the execution stays RUNNING on disk and resumes on the next start.
        this.#options.logger?.warn(
          `local Step Functions: recording ${execution.executionArn} failed: ${(error as Error).message}`,
        );
        recorder.detach();
        tracer?.detach();
        running.stopped = true;
        run.abort();
      } finally {
        this.#cancelTokens(running);
        this.#running.delete(execution.executionArn);
      }
    })();
  }

  /**
   * Wraps each Task binding so its invocations are logged for the history and its task tokens are
   * attributed. Once the run is stopped no binding is called any more: aws-local-stepfunctions would
   * otherwise retry a Task that fails after the abort (its retry wait ends at once on abort).
   *
   * In a traced execution each invocation is an attempt with its own X-Ray subsegment id, and the
   * binding passes `Root=<trace>;Parent=<attempt>;Sampled=1` to the function it invokes; an untraced
   * one passes its caller's trace id unsampled, if it was given one.
   */
  #observed(
    bindings: TaskBindings,
    calls: TaskCallLog,
    running: RunningExecution,
    downstream:
      | { readonly traced: { readonly traceId: string; readonly calls: TaskCallLog | undefined } }
      | { readonly untracedHeader: string | undefined },
  ): TaskResourceLocalHandlers {
    const untraced: TaskCallContext =
      'untracedHeader' in downstream && downstream.untracedHeader !== undefined
        ? { traceHeader: downstream.untracedHeader }
        : {};
    return Object.fromEntries(
      Object.entries(bindings).map(([name, handler]) => [
        name,
        async (input) => {
          if (running.stopped) throw new UnhandleableTaskError('States.Runtime', 'the execution was stopped');
          const call = calls.record(name, input);
          let context = untraced;
          if ('traced' in downstream) {
            call.attemptId = newEntityId();
            downstream.traced.calls?.add(call);
            context = { traceHeader: attemptHeader(downstream.traced.traceId, call.attemptId) };
          }
          try {
            const output = await tokenOwner.run({ call, tokens: running.tokens }, () =>
              handler(input, context),
            );
            call.outcome = { ok: true, output, at: Date.now() };
            return output;
          } catch (error) {
            call.outcome = { ok: false, error, at: Date.now() };
            throw error;
          }
        },
      ]),
    );
  }
}
