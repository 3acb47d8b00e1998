import type { z } from 'zod';
import { formatTraceHeader } from '../xray/trace-header';
import { lengthError, StepFunctionsApiError } from './api-errors';
import {
  assertRoleArn,
  assertValidName,
  type Partition,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArnOf,
} from './arns';
import type { ExecutionEngine, ExecutionTaskTokens } from './execution-engine';
import type { ExecutionCursor, ExecutionRecord, ExecutionStore, StoredHistoryEvent } from './execution-store';
import {
  assertJson,
  assertMax,
  DEFAULT_PAGE,
  decodeToken,
  encodeToken,
  MAX_CAUSE,
  MAX_ERROR,
  MAX_TOKEN,
  MAX_TRACE_HEADER,
  type OperationName,
  parse,
  schemas,
  TOKEN_ALPHABET,
} from './operation-requests';
import { TaskTokenError } from './task-tokens';

const DEFAULT_ROLE_ARN = 'arn:aws:iam::000000000000:role/docflow-local-state-machine';

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Drops undefined fields, so the JSON carries only what is set. */
const defined = <T extends Record<string, unknown>>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;

export interface StepFunctionsApiOptions {
  readonly store: ExecutionStore;
  readonly engine: ExecutionEngine;
  readonly taskTokens: ExecutionTaskTokens;
  readonly partition: Partition;
}

/** A state machine to create, or to update when one of that name exists. */
export interface StateMachineRegistration {
  readonly name: string;
  /** The definition, substitutions already applied: JSON text or the parsed object. */
  readonly definition: string | object;
  readonly roleArn?: string;
  readonly tracingEnabled?: boolean;
}

/**
 * The Step Functions API operations, each taking the request's JSON and returning the response's
 * (dates in epoch seconds, as AWS JSON 1.0 carries them). Refusals are `StepFunctionsApiError`s named
 * like AWS names them.
 */
export class StepFunctionsApi {
  readonly #store: ExecutionStore;
  readonly #engine: ExecutionEngine;
  readonly #taskTokens: ExecutionTaskTokens;
  readonly #partition: Partition;

  constructor(options: StepFunctionsApiOptions) {
    this.#store = options.store;
    this.#engine = options.engine;
    this.#taskTokens = options.taskTokens;
    this.#partition = options.partition;
  }

  call(operation: OperationName, input: unknown): unknown {
    switch (operation) {
      case 'CreateStateMachine':
        return this.createStateMachine(parse(schemas.CreateStateMachine, input));
      case 'UpdateStateMachine':
        return this.#updateStateMachine(parse(schemas.UpdateStateMachine, input));
      case 'DescribeStateMachine':
        return this.#describeStateMachine(parse(schemas.DescribeStateMachine, input));
      case 'ListStateMachines':
        return this.#listStateMachines(parse(schemas.ListStateMachines, input));
      case 'DescribeStateMachineForExecution':
        return this.#describeStateMachineForExecution(parse(schemas.DescribeStateMachineForExecution, input));
      case 'StartExecution':
        return this.#startExecution(parse(schemas.StartExecution, input));
      case 'DescribeExecution':
        return this.#describeExecution(parse(schemas.DescribeExecution, input));
      case 'ListExecutions':
        return this.#listExecutions(parse(schemas.ListExecutions, input));
      case 'GetExecutionHistory':
        return this.#getExecutionHistory(parse(schemas.GetExecutionHistory, input));
      case 'StopExecution':
        return this.#stopExecution(parse(schemas.StopExecution, input));
      case 'RedriveExecution':
        return this.#redriveExecution(parse(schemas.RedriveExecution, input));
      case 'SendTaskSuccess':
        return this.#sendTaskSuccess(parse(schemas.SendTaskSuccess, input));
      case 'SendTaskFailure':
        return this.#sendTaskFailure(parse(schemas.SendTaskFailure, input));
      case 'SendTaskHeartbeat':
        return this.#sendTaskHeartbeat(parse(schemas.SendTaskHeartbeat, input));
    }
  }

