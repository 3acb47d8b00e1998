/**
 * EventBridge event patterns: validation and matching, as EventBridge documents them
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
 * eb-create-pattern-operators.html). A pattern is an object whose leaves are arrays of values (OR);
 * keys are ANDed; a nested object matches a nested object; an event value that is an array matches
 * when any of its elements does. Values are literals (string, number, boolean, null) or one-key
 * filters: `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`, `numeric`, `exists`;
 * `$or` takes a list of patterns. `cidr` is refused with a message that names it.
 */

/** A pattern EventBridge would refuse (`InvalidEventPatternException`); the message says where and why. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Matcher = (value: Json | undefined) => boolean;

/** A validated pattern, ready to match events. */
export interface EventPattern {
  /** The pattern as given. */
  readonly source: Readonly<Record<string, unknown>>;
  matches(event: unknown): boolean;
}

const NUMERIC_OPERATORS = new Set(['=', '>', '>=', '<', '<=']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (path: readonly string[]): string =>
  path.length === 0 ? 'the pattern' : `"${path.join('.')}"`;

const invalid = (path: readonly string[], reason: string): InvalidEventPatternError =>
  new InvalidEventPatternError(`Event pattern is not valid. Reason: ${describe(path)} ${reason}`);

/** `*` matches any run of characters; `\*` is a literal star. */
const wildcardRegExp = (pattern: string): RegExp => {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern.charAt(index);
    if (char === '\\' && pattern.charAt(index + 1) === '*') {
      source += '\\*';
      index += 1;
    } else if (char === '*') source += '.*';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
};

const isLeaf = (value: Json | undefined): value is null | boolean | number | string =>
  value === null || ['boolean', 'number', 'string'].includes(typeof value);

const equalLiteral = (expected: null | boolean | number | string, value: Json | undefined): boolean =>
  value === expected;

const stringFilter = (
  path: readonly string[],
  name: string,
  operand: unknown,
  test: (text: string, operand: string, ignoreCase: boolean) => boolean,
): ((value: string) => boolean) => {
  if (typeof operand === 'string') return (value) => test(value, operand, false);
  if (
    isObject(operand) &&
    Object.keys(operand).length === 1 &&
    typeof operand['equals-ignore-case'] === 'string'
  ) {
    const folded = operand['equals-ignore-case'];
    return (value) => test(value, folded, true);
  }
  throw invalid(path, `${name} must be a string or {"equals-ignore-case": string}`);
};

const startsWith = (text: string, prefix: string, ignoreCase: boolean): boolean =>
  ignoreCase ? text.toLowerCase().startsWith(prefix.toLowerCase()) : text.startsWith(prefix);
const endsWith = (text: string, suffix: string, ignoreCase: boolean): boolean =>
  ignoreCase ? text.toLowerCase().endsWith(suffix.toLowerCase()) : text.endsWith(suffix);

const numericMatcher = (path: readonly string[], operand: unknown): ((value: number) => boolean) => {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw invalid(path, 'numeric takes one or two [operator, number] pairs');
  }
  const tests: ((value: number) => boolean)[] = [];
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
      throw invalid(path, `numeric has an unknown operator ${JSON.stringify(operator)} (=, >, >=, <, <=)`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw invalid(path, `numeric needs a number after "${operator}"`);
    }
    if (operand.length === 4 && (operator === '=' || (index === 0) !== operator.startsWith('>'))) {
      throw invalid(path, 'a numeric range is a lower bound (> or >=) then an upper bound (< or <=)');
    }
    tests.push(
      operator === '='
        ? (value) => value === bound
        : operator === '>'
          ? (value) => value > bound
          : operator === '>='
            ? (value) => value >= bound
            : operator === '<'
              ? (value) => value < bound
              : (value) => value <= bound,
    );
  }
  return (value) => tests.every((test) => test(value));
};

const anythingButMatcher = (path: readonly string[], operand: unknown): Matcher => {
  if (isObject(operand)) {
    const [name, ...others] = Object.keys(operand);
    if (name === undefined || others.length > 0) throw invalid(path, 'anything-but takes one filter');
    const inner = operand[name];
    const strings = (label: string): string[] => {
      const list = Array.isArray(inner) ? inner : [inner];
      if (list.length === 0 || !list.every((item) => typeof item === 'string')) {
        throw invalid(path, `anything-but ${label} must be a string or a list of strings`);
      }
      return list as string[];
    };
    let excluded: (value: string) => boolean;
    switch (name) {
      case 'prefix': {
        const [prefix] = strings('prefix');
        excluded = (value) => value.startsWith(prefix as string);
        break;
      }
      case 'suffix': {
        const [suffix] = strings('suffix');
        excluded = (value) => value.endsWith(suffix as string);
        break;
      }
      case 'equals-ignore-case': {
        const folded = strings('equals-ignore-case').map((item) => item.toLowerCase());
        excluded = (value) => folded.includes(value.toLowerCase());
        break;
      }
      case 'wildcard': {
        const patterns = strings('wildcard').map(wildcardRegExp);
        excluded = (value) => patterns.some((pattern) => pattern.test(value));
        break;
      }
      default:
        throw invalid(path, `anything-but does not take "${name}"`);
    }
    return (value) => isLeaf(value) && !(typeof value === 'string' && excluded(value));
  }
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' || typeof item === 'number')) {
    throw invalid(path, 'anything-but takes a string, a number, a list of them, or a filter');
  }
  return (value) => isLeaf(value) && !list.includes(value as string | number);
};

