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

/** A filter's keyword test: a node that is not `and`, `or` or `not`. */
type Condition = Exclude<FilterNode, { readonly kind: 'and' | 'or' | 'not' }>;

/** Evaluates `and`, `or` and `not` over the conditions, each decided by `holds`. */
const evaluate = (node: FilterNode, holds: (condition: Condition) => boolean): boolean => {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, holds) && evaluate(node.right, holds);
    case 'or':
      return evaluate(node.left, holds) || evaluate(node.right, holds);
    case 'not':
      return !evaluate(node.operand, holds);
    default:
      return holds(node);
  }
};

/** Decides a keyword that reads one subject (everything but annotations, services and edges). */
const subjectHolds = (node: Condition, subject: FilterSubject): boolean => {
  switch (node.kind) {
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

const matchesSubject = (node: FilterNode, subject: FilterSubject): boolean =>
  evaluate(node, (condition) => subjectHolds(condition, subject));

const selects = (selector: ServiceSelector, service: Omit<FilterService, 'subjects'>): boolean =>
  (selector.name === undefined || selector.name === service.name) &&
  (selector.type === undefined || selector.type === service.type);

/** Decides a keyword for the whole trace. */
const traceHolds = (node: Condition, facts: FilterFacts): boolean => {
  switch (node.kind) {
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
      return subjectHolds(node, facts.trace);
  }
};

/**
 * Whether a trace matches a parsed filter expression. Simple keywords read the root segment (and the
 * whole trace for `duration` and `partial`), `annotation.key` any segment or subsegment of the trace,
 * `service(…) {f}` any segment of a matching service, `edge(a, b) {f}` any call from a to b. A keyword
 * the trace has no value for (an `http.status` on a trace without HTTP data) matches neither = nor !=.
 */
export const matchesFilter = (node: FilterNode, facts: FilterFacts): boolean =>
  evaluate(node, (condition) => traceHolds(condition, facts));
