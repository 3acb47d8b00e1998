import { readableCause } from './error-cause';
import type { RawTrace, TraceEntity, TraceException } from './trace-entities';

/**
 * What a segment or subsegment is, in a docflow trace: the state machine's segment and its states
 * (a Task's attempts among them), the Lambda service's segment, the function's segment and its
 * Initialization / Invocation / Overhead phases, the handler subsegment, and AWS or other calls.
 */
export type SpanKind =
  | 'state-machine'
  | 'state'
  | 'attempt'
  | 'lambda'
  | 'function'
  | 'function-phase'
  | 'handler'
  | 'aws-call'
  | 'remote-call'
  | 'segment'
  | 'subsegment';

/** One row of the waterfall: an entity, where it sits in the tree, and what it is. */
export interface Span {
  readonly entity: TraceEntity;
  readonly kind: SpanKind;
  readonly depth: number;
  /** For one of several attempts of a Task: which one, of how many. */
  readonly attempt?: { readonly number: number; readonly of: number };
  /** For a state whose Task ran more than once: how many attempts. */
  readonly attempts?: number;
  /** A function invocation that started a new execution environment. */
  readonly coldStart: boolean;
  /** The entity's exceptions, or the one its `cause` names by id. */
  readonly exceptions: readonly TraceException[];
  readonly children: readonly Span[];
}

/** The one-line facts of a trace (`show` prints them; `trace` heads the waterfall with them). */
export interface TraceFacts {
  readonly durationMs: number;
  /** Segments and subsegments (inferred segments left out: they repeat a call's subsegment). */
  readonly segments: number;
  readonly errors: number;
  readonly faults: number;
  readonly throttles: number;
  /** Task attempts after the first, over all states. */
  readonly retries: number;
  readonly coldStarts: number;
  /** Some segment has not ended (yet). */
  readonly inProgress: boolean;
}

export interface TraceTree {
  readonly id: string;
  /** Segments without a parent in this trace, earliest first, each with its tree. */
  readonly roots: readonly Span[];
  /** Epoch seconds of the first start and of the last known end. */
  readonly start: number;
  readonly end: number;
  readonly facts: TraceFacts;
  /** Documents that were not a readable segment. */
  readonly unreadable: number;
}

const STATE_MACHINE = 'AWS::StepFunctions::StateMachine';
const FUNCTION_PHASES = new Set(['Initialization', 'Invocation', 'Overhead', 'Restore']);
/** `Attempt 2`, `attempt #2`: however a service may name a Task's attempts. */
const NUMBERED_ATTEMPT = /^attempt\s*#?\s*\d+$/i;

const byStart = <T extends { readonly entity: TraceEntity }>(left: T, right: T): number =>
  left.entity.startTime - right.entity.startTime;

const kindOf = (entity: TraceEntity, parent: SpanKind | undefined, inMachine: boolean): SpanKind => {
  if (entity.origin === STATE_MACHINE) return 'state-machine';
  if (entity.origin === 'AWS::Lambda') return 'lambda';
  if (entity.origin === 'AWS::Lambda::Function') return 'function';
  if (parent === undefined || entity.segment || entity.origin !== undefined) return 'segment';
  if (entity.namespace === 'aws') return 'aws-call';
  if (entity.namespace === 'remote') return 'remote-call';
  if (parent === 'function' && FUNCTION_PHASES.has(entity.name)) return 'function-phase';
  if (entity.name.startsWith('## ')) return 'handler';
  return inMachine ? 'state' : 'subsegment';
};

/**
 * Same-named siblings inside the state machine's segment are attempts of one Task (its retries): the
 * subsegments Step Functions writes per attempt, or, where it writes none, the Lambda service's
 * segments that name the state as their parent.
 */
const attemptGroups = (
  children: readonly TraceEntity[],
): Map<TraceEntity, { number: number; of: number }> => {
  const groups = new Map<string, TraceEntity[]>();
  for (const child of children) {
    if (child.origin !== undefined && child.origin !== 'AWS::Lambda') continue;
    const key = NUMBERED_ATTEMPT.test(child.name) ? 'attempt' : `${child.origin ?? ''}:${child.name}`;
    groups.set(key, [...(groups.get(key) ?? []), child]);
  }
  const attempts = new Map<TraceEntity, { number: number; of: number }>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group
      .toSorted((left, right) => left.startTime - right.startTime)
      .forEach((entity, index) => {
        attempts.set(entity, { number: index + 1, of: group.length });
      });
  }
  return attempts;
};

