import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * dynalite validates every request by running its PEG parsers over each condition, update, key
 * condition, filter and projection expression: ~3.7 ms a parse, a fifth of `docflow up`'s event loop
 * during a burst (decisions 41), though a pipeline sends the same few expressions over and over.
 *
 * A parse's result depends on more than the expression: the parser resolves `#name` and `:value`
 * placeholders into the tree, checks the operand types of the values, and crosses the placeholders it
 * resolved off the request's "unused" sets. So the cache key is the parser, the expression, whether it
 * is a key condition, the attribute names, and the names and top-level types of the attribute values;
 * the cached tree keeps a reference where a value was, filled with the request's own value on a hit.
 * Two checks look at the values themselves (`BETWEEN` compares its bounds, `attribute_type` reads its
 * type name): expressions with those words are always parsed.
 */

type AttributeValue = Record<string, unknown>;

export interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, AttributeValue>;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
  [other: string]: unknown;
}

/** A parsed tree with the request's values taken out. */
interface Template {
  readonly tree: unknown;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/** Where a value of `ExpressionAttributeValues` stood in a parsed tree. */
class ValueSlot {
  constructor(readonly key: string) {}
}

const PARSERS = ['conditionParser', 'updateParser', 'projectionParser'] as const;
const VALUE_DEPENDENT = /between|attribute_type/i;
/** dynalite's own order of attribute value types (`getImmediateType`). */
const VALUE_TYPES = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'] as const;
const MAX_ENTRIES = 1_000;
/** Marks a memoized parse and holds the one it wraps. */
export const ORIGINAL_PARSE = Symbol.for('docflow.dynalite.original-parse');

const typeOf = (value: AttributeValue): string =>
  VALUE_TYPES.find((type) => value[type] !== undefined && value[type] !== null) ?? '';

const keyOf = (parser: string, expression: string, context: ParseContext): string => {
  const values = Object.entries(context.attrVals ?? {})
    .map(([key, value]) => `${key}:${typeOf(value)}`)
    .join(',');
  return [
    parser,
    context.isKeyCondition ? 'K' : '',
    expression,
    JSON.stringify(context.attrNames ?? {}),
    values,
  ].join('\u0000');
};

/** Copies `node`, keeping shared objects shared and prototypes as they were; `leaf` may replace a node. */
const copyTree = (
  node: unknown,
  leaf: (node: object) => unknown,
  seen = new Map<object, unknown>(),
): unknown => {
  if (typeof node !== 'object' || node === null) return node;
  const replaced = leaf(node);
  if (replaced !== undefined) return replaced;
  const known = seen.get(node);
  if (known !== undefined) return known;
  if (Array.isArray(node)) {
    const copy: unknown[] = [];
    seen.set(node, copy);
    for (const item of node) copy.push(copyTree(item, leaf, seen));
    return copy;
  }
  const copy = Object.create(Object.getPrototypeOf(node)) as Record<string, unknown>;
  seen.set(node, copy);
  for (const [key, value] of Object.entries(node)) copy[key] = copyTree(value, leaf, seen);
  return copy;
};

const crossOff = (unused: Record<string, boolean> | undefined, used: readonly string[]): void => {
  if (!unused) return;
  for (const key of used) delete unused[key];
};

/**
 * Parses with every placeholder marked unused, to learn which ones this expression resolves, whatever
 * the expressions parsed before it in the same request crossed off already.
 */
const parseFresh = (
  parse: ParseFunction,
  expression: string,
  context: ParseContext,
): [unknown, Template?] => {
  const unusedNames = Object.fromEntries(Object.keys(context.attrNames ?? {}).map((key) => [key, true]));
  const unusedValues = Object.fromEntries(Object.keys(context.attrVals ?? {}).map((key) => [key, true]));
  const usedNames = (): string[] =>
    Object.keys(context.attrNames ?? {}).filter((key) => !(key in unusedNames));
  const usedValues = (): string[] =>
    Object.keys(context.attrVals ?? {}).filter((key) => !(key in unusedValues));
  let result: unknown;
  try {
    result = parse(expression, {
      context: { ...context, unusedAttrNames: unusedNames, unusedAttrVals: unusedValues },
    });
  } finally {
    crossOff(context.unusedAttrNames, usedNames());
    crossOff(context.unusedAttrVals, usedValues());
  }
  if (typeof result !== 'object' || result === null) return [result];
  const slots = new Map<object, ValueSlot>(
    Object.entries(context.attrVals ?? {}).map(([key, value]) => [value, new ValueSlot(key)]),
  );
  const tree = copyTree(result, (node) => slots.get(node));
  return [result, { tree, usedNames: usedNames(), usedValues: usedValues() }];
};

const instantiate = (template: Template, context: ParseContext): unknown => {
  crossOff(context.unusedAttrNames, template.usedNames);
  crossOff(context.unusedAttrVals, template.usedValues);
  const values = context.attrVals ?? {};
  return copyTree(template.tree, (node) => (node instanceof ValueSlot ? values[node.key] : undefined));
};

/** One of dynalite's parsers' `parse`. */
export type ParseFunction = (expression: string, options: { context: ParseContext }) => unknown;

/** `parse` with the cache in front; the original stays reachable as `[ORIGINAL_PARSE]`. */
export const memoizedParse = (parser: string, parse: ParseFunction): ParseFunction => {
  const cache = new Map<string, Template>();
  const memoized: ParseFunction = (expression, options) => {
    const { context } = options;
    if (VALUE_DEPENDENT.test(expression)) return parse(expression, options);
    const key = keyOf(parser, expression, context);
    const cached = cache.get(key);
    if (cached) return instantiate(cached, context);
    const [result, template] = parseFresh(parse, expression, context);
    if (template) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(key, template);
    }
    return result;
  };
  Object.defineProperty(memoized, ORIGINAL_PARSE, { value: parse });
  return memoized;
};

/**
 * Puts the cache in front of dynalite's three expression parsers. They are the modules dynalite's
 * validation requires and calls through their exported `parse` at each request, so replacing that
 * export reaches every parse without touching dynalite's files. Idempotent.
 */
export const memoizeDynaliteExpressions = (): void => {
  for (const name of PARSERS) {
    const parser = require(`dynalite/db/${name}`) as { parse: ParseFunction };
    if (!(ORIGINAL_PARSE in parser.parse)) parser.parse = memoizedParse(name, parser.parse);
  }
};
