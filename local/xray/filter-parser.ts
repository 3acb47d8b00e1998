import { type Comparison, FilterExpressionError, type Token, tokenize } from './filter-lexer';

/** Keywords that are true or false for a trace (or, inside `service() {}`, for a segment). */
export type FlagKeyword = 'ok' | 'error' | 'fault' | 'throttle' | 'partial';
export type NumberKeyword = 'responsetime' | 'duration' | 'http.status';
export type StringKeyword = 'http.url' | 'http.method' | 'http.useragent' | 'http.clientip' | 'user';

/** A service as `service()` and `edge()` name it: a name, or `id(name: "…", type: "…")`. */
export interface ServiceSelector {
  readonly name?: string;
  readonly type?: string;
}

export type ScalarValue = string | number | boolean;

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'flag'; readonly keyword: FlagKeyword; readonly expected: boolean }
  | {
      readonly kind: 'number';
      readonly keyword: NumberKeyword;
      readonly op: Comparison;
      readonly value: number;
    }
  | {
      readonly kind: 'string';
      readonly keyword: StringKeyword;
      readonly op: Comparison;
      readonly value: string;
    }
  | {
      readonly kind: 'annotation';
      readonly key: string;
      readonly op?: Comparison;
      readonly value?: ScalarValue;
    }
  | { readonly kind: 'service'; readonly service: ServiceSelector; readonly filter?: FilterNode }
  | {
      readonly kind: 'edge';
      readonly source: ServiceSelector;
      readonly destination: ServiceSelector;
      readonly filter?: FilterNode;
    };

const FLAGS: ReadonlySet<string> = new Set<FlagKeyword>(['ok', 'error', 'fault', 'throttle', 'partial']);
const NUMBERS: ReadonlySet<string> = new Set<NumberKeyword>(['responsetime', 'duration', 'http.status']);
const STRINGS: ReadonlySet<string> = new Set<StringKeyword>([
  'http.url',
  'http.method',
  'http.useragent',
  'http.clientip',
  'user',
]);
const NUMBER_OPS: ReadonlySet<Comparison> = new Set(['=', '!=', '<', '<=', '>', '>=']);
const STRING_OPS: ReadonlySet<Comparison> = new Set(['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH']);
const EQUALITY_OPS: ReadonlySet<Comparison> = new Set(['=', '!=']);

const SUPPORTED =
  'ok, error, fault, throttle, partial, responsetime, duration, http.status, http.url, http.method, ' +
  'http.useragent, http.clientip, user, annotation.<key>, service(), edge()';

const describe = (token: Token): string =>
  token.kind === 'end'
    ? 'the end of the expression'
    : token.kind === 'string'
      ? JSON.stringify(token.value)
      : token.kind === 'annotation'
        ? `annotation.${token.value}`
        : `"${String(token.value)}"`;