/**
 * Builds the waterfall's tree of a trace. Subsegments stay under the entity that holds them; a segment
 * (or a subsegment sent on its own) goes under the entity its `parent_id` names when that entity is in
 * the trace, so the Lambda service's segment sits under the Task attempt that invoked it and the
 * function's segment under the Lambda service's. Inferred segments are left out: the call's own
 * subsegment already shows it. A `parent_id` that would make a loop is ignored.
 */
export const buildTraceTree = (trace: RawTrace): TraceTree => {
  const embeddedParent = new Map<string, string>();
  const entities = new Map<string, TraceEntity>();
  const index = (entity: TraceEntity, parentId?: string): void => {
    entities.set(entity.id, entity);
    if (parentId !== undefined) embeddedParent.set(entity.id, parentId);
    for (const child of entity.subsegments) index(child, entity.id);
  };
  const documents = trace.segments.filter((segment) => !segment.inferred);
  for (const document of documents) index(document);
  const exceptionsById = new Map<string, TraceException>();
  for (const entity of entities.values()) {
    for (const exception of entity.exceptions) if (exception.id) exceptionsById.set(exception.id, exception);
  }
  const exceptionsOf = (entity: TraceEntity): readonly TraceException[] => {
    if (entity.exceptions.length > 0 || entity.causeId === undefined) return entity.exceptions;
    const named = exceptionsById.get(entity.causeId);
    return named ? [named] : [];
  };

  const attachedParent = new Map<string, string>();
  const parentOf = (id: string): string | undefined => embeddedParent.get(id) ?? attachedParent.get(id);
  const attached = new Map<string, TraceEntity[]>();
  const roots: TraceEntity[] = [];
  for (const document of documents) {
    const parentId = document.parentId;
    let loops = parentId === undefined || !entities.has(parentId);
    for (let id = parentId, hops = 0; !loops && id !== undefined; id = parentOf(id), hops += 1) {
      if (id === document.id || hops > entities.size) loops = true;
    }
    if (loops || parentId === undefined) {
      roots.push(document);
      continue;
    }
    attachedParent.set(document.id, parentId);
    attached.set(parentId, [...(attached.get(parentId) ?? []), document]);
  }

  let retries = 0;
  const toSpan = (
    entity: TraceEntity,
    depth: number,
    parent: SpanKind | undefined,
    context: { inMachine: boolean; coldFunction: boolean },
    attempt?: { number: number; of: number },
  ): Span => {
    const kind =
      attempt && entity.origin === undefined ? 'attempt' : kindOf(entity, parent, context.inMachine);
    const inMachine = kind === 'state-machine' || (context.inMachine && entity.origin === undefined);
    const coldStart =
      kind === 'function'
        ? entity.subsegments.some((child) => child.name === 'Initialization')
        : kind === 'handler' && entity.annotations.ColdStart === true && !context.coldFunction;
    const children = [...entity.subsegments, ...(attached.get(entity.id) ?? [])];
    const attempts = inMachine ? attemptGroups(children) : new Map();
    const groupSizes = [...attempts.values()].filter((value) => value.number === 1).map((value) => value.of);
    for (const size of groupSizes) retries += size - 1;
    const childContext = {
      inMachine,
      coldFunction: context.coldFunction || (kind === 'function' && coldStart),
    };
    return {
      entity,
      kind,
      depth,
      ...(attempt ? { attempt } : {}),
      ...(groupSizes.length > 0 ? { attempts: Math.max(...groupSizes) } : {}),
      coldStart,
      exceptions: exceptionsOf(entity),
      children: children
        .map((child) => toSpan(child, depth + 1, kind, childContext, attempts.get(child)))
        .sort(byStart),
    };
  };
  const spans = roots
    .map((root) => toSpan(root, 0, undefined, { inMachine: false, coldFunction: false }))
    .sort(byStart);

  const all = spansOf({ roots: spans });
  const start = Math.min(...all.map((span) => span.entity.startTime));
  const end = Math.max(...all.map((span) => span.entity.endTime ?? span.entity.startTime));
  const count = (test: (span: Span) => boolean): number => all.filter(test).length;
  return {
    id: trace.id,
    roots: spans,
    start: all.length > 0 ? start : 0,
    end: all.length > 0 ? end : 0,
    facts: {
      durationMs: all.length > 0 ? Math.round((end - start) * 1000) : 0,
      segments: all.length,
      errors: count((span) => span.entity.error),
      faults: count((span) => span.entity.fault),
      throttles: count((span) => span.entity.throttle),
      retries,
      coldStarts: count((span) => span.coldStart),
      inProgress: all.some((span) => span.entity.inProgress),
    },
    unreadable: trace.unreadable,
  };
};