/** One element of a leaf array: a literal or a one-key filter. */
const elementMatcher = (path: readonly string[], element: unknown): Matcher => {
  if (element === null || ['boolean', 'number', 'string'].includes(typeof element)) {
    const literal = element as null | boolean | number | string;
    return (value) => equalLiteral(literal, value);
  }
  if (!isObject(element)) throw invalid(path, 'must hold values or filters, not nested arrays');
  const [name, ...others] = Object.keys(element);
  if (name === undefined || others.length > 0) {
    throw invalid(path, `a filter has exactly one operator, got ${JSON.stringify(element)}`);
  }
  const operand = element[name];
  switch (name) {
    case 'prefix': {
      const test = stringFilter(path, 'prefix', operand, startsWith);
      return (value) => typeof value === 'string' && test(value);
    }
    case 'suffix': {
      const test = stringFilter(path, 'suffix', operand, endsWith);
      return (value) => typeof value === 'string' && test(value);
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') throw invalid(path, 'equals-ignore-case must be a string');
      const folded = operand.toLowerCase();
      return (value) => typeof value === 'string' && value.toLowerCase() === folded;
    }
    case 'wildcard': {
      if (typeof operand !== 'string') throw invalid(path, 'wildcard must be a string');
      const pattern = wildcardRegExp(operand);
      return (value) => typeof value === 'string' && pattern.test(value);
    }
    case 'anything-but':
      return anythingButMatcher(path, operand);
    case 'numeric': {
      const test = numericMatcher(path, operand);
      return (value) => typeof value === 'number' && test(value);
    }
    case 'exists': {
      if (typeof operand !== 'boolean') throw invalid(path, 'exists must be true or false');
      // Exists matching works on leaf nodes only; an object is not a leaf.
      return (value) => (operand ? value !== undefined && !isObject(value) : value === undefined);
    }
    case 'cidr':
      throw invalid(path, 'uses cidr matching, which the local EventBridge does not support');
    default:
      throw invalid(path, `has an unknown filter "${name}"`);
  }
};

const leafMatcher = (path: readonly string[], elements: readonly unknown[]): Matcher => {
  if (elements.length === 0) throw invalid(path, 'is an empty array: it could never match');
  const matchers = elements.map((element) => elementMatcher(path, element));
  const one = (value: Json | undefined) => matchers.some((matcher) => matcher(value));
  return (value) => {
    // An array in the event matches when any of its elements does; an empty one is a missing field.
    if (Array.isArray(value)) return value.length === 0 ? one(undefined) : value.some((item) => one(item));
    return one(value);
  };
};

/** A pattern object: every key must match (AND); `$or` is a list of alternative patterns. */
const objectMatcher = (path: readonly string[], pattern: Record<string, unknown>): Matcher => {
  const fields: ((event: Record<string, Json> | undefined) => boolean)[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        throw invalid(path, '$or must be a list of at least two patterns');
      }
      const alternatives = value.map((alternative) => objectMatcher(path, alternative));
      fields.push((event) => alternatives.some((alternative) => alternative(event)));
      continue;
    }
    const at = [...path, key];
    const field = Array.isArray(value)
      ? leafMatcher(at, value)
      : isObject(value)
        ? objectMatcher(at, value)
        : (() => {
            throw invalid(at, 'must be an object or an array');
          })();
    fields.push((event) => field(event?.[key]));
  }
  const one = (value: Json | undefined): boolean => {
    if (value !== undefined && !isObject(value)) return false;
    return fields.every((field) => field(value as Record<string, Json> | undefined));
  };
  // A list of objects in the event matches when one of them does.
  return (value) => (Array.isArray(value) ? value.some((item) => one(item)) : one(value));
};

/**
 * Validates an event pattern (an object, or its JSON text as `EventPattern` carries it) and returns
 * its matcher. Throws {@link InvalidEventPatternError} naming the offending field.
 */
export const compileEventPattern = (pattern: unknown): EventPattern => {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern) as unknown;
    } catch (error) {
      throw new InvalidEventPatternError(`Event pattern is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(parsed)) throw invalid([], 'must be a JSON object');
  const matcher = objectMatcher([], parsed);
  return {
    source: parsed,
    matches: (event) => isObject(event) && matcher(event as { [key: string]: Json }),
  };
};
