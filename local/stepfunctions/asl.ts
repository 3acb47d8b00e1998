/**
 * The parts of an Amazon States Language (JSONPath) definition that the local bindings and the
 * definition's tests read. Structural, so a parsed definition can be passed as it is.
 */

/** One entry of a state's `Retry`. */
export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
  readonly Comment?: string;
}

/** One entry of a state's `Catch`. */
export interface AslCatcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

/** A state of any type; only the fields its type allows are present. */
export interface AslState {
  readonly Type: string;
  readonly Comment?: string;
  readonly QueryLanguage?: string;
  readonly Resource?: string;
  readonly InputPath?: string | null;
  readonly Parameters?: unknown;
  readonly ResultSelector?: unknown;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string | null;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly HeartbeatSecondsPath?: string;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
  readonly Branches?: readonly AslStates[];
  readonly Iterator?: AslStates;
  readonly ItemProcessor?: AslStates;
  readonly Next?: string;
  readonly End?: boolean;
}

/** A state machine or one of its nested machines (a Parallel branch, a Map iterator). */
export interface AslStates {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly QueryLanguage?: string;
}

/** A state, where it sits: the Parallel and Map states that enclose it, outermost first. */
export interface LocatedState {
  readonly name: string;
  readonly state: AslState;
  readonly enclosing: readonly { readonly name: string; readonly state: AslState }[];
}

/** The machines nested directly in a state (Parallel branches, a Map's iterator). */
const nestedMachines = (state: AslState): readonly AslStates[] => [
  ...(state.Branches ?? []),
  ...(state.Iterator ? [state.Iterator] : []),
  ...(state.ItemProcessor ? [state.ItemProcessor] : []),
];

/**
 * Every state of a definition, nested ones included, depth first. Step Functions requires state
 * names to be unique across the whole machine, and local overrides are keyed by name, so a
 * duplicate name is an error here.
 */
export const listStates = (definition: AslStates): LocatedState[] => {
  const found: LocatedState[] = [];
  const seen = new Set<string>();
  const visit = (machine: AslStates, enclosing: LocatedState['enclosing']): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (seen.has(name)) throw new Error(`state name "${name}" is used more than once`);
      seen.add(name);
      found.push({ name, state, enclosing });
      for (const nested of nestedMachines(state)) visit(nested, [...enclosing, { name, state }]);
    }
  };
  visit(definition, []);
  return found;
};
