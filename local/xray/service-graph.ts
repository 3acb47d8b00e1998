import type { EntityDocument } from './segment-document';
import { seconds } from './trace-facts';
import type { TraceGraph, TraceNode } from './trace-graph';

/** An inclusive window of epoch seconds; an entity counts when it overlaps it. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

interface Tally {
  ok: number;
  throttle: number;
  error: number;
  fault: number;
  total: number;
  responseTime: number;
  start: number;
  end: number;
  readonly histogram: Map<number, number>;
}

const newTally = (): Tally => ({
  ok: 0,
  throttle: 0,
  error: 0,
  fault: 0,
  total: 0,
  responseTime: 0,
  start: Number.POSITIVE_INFINITY,
  end: Number.NEGATIVE_INFINITY,
  histogram: new Map(),
});

/** Counts one request as X-Ray's statistics do: a throttle is an error, an error is not ok. */
const count = (tally: Tally, entity: EntityDocument): void => {
  tally.total += 1;
  if (entity.fault === true) tally.fault += 1;
  else if (entity.throttle === true) tally.throttle += 1;
  else if (entity.error === true) tally.error += 1;
  else tally.ok += 1;
  tally.start = Math.min(tally.start, entity.start_time);
  tally.end = Math.max(tally.end, entity.end_time ?? entity.start_time);
  if (entity.end_time !== undefined) {
    const elapsed = seconds(entity.end_time - entity.start_time);
    tally.responseTime += elapsed;
    tally.histogram.set(elapsed, (tally.histogram.get(elapsed) ?? 0) + 1);
  }
};

const statistics = (tally: Tally) => ({
  OkCount: tally.ok,
  ErrorStatistics: {
    ThrottleCount: tally.throttle,
    OtherCount: tally.error,
    TotalCount: tally.throttle + tally.error,
  },
  FaultStatistics: { OtherCount: tally.fault, TotalCount: tally.fault },
  TotalCount: tally.total,
  TotalResponseTime: seconds(tally.responseTime),
});

const histogram = (tally: Tally) =>
  [...tally.histogram].sort(([left], [right]) => left - right).map(([Value, Count]) => ({ Value, Count }));

const overlaps = (entity: EntityDocument, window: TimeWindow | undefined): boolean =>
  window === undefined ||
  (entity.start_time <= window.end && (entity.end_time ?? entity.start_time) >= window.start);

/**
 * The service graph of a set of traces in the API's shape (`Service[]` of GetServiceGraph and
 * GetTraceGraph): one service per name and type with its summary statistics and histograms, and its
 * edges to the services it called, with the statistics of those calls. With a window, only segments
 * and calls that overlap it count.
 */
export const serviceGraph = (
  graphs: readonly TraceGraph[],
  window?: TimeWindow,
): Record<string, unknown>[] => {
  const services = new Map<
    string,
    { node: TraceNode; tally: Tally; root: boolean; edges: Map<string, Tally> }
  >();
  const serviceOf = (node: TraceNode) => {
    let entry = services.get(node.key);
    if (!entry) {
      entry = { node, tally: newTally(), root: false, edges: new Map() };
      services.set(node.key, entry);
    }
    return entry;
  };
  for (const graph of graphs) {
    for (const node of graph.nodes.values()) {
      const entities = node.entities.filter((entity) => overlaps(entity, window));
      if (entities.length === 0) continue;
      const entry = serviceOf(node);
      entry.root ||= node.root;
      for (const entity of entities) count(entry.tally, entity);
    }
    for (const edge of graph.edges) {
      const from = graph.nodes.get(edge.from);
      const to = graph.nodes.get(edge.to);
      const calls = edge.entities.filter((entity) => overlaps(entity, window));
      if (!from || !to || calls.length === 0) continue;
      serviceOf(to);
      const edges = serviceOf(from).edges;
      const tally = edges.get(edge.to) ?? newTally();
      edges.set(edge.to, tally);
      for (const call of calls) count(tally, call);
    }
  }
  const referenceIds = new Map([...services.keys()].map((key, index) => [key, index]));
  return [...services.values()].map(({ node, tally, root, edges }) => ({
    ReferenceId: referenceIds.get(node.key),
    Name: node.name,
    Names: [node.name],
    Root: root,
    ...(node.accountId === undefined ? {} : { AccountId: node.accountId }),
    ...(node.type === undefined ? {} : { Type: node.type }),
    State: 'active',
    ...(tally.total > 0 ? { StartTime: tally.start, EndTime: tally.end } : {}),
    Edges: [...edges].map(([to, edge]) => ({
      ReferenceId: referenceIds.get(to),
      StartTime: edge.start,
      EndTime: edge.end,
      SummaryStatistics: statistics(edge),
      ResponseTimeHistogram: histogram(edge),
      Aliases: [],
    })),
    SummaryStatistics: statistics(tally),
    DurationHistogram: histogram(tally),
    ResponseTimeHistogram: histogram(tally),
  }));
};
