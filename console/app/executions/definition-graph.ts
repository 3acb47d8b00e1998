/**
 * The workflow graph of an Amazon States Language definition, pure: states as nodes (a Parallel's
 * branches and a Map's iterator as nested groups), and the transitions between them as typed edges:
 * `Next`, a Choice's rules and its Default, each Catch, each Task's Retry (a loop on the state), and the
 * Start and End marks the Step Functions console draws. Read from the deployed definition
 * (DescribeStateMachine), never from a copy; read defensively, since it is data from a server.
 */

export type EdgeKind = 'start' | 'next' | 'choice' | 'default' | 'catch' | 'retry' | 'end';

export interface GraphNode {
  /** Unique in the graph: the state's scope and name (`MakeDerivatives/0/Thumbnail`). */
  readonly id: string;
  /** The state's name (history events name states by it), or `Start`/`End`. */
  readonly name: string;
  /** `Task`, `Parallel`, `Choice`, … ; `Start`/`End` for the marks; `Branch` for a Parallel's branch. */
  readonly type: string;
  /** A Task's resource in short, a Fail state's error: one line that says what the state does. */
  readonly detail?: string;
  /** A Task's whole `Resource`. */
  readonly resource?: string;
  readonly comment?: string;
  /** A Parallel's branches, a branch's or a Map's states. */
  readonly children: readonly GraphNode[];
  /** Edges between the children (a group's inner transitions). */
  readonly edges: readonly GraphEdge[];
}

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: EdgeKind;
  /** Short, for the drawing: `Default`, `$.deletion is present`, `States.ALL`, `retry`. */
  readonly label?: string;
  /** Everything the edge stands for, for its tooltip and the details panel. */
  readonly description?: string;
}

export interface WorkflowGraph {
  /** The top level: Start, the states, End; groups nest their own. */
  readonly root: GraphNode;
  /** Every state node by state name (names are unique in a state machine). */
  readonly byName: ReadonlyMap<string, GraphNode>;
  /** Every edge, wherever it sits. */
  readonly edges: readonly GraphEdge[];
}

export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Label for a list of error names: the first and how many more. */
const errorsLabel = (errors: readonly string[]): string =>
  errors.length <= 1 ? (errors[0] ?? 'error') : `${errors[0]} +${errors.length - 1}`;

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const COMPARISONS: readonly [string, string][] = [
  ['StringEquals', '=='],
  ['NumericEquals', '=='],
  ['BooleanEquals', '=='],
  ['TimestampEquals', '=='],
  ['StringLessThan', '<'],
  ['NumericLessThan', '<'],
  ['TimestampLessThan', '<'],
  ['StringGreaterThan', '>'],
  ['NumericGreaterThan', '>'],
  ['TimestampGreaterThan', '>'],
  ['StringLessThanEquals', '<='],
  ['NumericLessThanEquals', '<='],
  ['TimestampLessThanEquals', '<='],
  ['StringGreaterThanEquals', '>='],
  ['NumericGreaterThanEquals', '>='],
  ['TimestampGreaterThanEquals', '>='],
  ['StringMatches', 'matches'],
];

/** A Choice rule in words: `$.deletion is present`, `$.inspection.textStrategy == "local"`, `not (…)`. */
export const describeRule = (rule: unknown): string => {
  if (!isRecord(rule)) return 'rule';
  if (Array.isArray(rule.And)) return rule.And.map(describeRule).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map(describeRule).join(' or ');
  if (rule.Not !== undefined) return `not (${describeRule(rule.Not)})`;
  if (typeof rule.Condition === 'string') return rule.Condition;
  const variable = text(rule.Variable) ?? '$';
  if (rule.IsPresent !== undefined) return `${variable} ${rule.IsPresent === true ? 'is' : 'is not'} present`;
  if (rule.IsNull !== undefined) return `${variable} ${rule.IsNull === true ? 'is' : 'is not'} null`;
  for (const test of ['IsString', 'IsNumeric', 'IsBoolean', 'IsTimestamp']) {
    if (rule[test] !== undefined) {
      return `${variable} ${rule[test] === true ? 'is' : 'is not'} ${test.slice(2).toLowerCase()}`;
    }
  }
  for (const [operator, symbol] of COMPARISONS) {
    if (operator in rule) return `${variable} ${symbol} ${JSON.stringify(rule[operator])}`;
    const path = rule[`${operator}Path`];
    if (typeof path === 'string') return `${variable} ${symbol} ${path}`;
  }
  return variable;
};

/** `$.inspection.textStrategy == "local"` → `textStrategy == "local"`: the drawing's short form. */
const shortRule = (rule: Json): string => {
  const words = describeRule(rule);
  const short = words.replace(/\$(?:\.[A-Za-z0-9_]+)*\.([A-Za-z0-9_]+)/g, '$1');
  return short.length > 32 ? `${short.slice(0, 31)}…` : short;
};

/**
 * What a Task calls, in a word or two for its box: `Lambda` for a function (its generated name is long
 * and says nothing more; the details panel shows it), `dynamodb:updateItem` for a service integration.
 */
const resourceOf = (state: Json): string | undefined => {
  const resource = text(state.Resource);
  if (!resource) return undefined;
  if (/:function:/.test(resource) || resource.startsWith('arn:aws:states:::lambda:invoke')) return 'Lambda';
  const service = /^arn:[^:]+:states:::(.+)$/.exec(resource);
  return service?.[1] ?? resource.split(':').at(-1);
};