  /**
   * CreateStateMachine. As in AWS it is idempotent: the same name with the same definition and role
   * answers the existing state machine; a different one is `StateMachineAlreadyExists`.
   */
  createStateMachine(input: z.infer<(typeof schemas)['CreateStateMachine']>): {
    stateMachineArn: string;
    creationDate: number;
  } {
    assertValidName(input.name);
    assertRoleArn(input.roleArn);
    if (input.type !== undefined && input.type !== 'STANDARD') {
      throw new StepFunctionsApiError(
        'StateMachineTypeNotSupported',
        `State machine type ${input.type} is not supported locally: only STANDARD workflows run here`,
      );
    }
    const arn = stateMachineArnOf(this.#partition, input.name);
    const existing = this.#store.getStateMachine(arn);
    if (existing) {
      if (existing.definition !== input.definition || existing.roleArn !== input.roleArn) {
        throw new StepFunctionsApiError(
          'StateMachineAlreadyExists',
          `State Machine Already Exists: '${arn}'`,
        );
      }
      return { stateMachineArn: arn, creationDate: existing.creationDate / 1000 };
    }
    this.#engine.compile(input.definition);
    const now = Date.now();
    this.#store.putStateMachine({
      arn,
      name: input.name,
      definition: input.definition,
      roleArn: input.roleArn,
      type: 'STANDARD',
      tracingEnabled: input.tracingConfiguration?.enabled ?? false,
      creationDate: now,
      updateDate: now,
    });
    return { stateMachineArn: arn, creationDate: now / 1000 };
  }

  /** Creates the state machine, or updates its definition and role when it exists. */
  register(registration: StateMachineRegistration): { stateMachineArn: string } {
    const definition =
      typeof registration.definition === 'string'
        ? registration.definition
        : JSON.stringify(registration.definition);
    const roleArn = registration.roleArn ?? DEFAULT_ROLE_ARN;
    const arn = stateMachineArnOf(this.#partition, registration.name);
    if (this.#store.getStateMachine(arn)) {
      this.#updateStateMachine({
        stateMachineArn: arn,
        definition,
        roleArn,
        tracingConfiguration: { enabled: registration.tracingEnabled ?? false },
      });
      return { stateMachineArn: arn };
    }
    return this.createStateMachine({
      name: registration.name,
      definition,
      roleArn,
      tracingConfiguration: { enabled: registration.tracingEnabled ?? false },
    });
  }

  #machine(stateMachineArn: string) {
    parseStateMachineArn(stateMachineArn);
    const machine = this.#store.getStateMachine(stateMachineArn);
    if (!machine) {
      throw new StepFunctionsApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return machine;
  }

  #execution(executionArn: string): ExecutionRecord {
    parseExecutionArn(executionArn);
    const execution = this.#store.getExecution(executionArn);
    if (!execution) {
      throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    return execution;
  }

  /** Running executions keep the definition they started with, as in AWS. */
  #updateStateMachine(input: z.infer<(typeof schemas)['UpdateStateMachine']>) {
    const machine = this.#machine(input.stateMachineArn);
    if (input.roleArn !== undefined) assertRoleArn(input.roleArn);
    if (input.definition !== undefined) this.#engine.compile(input.definition);
    const updateDate = Date.now();
    this.#store.putStateMachine({
      ...machine,
      definition: input.definition ?? machine.definition,
      roleArn: input.roleArn ?? machine.roleArn,
      tracingEnabled: input.tracingConfiguration?.enabled ?? machine.tracingEnabled,
      updateDate,
    });
    return { updateDate: updateDate / 1000 };
  }

  #describeStateMachine(input: z.infer<(typeof schemas)['DescribeStateMachine']>) {
    const machine = this.#machine(input.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: machine.creationDate / 1000,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: machine.tracingEnabled },
    };
  }

  #listStateMachines(input: z.infer<(typeof schemas)['ListStateMachines']>) {
    const limit = input.maxResults || DEFAULT_PAGE;
    const after =
      input.nextToken === undefined
        ? undefined
        : decodeToken<{ n: string }>(input.nextToken, 'sm', (value) => typeof value.n === 'string').n;
    const page = this.#store.listStateMachines(limit + 1, after);
    const shown = page.slice(0, limit);
    const last = shown.at(-1);
    return defined({
      stateMachines: shown.map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: machine.creationDate / 1000,
      })),
      nextToken: page.length > limit && last ? encodeToken({ k: 'sm', n: last.name }) : undefined,
    });
  }

  #describeStateMachineForExecution(input: z.infer<(typeof schemas)['DescribeStateMachineForExecution']>) {
    const execution = this.#execution(input.executionArn);
    const machine = this.#store.getStateMachine(execution.stateMachineArn);
    return defined({
      stateMachineArn: execution.stateMachineArn,
      name: execution.stateMachineName,
      definition: this.#store.definition(execution.definitionHash),
      roleArn: execution.roleArn,
      updateDate: (machine?.updateDate ?? execution.startDate) / 1000,
      tracingConfiguration: { enabled: machine?.tracingEnabled ?? false },
    });
  }

  #startExecution(input: z.infer<(typeof schemas)['StartExecution']>) {
    const machine = this.#machine(input.stateMachineArn);
    if (input.name !== undefined) assertValidName(input.name);
    const executionInput = input.input ?? '{}';
    assertJson(executionInput, 'InvalidExecutionInput', 'input');
    assertMax('traceHeader', input.traceHeader, MAX_TRACE_HEADER);
    const execution = this.#engine.start(machine, {
      input: executionInput,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.traceHeader !== undefined ? { traceHeader: input.traceHeader } : {}),
    });
    return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
  }

  #describeExecution(input: z.infer<(typeof schemas)['DescribeExecution']>) {
    const execution = this.#execution(input.executionArn);
    const data = input.includedData !== 'METADATA_ONLY';
    const redrivable = execution.status !== 'RUNNING' && execution.status !== 'SUCCEEDED';
    return defined({
      ...executionSummaryOf(execution),
      input: data ? execution.input : undefined,
      inputDetails: { included: data },
      output: data ? execution.output : undefined,
      outputDetails: execution.output !== undefined ? { included: data } : undefined,
      traceHeader: traceHeaderOf(execution),
      error: execution.error,
      cause: execution.cause,
      redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: redrivable ? undefined : `Execution is ${execution.status} and cannot be redriven`,
    });
  }

  #listExecutions(input: z.infer<(typeof schemas)['ListExecutions']>) {
    this.#machine(input.stateMachineArn);
    const limit = input.maxResults || DEFAULT_PAGE;
    const status = input.statusFilter ?? null;
    const after =
      input.nextToken === undefined
        ? undefined
        : decodeToken<ExecutionCursor & { m: string; s: string | null }>(
            input.nextToken,
            'ex',
            (value) =>
              value.m === input.stateMachineArn &&
              value.s === status &&
              Number.isSafeInteger(value.startDate) &&
              Number.isSafeInteger(value.seq),
          );
    // No execution waits for a redrive here: a FAILED one is redriven at once or not at all.
    const page =
      status === 'PENDING_REDRIVE'
        ? []
        : this.#store.listExecutions(input.stateMachineArn, {
            ...(status ? { status } : {}),
            ...(after ? { after: { startDate: after.startDate, seq: after.seq } } : {}),
            limit: limit + 1,
          });
    const shown = page.slice(0, limit);
    const last = shown.at(-1);
    return defined({
      executions: shown.map((execution) => defined(executionSummaryOf(execution))),
      nextToken:
        page.length > limit && last
          ? encodeToken({
              k: 'ex',
              m: input.stateMachineArn,
              s: status,
              startDate: last.startDate,
              seq: last.seq,
            })
          : undefined,
    });
  }

  #getExecutionHistory(input: z.infer<(typeof schemas)['GetExecutionHistory']>) {
    const execution = this.#execution(input.executionArn);
    const limit = input.maxResults || DEFAULT_PAGE;
    const reverse = input.reverseOrder ?? false;
    const from =
      input.nextToken === undefined
        ? undefined
        : decodeToken<{ e: string; r: boolean; n: number }>(
            input.nextToken,
            'h',
            (value) =>
              value.e === execution.executionArn && value.r === reverse && Number.isSafeInteger(value.n),
          ).n;
    const page = this.#store.events(execution, {
      reverse,
      limit: limit + 1,
      ...(from !== undefined ? { fromId: from } : {}),
    });
    const shown = page.slice(0, limit);
    const next = page[limit];
    const withData = input.includeExecutionData ?? true;
    return defined({
      events: shown.map((event) => toWireEvent(event, withData)),
      nextToken: next
        ? encodeToken({ k: 'h', e: execution.executionArn, r: reverse, n: next.id })
        : undefined,
    });
  }

  #stopExecution(input: z.infer<(typeof schemas)['StopExecution']>) {
    assertMax('error', input.error, MAX_ERROR);
    assertMax('cause', input.cause, MAX_CAUSE);
    const execution = this.#engine.stop(this.#execution(input.executionArn), input.error, input.cause);
    return { stopDate: (execution.stopDate ?? Date.now()) / 1000 };
  }

  #redriveExecution(input: z.infer<(typeof schemas)['RedriveExecution']>) {
    const execution = this.#engine.redrive(this.#execution(input.executionArn));
    return { redriveDate: (execution.redriveDate ?? Date.now()) / 1000 };
  }

  #token(taskToken: string): string {
    if (taskToken.length === 0 || taskToken.length > MAX_TOKEN) {
      throw lengthError('taskToken', taskToken.slice(0, 64), MAX_TOKEN);
    }
    if (!TOKEN_ALPHABET.test(taskToken)) {
      throw new StepFunctionsApiError('InvalidToken', `Invalid Token: '${taskToken.slice(0, 64)}'`);
    }
    return taskToken;
  }

  #callback(action: () => void): Record<string, never> {
    try {
      action();
      return {};
    } catch (error) {
      if (error instanceof TaskTokenError) {
        throw new StepFunctionsApiError(
          error.name === 'TaskTimedOut' ? 'TaskTimedOut' : 'TaskDoesNotExist',
          error.message,
        );
      }
      throw error;
    }
  }

  #sendTaskSuccess(input: z.infer<(typeof schemas)['SendTaskSuccess']>) {
    const token = this.#token(input.taskToken);
    assertJson(input.output, 'InvalidOutput', 'output');
    const output: unknown = JSON.parse(input.output);
    return this.#callback(() => this.#taskTokens.succeed(token, output));
  }

  #sendTaskFailure(input: z.infer<(typeof schemas)['SendTaskFailure']>) {
    const token = this.#token(input.taskToken);
    assertMax('error', input.error, MAX_ERROR);
    assertMax('cause', input.cause, MAX_CAUSE);
    return this.#callback(() => this.#taskTokens.fail(token, input.error, input.cause));
  }

  #sendTaskHeartbeat(input: z.infer<(typeof schemas)['SendTaskHeartbeat']>) {
    const token = this.#token(input.taskToken);
    return this.#callback(() => this.#taskTokens.heartbeat(token));
  }
}