/** A recursive-descent parser: OR binds loosest, then AND (written or implied by juxtaposition), then `!`. */
class Parser {
  #position = 0;
  /** Inside `service() {…}` or `edge() {…}`: annotations and nested services are not allowed there. */
  #scoped = false;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): FilterNode {
    const node = this.#or();
    const next = this.#peek();
    if (next.kind !== 'end') this.#fail(`unexpected ${describe(next)}`, next);
    return node;
  }

  #peek(): Token {
    return this.tokens[this.#position] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#position += 1;
    return token;
  }

  #fail(detail: string, token: Token = this.#peek()): never {
    throw new FilterExpressionError(detail, token.at);
  }

  #isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.value.toUpperCase() === word;
  }

  #expectPunct(value: string, context: string): void {
    const token = this.#next();
    if (token.kind !== 'punct' || token.value !== value)
      this.#fail(`expected "${value}" ${context}, found ${describe(token)}`, token);
  }

  #or(): FilterNode {
    let left = this.#and();
    while (this.#isWord(this.#peek(), 'OR')) {
      this.#next();
      left = { kind: 'or', left, right: this.#and() };
    }
    return left;
  }

  #startsOperand(token: Token): boolean {
    if (token.kind === 'annotation') return true;
    if (token.kind === 'punct') return token.value === '(' || token.value === '!';
    return token.kind === 'word' && !this.#isWord(token, 'OR') && !this.#isWord(token, 'AND');
  }

  #and(): FilterNode {
    let left = this.#unary();
    for (;;) {
      const token = this.#peek();
      if (this.#isWord(token, 'AND')) this.#next();
      else if (!this.#startsOperand(token)) return left;
      left = { kind: 'and', left, right: this.#unary() };
    }
  }

  #unary(): FilterNode {
    const token = this.#peek();
    if (token.kind === 'punct' && token.value === '!') {
      this.#next();
      return { kind: 'not', operand: this.#unary() };
    }
    return this.#primary();
  }

  #primary(): FilterNode {
    const token = this.#next();
    if (token.kind === 'punct' && token.value === '(') {
      const inner = this.#or();
      this.#expectPunct(')', 'to close the parenthesis');
      return inner;
    }
    if (token.kind === 'annotation') return this.#annotation(token);
    if (token.kind !== 'word') this.#fail(`expected a keyword, found ${describe(token)}`, token);
    const keyword = token.value.toLowerCase();
    if (keyword === 'service' || keyword === 'edge') return this.#graphKeyword(keyword, token);
    if (FLAGS.has(keyword)) return this.#flag(keyword as FlagKeyword);
    if (NUMBERS.has(keyword)) {
      const op = this.#operator(keyword, NUMBER_OPS);
      const value = this.#next();
      if (value.kind !== 'number')
        this.#fail(`${keyword} compares with a number, not ${describe(value)}`, value);
      return { kind: 'number', keyword: keyword as NumberKeyword, op, value: value.value };
    }
    if (STRINGS.has(keyword)) {
      const op = this.#operator(keyword, STRING_OPS);
      const value = this.#next();
      if (value.kind !== 'string')
        this.#fail(`${keyword} compares with a quoted string, not ${describe(value)}`, value);
      return { kind: 'string', keyword: keyword as StringKeyword, op, value: value.value };
    }
    return this.#fail(`unknown keyword "${token.value}" (the local X-Ray supports ${SUPPORTED})`, token);
  }

  #operator(keyword: string, allowed: ReadonlySet<Comparison>): Comparison {
    const token = this.#next();
    if (token.kind !== 'op' || !allowed.has(token.value))
      this.#fail(`${keyword} takes one of ${[...allowed].join(' ')}, found ${describe(token)}`, token);
    return token.value;
  }

  #flag(keyword: FlagKeyword): FilterNode {
    const token = this.#peek();
    if (token.kind !== 'op') return { kind: 'flag', keyword, expected: true };
    const op = this.#operator(keyword, EQUALITY_OPS);
    const value = this.#next();
    if (value.kind !== 'word' || (value.value !== 'true' && value.value !== 'false'))
      this.#fail(`${keyword} compares with true or false, not ${describe(value)}`, value);
    return { kind: 'flag', keyword, expected: (value.value === 'true') === (op === '=') };
  }

  #annotation(token: Token & { kind: 'annotation' }): FilterNode {
    if (this.#scoped) this.#fail('annotation keys cannot be used inside service() or edge() filters', token);
    if (this.#peek().kind !== 'op') return { kind: 'annotation', key: token.value };
    const opToken = this.#next() as Token & { kind: 'op' };
    const op = opToken.value;
    const value = this.#next();
    if (value.kind === 'string') {
      if (!STRING_OPS.has(op))
        this.#fail(`a string annotation takes one of ${[...STRING_OPS].join(' ')}`, opToken);
      return { kind: 'annotation', key: token.value, op, value: value.value };
    }
    if (value.kind === 'number') {
      if (!NUMBER_OPS.has(op))
        this.#fail(`a number annotation takes one of ${[...NUMBER_OPS].join(' ')}`, opToken);
      return { kind: 'annotation', key: token.value, op, value: value.value };
    }
    if (value.kind === 'word' && (value.value === 'true' || value.value === 'false')) {
      if (!EQUALITY_OPS.has(op)) this.#fail('a boolean annotation takes = or !=', opToken);
      return { kind: 'annotation', key: token.value, op, value: value.value === 'true' };
    }
    return this.#fail(
      `annotation.${token.value} compares with a quoted string, a number, true or false, not ${describe(value)}`,
      value,
    );
  }

  #selector(context: string): ServiceSelector {
    const token = this.#next();
    if (token.kind === 'string') return { name: token.value };
    if (token.kind !== 'word' || token.value !== 'id')
      this.#fail(`expected a quoted service name or id(name: "…", type: "…") ${context}`, token);
    this.#expectPunct('(', 'after id');
    const selector: { name?: string; type?: string } = {};
    for (;;) {
      const field = this.#next();
      if (field.kind !== 'word' || (field.value !== 'name' && field.value !== 'type'))
        this.#fail(`id() takes name: and type:, found ${describe(field)}`, field);
      this.#expectPunct(':', `after ${field.value}`);
      const value = this.#next();
      if (value.kind !== 'string') this.#fail(`id(${field.value}: …) takes a quoted string`, value);
      selector[field.value as 'name' | 'type'] = value.value;
      const separator = this.#next();
      if (separator.kind === 'punct' && separator.value === ')') return selector;
      if (separator.kind !== 'punct' || separator.value !== ',')
        this.#fail(`expected "," or ")" in id(), found ${describe(separator)}`, separator);
    }
  }

  #graphKeyword(keyword: 'service' | 'edge', token: Token): FilterNode {
    if (this.#scoped) this.#fail(`${keyword}() cannot be nested inside service() or edge() filters`, token);
    this.#expectPunct('(', `after ${keyword}`);
    let node:
      | { kind: 'service'; service: ServiceSelector }
      | { kind: 'edge'; source: ServiceSelector; destination: ServiceSelector };
    if (keyword === 'service') {
      const close = this.#peek();
      const service = close.kind === 'punct' && close.value === ')' ? {} : this.#selector('in service()');
      node = { kind: 'service', service };
    } else {
      const source = this.#selector('as the source of edge()');
      this.#expectPunct(',', 'between the two services of edge()');
      node = { kind: 'edge', source, destination: this.#selector('as the destination of edge()') };
    }
    this.#expectPunct(')', `to close ${keyword}()`);
    const brace = this.#peek();
    if (brace.kind !== 'punct' || brace.value !== '{') return node;
    this.#next();
    this.#scoped = true;
    const filter = this.#or();
    this.#scoped = false;
    this.#expectPunct('}', `to close the ${keyword}() filter`);
    return { ...node, filter };
  }
}

/**
 * Parses an X-Ray filter expression (the language of GetTraceSummaries' `FilterExpression` and the
 * console's search bar). Throws {@link FilterExpressionError} naming the position of what it cannot read.
 */
export const parseFilterExpression = (source: string): FilterNode => {
  if (source.trim().length === 0) throw new FilterExpressionError('the expression is empty', 0);
  return new Parser(tokenize(source)).parse();
};