interface Scope {
  readonly prefix: string;
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/**
 * Builds the graph of a definition (parsed JSON). A transition to a state the scope does not have is
 * left out; a definition without `States`/`StartAt` is refused with a clear error.
 */
export const buildWorkflowGraph = (definition: unknown): WorkflowGraph => {
  if (!isRecord(definition) || !isRecord(definition.States) || typeof definition.StartAt !== 'string') {
    throw new InvalidDefinitionError('the definition has no States or StartAt');
  }
  const byName = new Map<string, GraphNode>();
  const allEdges: GraphEdge[] = [];
  let edgeCount = 0;

  const buildScope = (machine: Json, prefix: string): Scope & { startId?: string; endIds: string[] } => {
    const states = isRecord(machine.States) ? machine.States : {};
    const scope: Scope = { prefix, nodes: [], edges: [] };
    const idOf = (name: string): string => `${prefix}${name}`;
    const has = (name: unknown): name is string => typeof name === 'string' && isRecord(states[name]);
    const edge = (source: string, target: string, kind: EdgeKind, label?: string, description?: string) => {
      edgeCount += 1;
      const added: GraphEdge = {
        id: `e${edgeCount}`,
        source,
        target,
        kind,
        ...(label ? { label } : {}),
        ...(description ? { description } : {}),
      };
      scope.edges.push(added);
      allEdges.push(added);
    };
    const endIds: string[] = [];
    for (const [name, value] of Object.entries(states)) {
      if (!isRecord(value)) continue;
      const type = text(value.Type) ?? 'Unknown';
      const id = idOf(name);
      const children: GraphNode[] = [];
      const innerEdges: GraphEdge[] = [];
      if (type === 'Parallel' && Array.isArray(value.Branches)) {
        value.Branches.forEach((branch, index) => {
          if (!isRecord(branch)) return;
          const inner = buildScope(branch, `${id}/${index}/`);
          children.push({
            id: `${id}/${index}`,
            name: `Branch ${index + 1}`,
            type: 'Branch',
            children: inner.nodes,
            edges: inner.edges,
          });
        });
      } else if (type === 'Map') {
        const processor = isRecord(value.ItemProcessor) ? value.ItemProcessor : value.Iterator;
        if (isRecord(processor)) {
          const inner = buildScope(processor, `${id}/`);
          children.push(...inner.nodes);
          innerEdges.push(...inner.edges);
        }
      }
      const detail =
        type === 'Task'
          ? resourceOf(value)
          : type === 'Fail'
            ? text(value.Error)
            : type === 'Wait'
              ? [value.Seconds, value.SecondsPath, value.Timestamp, value.TimestampPath]
                  .map((part) => (part === undefined ? undefined : String(part)))
                  .find(Boolean)
              : undefined;
      const comment = text(value.Comment);
      const resource = type === 'Task' ? text(value.Resource) : undefined;
      const node: GraphNode = {
        id,
        name,
        type,
        ...(detail ? { detail } : {}),
        ...(resource ? { resource } : {}),
        ...(comment ? { comment } : {}),
        children,
        edges: innerEdges,
      };
      scope.nodes.push(node);
      byName.set(name, node);

      if (type === 'Choice') {
        const choices = Array.isArray(value.Choices) ? value.Choices : [];
        for (const rule of choices) {
          if (!isRecord(rule) || !has(rule.Next)) continue;
          edge(id, idOf(rule.Next), 'choice', shortRule(rule), describeRule(rule));
        }
        if (has(value.Default)) edge(id, idOf(value.Default), 'default', 'Default', 'no rule matched');
      } else if (has(value.Next)) {
        edge(id, idOf(value.Next), 'next');
      }
      const retriers = Array.isArray(value.Retry) ? value.Retry.filter(isRecord) : [];
      const retrying = retriers.filter(
        (rule) => rule.MaxAttempts === undefined || Number(rule.MaxAttempts) > 0,
      );
      if (retrying.length > 0) {
        const description = retrying
          .map((rule) => {
            const attempts = rule.MaxAttempts === undefined ? 3 : Number(rule.MaxAttempts);
            return `${stringList(rule.ErrorEquals).join(', ')}: up to ${attempts} more`;
          })
          .join('; ');
        edge(id, id, 'retry', 'retry', description);
      }
      const catchers = Array.isArray(value.Catch) ? value.Catch.filter(isRecord) : [];
      for (const rule of catchers) {
        if (!has(rule.Next)) continue;
        const errors = stringList(rule.ErrorEquals);
        edge(id, idOf(rule.Next), 'catch', errorsLabel(errors), errors.join(', '));
      }
      if (value.End === true || type === 'Succeed' || type === 'Fail') endIds.push(id);
    }
    const startAt = machine.StartAt;
    return { ...scope, ...(has(startAt) ? { startId: idOf(startAt) } : {}), endIds };
  };

  const top = buildScope(definition, '');
  const start: GraphNode = { id: 'Start', name: 'Start', type: 'Start', children: [], edges: [] };
  const end: GraphNode = { id: 'End', name: 'End', type: 'End', children: [], edges: [] };
  const markEdges: GraphEdge[] = [];
  if (top.startId) markEdges.push({ id: 'e-start', source: start.id, target: top.startId, kind: 'start' });
  for (const id of top.endIds) markEdges.push({ id: `e-end-${id}`, source: id, target: end.id, kind: 'end' });
  allEdges.push(...markEdges);
  return {
    root: {
      id: 'root',
      name: 'root',
      type: 'Root',
      children: [start, ...top.nodes, end],
      edges: [...markEdges, ...top.edges],
    },
    byName,
    edges: allEdges,
  };
};

/** Parses the definition text DescribeStateMachine returns, then builds its graph. */
export const workflowGraphOf = (definition: string): WorkflowGraph => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    throw new InvalidDefinitionError('the definition is not JSON');
  }
  return buildWorkflowGraph(parsed);
};
