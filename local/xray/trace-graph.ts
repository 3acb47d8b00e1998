import { derivedEntityId } from './ids';
import { type EntityDocument, entitiesOf } from './segment-document';
import type { AssembledTrace } from './trace-assembly';

/** A service of a trace: the segments one service wrote, or the inferred segments of a downstream call. */
export interface TraceNode {
  /** `name` and `type` together: X-Ray tells two services of one name apart by type. */
  readonly key: string;
  readonly name: string;
  readonly type?: string;
  readonly accountId?: string;
  /** Whether it holds the trace's root segment: the first service that handled the request. */
  readonly root: boolean;
  readonly inferred: boolean;
  /** Its segments (or inferred segments). */
  readonly entities: readonly EntityDocument[];
}

/** A call from one service to another; `entities` are the calls (the caller's subsegments). */
export interface TraceEdge {
  readonly from: string;
  readonly to: string;
  readonly entities: readonly EntityDocument[];
}

export interface TraceGraph {
  readonly nodes: ReadonlyMap<string, TraceNode>;
  readonly edges: readonly TraceEdge[];
  /** The segment the request entered by: the earliest one without a parent in the trace. */
  readonly root?: EntityDocument;
  /** The segments X-Ray infers for downstream calls no traced service answered. */
  readonly inferred: readonly EntityDocument[];
}

/** Node types X-Ray gives the AWS services an AWS SDK subsegment names (`DynamoDB`, `S3`, …). */
const AWS_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  DynamoDB: 'AWS::DynamoDB::Table',
  S3: 'AWS::S3::Bucket',
  SQS: 'AWS::SQS::Queue',
  SNS: 'AWS::SNS::Topic',
  Lambda: 'AWS::Lambda',
  SFN: 'AWS::StepFunctions::StateMachine',
  StepFunctions: 'AWS::StepFunctions::StateMachine',
};

/** The type of the node a downstream call infers: `AWS::<service>` for AWS calls, `remote` for others. */
export const inferredType = (subsegment: EntityDocument): string =>
  subsegment.namespace === 'aws'
    ? (AWS_RESOURCE_TYPES[subsegment.name] ?? `AWS::${subsegment.name}`)
    : 'remote';

export const nodeKey = (name: string, type: string | undefined): string => `${name}\u0000${type ?? ''}`;

const isDownstreamCall = (subsegment: EntityDocument): boolean =>
  subsegment.namespace === 'aws' || subsegment.namespace === 'remote';

const accountOf = (segment: EntityDocument): string | undefined =>
  typeof segment.aws?.account_id === 'string' ? segment.aws.account_id : undefined;

const inferredSegment = (traceId: string, subsegment: EntityDocument): EntityDocument => {
  const copied = Object.fromEntries(
    ['end_time', 'in_progress', 'http', 'aws', 'error', 'fault', 'throttle', 'cause']
      .filter((field) => subsegment[field] !== undefined)
      .map((field) => [field, subsegment[field]]),
  );
  return {
    id: derivedEntityId('inferred', traceId, subsegment.id),
    name: subsegment.name,
    start_time: subsegment.start_time,
    ...copied,
    parent_id: subsegment.id,
    inferred: true,
    trace_id: traceId,
    origin: inferredType(subsegment),
  };
};

const subsegmentsOf = (segment: EntityDocument): EntityDocument[] => [...entitiesOf(segment)].slice(1);

/**
 * The services of one trace and the calls between them, as the service graph shows them: a node per
 * service (segment name and origin), an edge from a segment to each segment whose `parent_id` lies in
 * it, and, for each AWS or remote call (`namespace` `aws`/`remote`) that no traced segment answered, an
 * inferred segment and node for the service called.
 */
export const traceGraph = (trace: AssembledTrace): TraceGraph => {
  const ownerOf = new Map<string, EntityDocument>();
  const subsegmentById = new Map<string, EntityDocument>();
  for (const segment of trace.segments) {
    ownerOf.set(segment.id, segment);
    for (const subsegment of subsegmentsOf(segment)) {
      ownerOf.set(subsegment.id, segment);
      subsegmentById.set(subsegment.id, subsegment);
    }
  }
  const answered = new Set(
    trace.segments.flatMap((segment) => (segment.parent_id ? [segment.parent_id] : [])),
  );
  const parentless = trace.segments.filter(
    (segment) => !segment.parent_id || !ownerOf.has(segment.parent_id),
  );
  const root = parentless[0];

  const nodes = new Map<
    string,
    { node: Omit<TraceNode, 'entities' | 'root'>; entities: EntityDocument[]; root: boolean }
  >();
  const addToNode = (
    name: string,
    type: string | undefined,
    entity: EntityDocument,
    inferred: boolean,
    accountId?: string,
  ): string => {
    const key = nodeKey(name, type);
    let entry = nodes.get(key);
    if (!entry) {
      entry = {
        node: {
          key,
          name,
          inferred,
          ...(type === undefined ? {} : { type }),
          ...(accountId ? { accountId } : {}),
        },
        entities: [],
        root: false,
      };
      nodes.set(key, entry);
    }
    entry.entities.push(entity);
    if (entity === root) entry.root = true;
    return key;
  };
  const nodeOfSegment = new Map<EntityDocument, string>();
  for (const segment of trace.segments)
    nodeOfSegment.set(segment, addToNode(segment.name, segment.origin, segment, false, accountOf(segment)));

  const edges = new Map<string, { from: string; to: string; entities: EntityDocument[] }>();
  const addEdge = (from: string, to: string, entity: EntityDocument): void => {
    const key = `${from}\u0001${to}`;
    const edge = edges.get(key) ?? { from, to, entities: [] };
    edge.entities.push(entity);
    edges.set(key, edge);
  };
  for (const segment of trace.segments) {
    const caller = segment.parent_id ? ownerOf.get(segment.parent_id) : undefined;
    if (!caller || !segment.parent_id) continue;
    const from = nodeOfSegment.get(caller);
    const to = nodeOfSegment.get(segment);
    if (from && to) addEdge(from, to, subsegmentById.get(segment.parent_id) ?? segment);
  }
  const inferred: EntityDocument[] = [];
  for (const segment of trace.segments) {
    const from = nodeOfSegment.get(segment);
    for (const subsegment of subsegmentsOf(segment)) {
      if (!from || !isDownstreamCall(subsegment) || answered.has(subsegment.id)) continue;
      const inferredDocument = inferredSegment(trace.traceId, subsegment);
      inferred.push(inferredDocument);
      addEdge(
        from,
        addToNode(inferredDocument.name, inferredType(subsegment), inferredDocument, true),
        subsegment,
      );
    }
  }
  return {
    nodes: new Map(
      [...nodes].map(([key, entry]) => [key, { ...entry.node, root: entry.root, entities: entry.entities }]),
    ),
    edges: [...edges.values()],
    ...(root ? { root } : {}),
    inferred,
  };
};