/** Every span of the tree, depth first (the waterfall's row order). */
export const spansOf = (tree: Pick<TraceTree, 'roots'>): Span[] => {
  const rows: Span[] = [];
  const visit = (span: Span): void => {
    rows.push(span);
    for (const child of span.children) visit(child);
  };
  for (const root of tree.roots) visit(root);
  return rows;
};

/**
 * What went wrong in a span, in words: `Type: message` of its first exception (a Lambda error envelope
 * reduced to its message), or the HTTP status of a refused call; undefined when nothing did.
 */
export const spanProblem = (span: Span): string | undefined => {
  const [exception] = span.exceptions;
  if (exception?.type || exception?.message) {
    return [exception.type, readableCause(exception.message)].filter(Boolean).join(': ');
  }
  const status = span.entity.httpStatus;
  return status !== undefined && status >= 400 ? `HTTP ${status}` : undefined;
};

/** The AWS service and operation of an SDK call (`S3 GetObject`), else the name. */
export const spanCallName = (span: Span): string =>
  span.entity.operation ? `${span.entity.name} ${span.entity.operation}` : span.entity.name;

/** `fault`, `throttled` or `error`: the worst flag of a span; undefined when it has none. */
export const spanFlag = (span: Span): 'fault' | 'throttled' | 'error' | undefined => {
  const { entity } = span;
  if (entity.fault) return 'fault';
  if (entity.throttle) return 'throttled';
  return entity.error ? 'error' : undefined;
};

/**
 * The errors, faults and throttles that carry a message, whole, each with the state it happened in:
 * `Inspect › S3 GetObject: fault InternalError: …`. One failure climbs the tree (handler, function,
 * attempt, state, each flagged with the same message): it is listed once, where it is deepest.
 * The lines hold data as it is: a terminal escapes them, a page shows them as text.
 */
export const traceProblems = (tree: Pick<TraceTree, 'roots'>): string[] => {
  const found: { key: string; depth: number; line: string }[] = [];
  const visit = (span: Span, state: string | undefined, inAttempt: Span['attempt']): void => {
    const here = span.kind === 'state' ? span.entity.name : state;
    const attemptHere = span.attempt ?? inAttempt;
    const problem = spanProblem(span);
    const flag = spanFlag(span);
    if (flag && problem) {
      const name =
        span.kind === 'aws-call' || span.kind === 'attempt' ? spanCallName(span) : span.entity.name;
      const attempt = attemptHere ? ` (attempt ${attemptHere.number}/${attemptHere.of})` : '';
      const where = here !== undefined && here !== span.entity.name ? `${here} › ` : '';
      found.push({
        key: `${here ?? ''}\u0000${attempt}\u0000${flag} ${problem}`,
        // Deepest wins; of equals, not the function's Invocation phase (its handler says the same).
        depth: span.depth * 2 + (span.kind === 'function-phase' ? 0 : 1),
        line: `${where}${name}${attempt}: ${flag} ${problem}`,
      });
    }
    for (const child of span.children) visit(child, here, attemptHere);
  };
  for (const root of tree.roots) visit(root, undefined, undefined);
  const deepest = new Map<string, { depth: number; line: string }>();
  for (const entry of found) {
    const seen = deepest.get(entry.key);
    if (!seen || entry.depth > seen.depth) deepest.set(entry.key, entry);
  }
  return found.filter((entry) => deepest.get(entry.key) === entry).map((entry) => entry.line);
};
