/** A filter expression the local X-Ray cannot read; the API answers it with InvalidRequestException. */
export class FilterExpressionError extends Error {
  override readonly name = 'FilterExpressionError';
  constructor(
    readonly detail: string,
    readonly position: number,
  ) {
    super(`Invalid filter expression at character ${position + 1}: ${detail}`);
  }
}

export type Token =
  | { readonly kind: 'punct'; readonly value: '(' | ')' | '{' | '}' | ',' | ':' | '!'; readonly at: number }
  | { readonly kind: 'op'; readonly value: Comparison; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'word'; readonly value: string; readonly at: number }
  | { readonly kind: 'annotation'; readonly value: string; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

/** Every comparison a filter expression can make; which ones a keyword takes depends on its type. */
export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH';

const WORD_OPERATORS = new Set(['CONTAINS', 'BEGINSWITH', 'ENDSWITH']);
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*/;

const readString = (source: string, start: number): { value: string; end: number } => {
  const quote = source[start];
  let value = '';
  for (let index = start + 1; index < source.length; index += 1) {
    const char = source[index];
    if (char === quote) return { value, end: index + 1 };
    if (char === '\\' && index + 1 < source.length) {
      index += 1;
      value += source[index];
    } else {
      value += char;
    }
  }
  throw new FilterExpressionError(`the string that starts here has no closing ${quote}`, start);
};

/** `annotation.key` or `annotation[key]` (the form for keys a dotted name cannot spell). */
const readAnnotation = (source: string, start: number, word: string): { key: string; end: number } => {
  const after = start + word.length;
  if (word === 'annotation' && source[after] === '[') {
    const close = source.indexOf(']', after);
    if (close < 0) throw new FilterExpressionError('"annotation[" has no closing ]', start);
    const key = source
      .slice(after + 1, close)
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2');
    if (key.length === 0) throw new FilterExpressionError('the annotation key is empty', start);
    return { key, end: close + 1 };
  }
  const key = word.slice('annotation.'.length);
  if (key.length === 0) throw new FilterExpressionError('the annotation key is empty', start);
  return { key, end: after };
};

/** Splits a filter expression into tokens, each with the position it starts at. */
export const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    const rest = source.slice(index);
    if (/\s/.test(char)) {
      index += 1;
    } else if (rest.startsWith('!=') || rest.startsWith('<=') || rest.startsWith('>=')) {
      tokens.push({ kind: 'op', value: rest.slice(0, 2) as Comparison, at: index });
      index += 2;
    } else if (char === '=' || char === '<' || char === '>') {
      tokens.push({ kind: 'op', value: char, at: index });
      index += 1;
    } else if ('(){},:!'.includes(char)) {
      tokens.push({ kind: 'punct', value: char as '(' | ')' | '{' | '}' | ',' | ':' | '!', at: index });
      index += 1;
    } else if (char === '"' || char === "'") {
      const { value, end } = readString(source, index);
      tokens.push({ kind: 'string', value, at: index });
      index = end;
    } else if (NUMBER.test(rest)) {
      const text = NUMBER.exec(rest)?.[0] as string;
      tokens.push({ kind: 'number', value: Number(text), at: index });
      index += text.length;
    } else if (WORD.test(rest)) {
      const word = WORD.exec(rest)?.[0] as string;
      if (word === 'annotation' || word.startsWith('annotation.')) {
        const { key, end } = readAnnotation(source, index, word);
        tokens.push({ kind: 'annotation', value: key, at: index });
        index = end;
      } else if (WORD_OPERATORS.has(word.toUpperCase())) {
        tokens.push({ kind: 'op', value: word.toUpperCase() as Comparison, at: index });
        index += word.length;
      } else {
        tokens.push({ kind: 'word', value: word, at: index });
        index += word.length;
      }
    } else {
      throw new FilterExpressionError(`unexpected character ${JSON.stringify(char)}`, index);
    }
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
};
