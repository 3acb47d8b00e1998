import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { StepFunctionsApiError } from './api-errors';
import type { AslState, AslStates } from './asl';
import { definitionHash } from './execution-store';
import { buildTaskBindings, type TaskBindingPorts, type TaskBindings } from './task-bindings';
import { buildStateMachine } from './validated-definitions';

/** What a Task state calls, as its history events name it. */
export type TaskResource =
  /** `Resource` is a Lambda function ARN: `LambdaFunction*` events. */
  | { readonly kind: 'lambda-function'; readonly resource: string }
  /** `arn:aws:states:::<resourceType>:<resource>`: `Task*` events. */
  | { readonly kind: 'service'; readonly resourceType: string; readonly resource: string };

/** One state of a definition, nested ones included. */
export interface StateInfo {
  readonly name: string;
  readonly state: AslState;
  /**
   * Which thread of the execution the state runs on: '' at the top, `/<Parallel>[<branch>]` inside a
   * branch, ending in `#` inside a Map iterator (the iteration index is appended at run time).
   */
  readonly lane: string;
  /** The Parallel or Map state whose branch or iterator holds this state (none at the top). */
  readonly enclosing?: string;
  readonly task?: TaskResource;
}

/** The lane a state runs on in one run: inside a Map iterator, with the iteration's index appended. */
export const runLaneOf = (info: StateInfo | undefined, index: number | undefined): string => {
  const lane = info?.lane ?? '';
  return lane.endsWith('#') ? `${lane}${index ?? 0}` : lane;
};

/** Shortens waits for tests; by default retries and Wait states wait as long as the definition says. */
export interface WaitOverrides {
  /** Milliseconds every Retry waits between attempts, whatever its IntervalSeconds/BackoffRate. */
  readonly retryIntervalMs?: number;
  /** Milliseconds every Wait state waits. */
  readonly waitStateMs?: number;
}

/** A validated definition, ready to run any number of executions. */
export interface CompiledDefinition {
  readonly text: string;
  readonly hash: string;
  readonly definition: AslStates;
  /**
   * Validation costs ~0.5 s (once per definition text: validated-definitions.ts), so one interpreter
   * instance serves every execution of a definition.
   */
  readonly machine: StateMachine;
  readonly bindings: TaskBindings;
  readonly states: ReadonlyMap<string, StateInfo>;
  /** Lanes of each Parallel state's branches, in branch order. */
  readonly branchLanes: ReadonlyMap<string, readonly string[]>;
  readonly retryIntervalOverrides?: Record<string, number>;
  readonly waitTimeOverrides?: Record<string, number>;
}

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:/;
const SERVICE_INTEGRATION = /^arn:aws[a-z-]*:states:::([a-z0-9-]+):(.+)$/;

const taskResource = (resource: string): TaskResource => {
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'lambda-function', resource };
  const match = SERVICE_INTEGRATION.exec(resource);
  return match?.[1] && match[2]
    ? { kind: 'service', resourceType: match[1], resource: match[2] }
    : { kind: 'service', resourceType: 'unknown', resource };
};

/**
 * The longest timer Node can arm (2^31 - 1 ms, about 24.8 days); a longer one fires at once.
 * Stands for AWS's default Task timeout (99999999 s) where a Task sets none.
 */
const UNBOUNDED_TASK_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * The definition as the interpreter runs it: aws-local-stepfunctions times a Task out after 60 s
 * when it sets no `TimeoutSeconds`, where AWS waits (practically) forever — a long function or a
 * `.waitForTaskToken` callback would fail locally only.
 */
const withTaskTimeouts = (machine: AslStates): AslStates => ({
  ...machine,
  States: Object.fromEntries(
    Object.entries(machine.States).map(([name, state]) => {
      const patched: AslState = {
        ...state,
        ...(state.Type === 'Task' &&
        state.TimeoutSeconds === undefined &&
        state.TimeoutSecondsPath === undefined
          ? { TimeoutSeconds: UNBOUNDED_TASK_SECONDS }
          : {}),
        ...(state.Branches ? { Branches: state.Branches.map(withTaskTimeouts) } : {}),
        ...(state.Iterator ? { Iterator: withTaskTimeouts(state.Iterator) } : {}),
        ...(state.ItemProcessor ? { ItemProcessor: withTaskTimeouts(state.ItemProcessor) } : {}),
      };
      return [name, patched];
    }),
  ),
});

const invalid = (message: string): StepFunctionsApiError =>
  new StepFunctionsApiError('InvalidDefinition', `Invalid State Machine Definition: '${message}'`);

/** aws-local-stepfunctions 3 interprets JSONPath only; a JSONata state would silently do nothing. */
const assertJsonPath = (node: { readonly QueryLanguage?: string }): void => {
  if (node.QueryLanguage !== undefined && node.QueryLanguage !== 'JSONPath') {
    throw invalid(`QueryLanguage ${node.QueryLanguage} is not supported locally; use JSONPath`);
  }
};

const isStates = (value: unknown): value is AslStates =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { StartAt?: unknown }).StartAt === 'string' &&
  typeof (value as { States?: unknown }).States === 'object';

/**
 * Parses and validates a definition (asl-validator, then a binding for every Task), and indexes its
 * states. Any problem is an `InvalidDefinition`, as CreateStateMachine reports it.
 */
export const compileDefinition = (
  text: string,
  ports: TaskBindingPorts,
  waits: WaitOverrides = {},
): CompiledDefinition => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`the definition is not JSON: ${(error as Error).message}`);
  }
  if (!isStates(parsed)) throw invalid('the definition needs StartAt and States');
  assertJsonPath(parsed);
  let machine: StateMachine;
  let bindings: TaskBindings;
  try {
    machine = buildStateMachine(withTaskTimeouts(parsed) as unknown as StateMachineDefinition);
    bindings = buildTaskBindings(parsed, ports);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  const states = new Map<string, StateInfo>();
  const branchLanes = new Map<string, string[]>();
  const visit = (machineStates: AslStates, lane: string, enclosing?: string): void => {
    for (const [name, state] of Object.entries(machineStates.States)) {
      assertJsonPath(state);
      states.set(name, {
        name,
        state,
        lane,
        ...(enclosing !== undefined ? { enclosing } : {}),
        ...(state.Type === 'Task' ? { task: taskResource(state.Resource ?? '') } : {}),
      });
      const lanes = (state.Branches ?? []).map((branch, index) => {
        const branchLane = `${lane}/${name}[${index}]`;
        visit(branch, branchLane, name);
        return branchLane;
      });
      if (lanes.length > 0) branchLanes.set(name, lanes);
      const iterator = state.ItemProcessor ?? state.Iterator;
      if (iterator) visit(iterator, `${lane}/${name}#`, name);
    }
  };
  visit(parsed, '');
  const overrides = (type: string | undefined, ms: number | undefined) =>
    ms === undefined
      ? undefined
      : Object.fromEntries(
          [...states.values()]
            .filter((info) => (type ? info.state.Type === type : info.state.Retry !== undefined))
            .map((info) => [info.name, ms]),
        );
  const retryIntervalOverrides = overrides(undefined, waits.retryIntervalMs);
  const waitTimeOverrides = overrides('Wait', waits.waitStateMs);
  return {
    text,
    hash: definitionHash(text),
    definition: parsed,
    machine,
    bindings,
    states,
    branchLanes,
    ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
    ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
  };
};
