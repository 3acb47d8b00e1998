import type { ScalarValue } from './filter-parser';
import { type EntityDocument, entitiesOf } from './segment-document';
import type { AssembledTrace } from './trace-assembly';
import { annotationsOf, isPartial, type ServiceId, seconds, serviceIdOf, traceExtent } from './trace-facts';
import type { TraceGraph } from './trace-graph';
import type { StoredTrace } from './trace-store';

/** X-Ray's `AnnotationValue` union: exactly one member is set. */
type AnnotationValue = { StringValue: string } | { NumberValue: number } | { BooleanValue: boolean };

const annotationValue = (value: ScalarValue): AnnotationValue =>
  typeof value === 'string'
    ? { StringValue: value }
    : typeof value === 'number'
      ? { NumberValue: value }
      : { BooleanValue: value };

const serviceKey = (service: ServiceId): string => `${service.Name}\u0000${service.Type ?? ''}`;

const uniqueServices = (services: readonly ServiceId[]): ServiceId[] => [
  ...new Map(services.map((service) => [serviceKey(service), service])).values(),
];

/** Annotations in the API's shape: key → one entry per distinct value, with the services that set it. */
const annotationsShape = (
  trace: AssembledTrace,
  graph: TraceGraph,
): Record<string, { AnnotationValue: AnnotationValue; ServiceIds: ServiceId[] }[]> => {
  const byKey = new Map<string, Map<string, { value: ScalarValue; services: ServiceId[] }>>();
  for (const fact of annotationsOf(trace, graph)) {
    const values = byKey.get(fact.key) ?? new Map();
    byKey.set(fact.key, values);
    const valueKey = `${typeof fact.value}:${String(fact.value)}`;
    const entry = values.get(valueKey) ?? { value: fact.value, services: [] };
    values.set(valueKey, entry);
    if (fact.service) entry.services.push(fact.service);
  }
  return Object.fromEntries(
    [...byKey].map(([key, values]) => [
      key,
      [...values.values()].map(({ value, services }) => ({
        AnnotationValue: annotationValue(value),
        ServiceIds: uniqueServices(services),
      })),
    ]),
  );
};

const httpShape = (root: EntityDocument | undefined): Record<string, unknown> | undefined => {
  const request = root?.http?.request ?? {};
  const response = root?.http?.response ?? {};
  const http = Object.fromEntries(
    Object.entries({
      HttpURL: request.url,
      HttpStatus: response.status,
      HttpMethod: request.method,
      UserAgent: request.user_agent,
      ClientIp: request.client_ip,
    }).filter(([, value]) => value !== undefined),
  );
  return Object.keys(http).length > 0 ? http : undefined;
};

/**
 * The `TraceSummary` GetTraceSummaries returns for a trace. As X-Ray documents them, `ResponseTime`
 * and the `Has*` flags describe the root segment (the request as its first service answered it),
 * `Duration` the whole trace, from the first start to the last end. Times are epoch seconds.
 */
export const traceSummary = (
  stored: StoredTrace,
  trace: AssembledTrace,
  graph: TraceGraph,
): Record<string, unknown> => {
  const { root } = graph;
  const extent = traceExtent(trace);
  const rootNode = [...graph.nodes.values()].find((node) => node.root);
  const users = new Map<string, ServiceId[]>();
  const resourceArns = new Set<string>();
  for (const node of graph.nodes.values()) {
    for (const segment of node.entities) {
      for (const entity of entitiesOf(segment)) {
        if (typeof entity.user === 'string')
          users.set(entity.user, [...(users.get(entity.user) ?? []), serviceIdOf(node)]);
        if (typeof entity.resource_arn === 'string') resourceArns.add(entity.resource_arn);
      }
    }
  }
  const http = httpShape(root);
  return {
    Id: trace.traceId,
    StartTime: root?.start_time ?? extent?.start ?? stored.idTime,
    Duration: extent ? seconds(extent.end - extent.start) : 0,
    ...(root?.end_time === undefined ? {} : { ResponseTime: seconds(root.end_time - root.start_time) }),
    HasFault: root?.fault === true,
    HasError: root?.error === true,
    HasThrottle: root?.throttle === true,
    IsPartial: isPartial(trace),
    ...(http ? { Http: http } : {}),
    Annotations: annotationsShape(trace, graph),
    Users: [...users].map(([UserName, services]) => ({ UserName, ServiceIds: uniqueServices(services) })),
    ServiceIds: [...graph.nodes.values()].map(serviceIdOf),
    ResourceARNs: [...resourceArns].map((ARN) => ({ ARN })),
    ...(rootNode ? { EntryPoint: serviceIdOf(rootNode) } : {}),
    Revision: stored.revision,
  };
};