/** An execution as ListExecutions lists it; DescribeExecution adds its data and outcome. */
const executionSummaryOf = (execution: ExecutionRecord) => ({
  executionArn: execution.executionArn,
  stateMachineArn: execution.stateMachineArn,
  name: execution.name,
  status: execution.status,
  startDate: execution.startDate / 1000,
  stopDate: seconds(execution.stopDate),
  redriveCount: execution.redriveCount,
  redriveDate: seconds(execution.redriveDate),
});

/**
 * The header DescribeExecution reports: the one StartExecution was given, or, for a traced execution
 * started without one, the trace it writes to, so a client can find the execution's trace.
 */
const traceHeaderOf = (execution: ExecutionRecord): string | undefined =>
  execution.traceHeader ??
  (execution.traceId === undefined
    ? undefined
    : formatTraceHeader({ root: execution.traceId, sampled: true }));

const EXECUTION_DATA_FIELDS = new Set(['input', 'output', 'parameters']);

/** A stored event as GetExecutionHistory returns it: timestamp in seconds, data optional. */
const toWireEvent = (event: StoredHistoryEvent, withData: boolean): Record<string, unknown> => {
  const wire: Record<string, unknown> = { ...event, timestamp: event.timestamp / 1000 };
  if (withData) return wire;
  for (const [key, value] of Object.entries(wire)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      wire[key] = Object.fromEntries(
        Object.entries(value).filter(([field]) => !EXECUTION_DATA_FIELDS.has(field)),
      );
    }
  }
  return wire;
};
