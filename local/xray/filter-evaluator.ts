import type { Comparison } from './filter-lexer';
import type { FilterNode, ScalarValue, ServiceSelector, StringKeyword } from './filter-parser';

/** What the simple keywords read: the trace's root segment at the top level, one segment inside `service() {}`. */
export interface FilterSubject {
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly partial: boolean;
  /** Seconds from start to end; absent while in progress. */
  readonly responseTime?: number;
  readonly duration?: number;
  readonly http: {
    readonly status?: number;
    readonly url?: string;
    readonly method?: string;
    readonly useragent?: string;
    readonly clientip?: string;
  };
  readonly users: readonly string[];
}

export interface FilterService {
  readonly name: string;
  readonly type?: string;
  readonly subjects: readonly FilterSubject[];
}

export interface FilterEdge {
  readonly source: Omit<FilterService, 'subjects'>;
  readonly destination: Omit<FilterService, 'subjects'>;
  /** The calls along the edge. */
  readonly subjects: readonly FilterSubject[];
}

/** Everything about one trace that a filter expression can ask. */
export interface FilterFacts {
  readonly trace: FilterSubject;
  readonly annotations: readonly { readonly key: string; readonly value: ScalarValue }[];
  readonly services: readonly FilterService[];
  readonly edges: readonly FilterEdge[];
}

const compare = (actual: ScalarValue | undefined, op: Comparison, expected: ScalarValue): boolean => {
  if (actual === undefined || typeof actual !== typeof expected) return false;
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case 'CONTAINS':
      return String(actual).includes(String(expected));
    case 'BEGINSWITH':
      return String(actual).startsWith(String(expected));
    case 'ENDSWITH':
      return String(actual).endsWith(String(expected));
  }
};

const isOk = (subject: FilterSubject): boolean =>
  !subject.error &&
  !subject.fault &&
  !subject.throttle &&
  (subject.http.status === undefined || (subject.http.status >= 200 && subject.http.status < 300));

const stringField = (subject: FilterSubject, keyword: Exclude<StringKeyword, 'user'>): string | undefined =>
  subject.http[keyword.slice('http.'.length) as 'url' | 'method' | 'useragent' | 'clientip'];

/** Evaluates the keywords that read one subject (everything but annotations, services and edges). */
const matchesSubject = (node: FilterNode, subject: FilterSubject): boolean => {
  switch (node.kind) {
    case 'and':
      return matchesSubject(node.left, subject) && matchesSubject(node.right, subject);
    case 'or':
      return matchesSubject(node.left, subject) || matchesSubject(node.right, subject);
    case 'not':
      return !matchesSubject(node.operand, subject);
    case 'flag': {
      const value = node.keyword === 'ok' ? isOk(subject) : subject[node.keyword];
      return value === node.expected;
    }
    case 'number': {
      const actual =
        node.keyword === 'http.status'
          ? subject.http.status
          : node.keyword === 'responsetime'
            ? subject.responseTime
            : subject.duration;
      return compare(actual, node.op, node.value);
    }
    case 'string':
      return node.keyword === 'user'
        ? subject.users.some((user) => compare(user, node.op, node.value))
        : compare(stringField(subject, node.keyword), node.op, node.value);
    default:
      // The parser refuses annotations, services and edges inside a service() or edge() filter.
      throw new Error(`${node.kind} cannot be evaluated against one segment`);
  }
};

const selects = (selector: ServiceSelector, service: Omit<FilterService, 'subjects'>): boolean =>
  (selector.name === undefined || selector.name === service.name) &&
  (selector.type === undefined || selector.type === service.type);

/**
 * Whether a trace matches a parsed filter expression. Simple keywords read the root segment (and the
 * whole trace for `duration` and `partial`), `annotation.key` any segment or subsegment of the trace,
 * `service(…) {f}` any segment of a matching service, `edge(a, b) {f}` any call from a to b. A keyword
 * the trace has no value for (an `http.status` on a trace without HTTP data) matches neither = nor !=.
 */
export const matchesFilter = (node: FilterNode, facts: FilterFacts): boolean => {
  switch (node.kind) {
    case 'and':
      return matchesFilter(node.left, facts) && matchesFilter(node.right, facts);
    case 'or':
      return matchesFilter(node.left, facts) || matchesFilter(node.right, facts);
    case 'not':
      return !matchesFilter(node.operand, facts);
    case 'annotation':
      return facts.annotations.some(
        ({ key, value }) =>
          key === node.key &&
          (node.op === undefined || node.value === undefined
            ? value !== false
            : compare(value, node.op, node.value)),
      );
    case 'service':
      return facts.services.some(
        (service) =>
          selects(node.service, service) &&
          (node.filter === undefined ||
            service.subjects.some((subject) => matchesSubject(node.filter as FilterNode, subject))),
      );
    case 'edge':
      return facts.edges.some(
        (edge) =>
          selects(node.source, edge.source) &&
          selects(node.destination, edge.destination) &&
          (node.filter === undefined ||
            edge.subjects.some((subject) => matchesSubject(node.filter as FilterNode, subject))),
      );
    default:
      return matchesSubject(node, facts.trace);
  }
};
