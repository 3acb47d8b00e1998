import type { FilterFacts, FilterSubject } from './filter-evaluator';
import type { ScalarValue } from './filter-parser';
import { type EntityDocument, entitiesOf } from './segment-document';
import type { AssembledTrace } from './trace-assembly';
import type { TraceGraph, TraceNode } from './trace-graph';

/** A service as X-Ray's API names one (`ServiceId`). */
export interface ServiceId {
  readonly Name: string;
  readonly Names: string[];
  readonly Type?: string;
  readonly AccountId?: string;
}

/** One annotation value, with the service whose segment (or subsegment) carries it. */
export interface AnnotationFact {
  readonly key: string;
  readonly value: ScalarValue;
  readonly service?: ServiceId;
}

/** Milliseconds are what X-Ray reports: durations in seconds with three decimals. */
export const seconds = (value: number): number => Math.round(value * 1000) / 1000;

export const serviceIdOf = (node: Pick<TraceNode, 'name' | 'type' | 'accountId'>): ServiceId => ({
  Name: node.name,
  Names: [node.name],
  ...(node.type === undefined ? {} : { Type: node.type }),
  ...(node.accountId === undefined ? {} : { AccountId: node.accountId }),
});

const stringOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The keyword values of one segment (or subsegment, or inferred segment). */
export const subjectOf = (entity: EntityDocument): FilterSubject => {
  const request = entity.http?.request ?? {};
  const response = entity.http?.response ?? {};
  const elapsed = entity.end_time === undefined ? undefined : seconds(entity.end_time - entity.start_time);
  const http = {
    status: typeof response.status === 'number' ? response.status : undefined,
    url: stringOf(request.url),
    method: stringOf(request.method),
    useragent: stringOf(request.user_agent),
    clientip: stringOf(request.client_ip),
  };
  return {
    error: entity.error === true,
    fault: entity.fault === true,
    throttle: entity.throttle === true,
    partial: entity.end_time === undefined,
    ...(elapsed === undefined ? {} : { responseTime: elapsed, duration: elapsed }),
    http: Object.fromEntries(Object.entries(http).filter(([, value]) => value !== undefined)),
    users: entity.user === undefined ? [] : [entity.user],
  };
};

/** Every annotation of the trace, orphaned subsegments' included (they have no service yet). */
export const annotationsOf = (trace: AssembledTrace, graph: TraceGraph): AnnotationFact[] => {
  const serviceOfSegment = new Map<EntityDocument, ServiceId>();
  for (const node of graph.nodes.values()) {
    for (const entity of node.entities) serviceOfSegment.set(entity, serviceIdOf(node));
  }
  const facts: AnnotationFact[] = [];
  const collect = (root: EntityDocument, service?: ServiceId): void => {
    for (const entity of entitiesOf(root)) {
      for (const [key, value] of Object.entries(entity.annotations ?? {})) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          facts.push({ key, value, ...(service ? { service } : {}) });
      }
    }
  };
  for (const segment of trace.segments) collect(segment, serviceOfSegment.get(segment));
  for (const orphan of trace.orphans) collect(orphan);
  return facts;
};

/** The earliest start and latest end of anything in the trace, in epoch seconds. */
export const traceExtent = (trace: AssembledTrace): { start: number; end: number } | undefined => {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const root of [...trace.segments, ...trace.orphans]) {
    for (const entity of entitiesOf(root)) {
      start = Math.min(start, entity.start_time);
      end = Math.max(end, entity.end_time ?? entity.start_time);
    }
  }
  return Number.isFinite(start) ? { start, end } : undefined;
};

/**
 * Whether the trace is incomplete: something is still in progress, a subsegment waits for its parent,
 * no segment has arrived, or a call marked `traced` has no segment from the service it called.
 */
export const isPartial = (trace: AssembledTrace): boolean => {
  if (trace.inProgress || trace.orphans.length > 0 || trace.segments.length === 0) return true;
  const answered = new Set(trace.segments.map((segment) => segment.parent_id));
  return trace.segments.some((segment) =>
    [...entitiesOf(segment)].some(
      (entity) => entity !== segment && entity.http?.request?.traced === true && !answered.has(entity.id),
    ),
  );
};

/** What a filter expression reads of a trace. */
export const filterFacts = (trace: AssembledTrace, graph: TraceGraph): FilterFacts => {
  const partial = isPartial(trace);
  const extent = traceExtent(trace);
  const rootSubject = graph.root
    ? subjectOf(graph.root)
    : { error: false, fault: false, throttle: false, partial: true, http: {}, users: [] };
  const users = trace.segments.flatMap((segment) =>
    [...entitiesOf(segment)].flatMap((entity) => entity.user ?? []),
  );
  const services = [...graph.nodes.values()].map((node) => ({
    name: node.name,
    ...(node.type === undefined ? {} : { type: node.type }),
    subjects: node.entities.map(subjectOf),
  }));
  const byKey = new Map([...graph.nodes.values()].map((node) => [node.key, node]));
  const endpoint = (key: string): { name: string; type?: string } => {
    const node = byKey.get(key);
    return { name: node?.name ?? '', ...(node?.type === undefined ? {} : { type: node.type }) };
  };
  return {
    trace: {
      ...rootSubject,
      partial,
      ...(extent ? { duration: seconds(extent.end - extent.start) } : {}),
      users,
    },
    annotations: annotationsOf(trace, graph),
    services,
    edges: graph.edges.map((edge) => ({
      source: endpoint(edge.from),
      destination: endpoint(edge.to),
      subjects: edge.entities.map(subjectOf),
    })),
  };
};
