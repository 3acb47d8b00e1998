import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  memoizedParse,
  ORIGINAL_PARSE,
  type ParseContext,
  type ParseFunction,
} from '../../../../local/emulators/dynalite-expression-cache';

const require = createRequire(import.meta.url);

const rawParse = (name: string): ParseFunction => {
  const { parse } = require(`dynalite/db/${name}`) as {
    parse: ParseFunction & { [ORIGINAL_PARSE]?: ParseFunction };
  };
  return parse[ORIGINAL_PARSE] ?? parse;
};

const context = (
  attrNames: Record<string, string>,
  attrVals: Record<string, Record<string, unknown>>,
): ParseContext => ({
  attrNames,
  attrVals,
  unusedAttrNames: Object.fromEntries(Object.keys(attrNames).map((key) => [key, true])),
  unusedAttrVals: Object.fromEntries(Object.keys(attrVals).map((key) => [key, true])),
  isReserved: (name: string) => name.toUpperCase() === 'STATUS',
  compare: () => false,
});

/** Parses with both, returning each result (or thrown message) and what each left unused. */
const both = (expression: string, make: () => ParseContext) => {
  const run = (parse: ParseFunction) => {
    const ctx = make();
    let result: unknown;
    try {
      result = parse(expression, { context: ctx });
    } catch (error) {
      result = `threw ${(error as Error).message}`;
    }
    return {
      result,
      unusedNames: Object.keys(ctx.unusedAttrNames ?? {}),
      unusedVals: Object.keys(ctx.unusedAttrVals ?? {}),
    };
  };
  return { run };
};

describe('memoized dynalite expression parsing', () => {
  it('gives what the parser gives, with each request’s own values, on hits as on misses', () => {
    const raw = rawParse('updateParser');
    const memoized = memoizedParse('updateParser', raw);
    const expression = 'SET #s = :s, #n = #n + :one, #t = if_not_exists(#t, :now) REMOVE #old';
    const names = { '#s': 'status', '#n': 'count', '#t': 'createdAt', '#old': 'legacy' };
    for (const status of ['QUEUED', 'PROCESSED', 'FAILED']) {
      const values = {
        ':s': { S: status },
        ':one': { N: '1' },
        ':now': { S: `2026-12-07T0${status.length}` },
      };
      const { run } = both(expression, () => context(names, values));
      const expected = run(raw);
      const actual = run(memoized);
      expect(actual).toEqual(expected);
      expect(JSON.stringify(actual.result)).toContain(status);
    }
  });

  it('keys on the values’ types, so a type error is still found after a hit of the same expression', () => {
    const raw = rawParse('updateParser');
    const memoized = memoizedParse('updateParser', raw);
    const names = { '#n': 'count' };
    const good = () => context(names, { ':one': { N: '1' } });
    const bad = () => context(names, { ':one': { S: 'one' } });
    expect(both('SET #n = #n + :one', good).run(memoized)).toEqual(both('SET #n = #n + :one', good).run(raw));
    const badResult = both('SET #n = #n + :one', bad).run(memoized);
    expect(badResult).toEqual(both('SET #n = #n + :one', bad).run(raw));
    expect(badResult.result).toMatch(/Incorrect operand type/);
  });

  it('crosses off only what the expression resolves, whatever an earlier expression crossed off', () => {
    const raw = rawParse('conditionParser');
    const memoized = memoizedParse('conditionParser', raw);
    const names = { '#s': 'status', '#k': 'key' };
    const values = { ':s': { S: 'QUEUED' }, ':unused': { S: 'x' } };
    const alreadyCrossed = () => {
      const ctx = context(names, values);
      delete ctx.unusedAttrNames?.['#s'];
      return ctx;
    };
    both('attribute_not_exists(#k) OR #s = :s', alreadyCrossed).run(memoized);
    const fresh = () => context(names, values);
    const hit = both('attribute_not_exists(#k) OR #s = :s', fresh).run(memoized);
    expect(hit).toEqual(both('attribute_not_exists(#k) OR #s = :s', fresh).run(raw));
    expect(hit.unusedNames).toEqual([]);
    expect(hit.unusedVals).toEqual([':unused']);
  });

  it('leaves alone what depends on values themselves, and errors as the parser does', () => {
    const raw = rawParse('conditionParser');
    const memoized = memoizedParse('conditionParser', raw);
    const names = { '#a': 'age' };
    for (const [low, high] of [
      ['1', '9'],
      ['9', '1'],
    ] as const) {
      const make = () => context(names, { ':lo': { N: low }, ':hi': { N: high } });
      const compare = (ctx: ParseContext): ParseContext => ({
        ...ctx,
        compare: (_op: string, x: { N: string }, y: { N: string }) => Number(x.N) > Number(y.N),
      });
      expect(both('#a BETWEEN :lo AND :hi', () => compare(make())).run(memoized)).toEqual(
        both('#a BETWEEN :lo AND :hi', () => compare(make())).run(raw),
      );
    }
    const broken = () => context(names, { ':v': { N: '1' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(both('#a = = :v', broken).run(memoized)).toEqual(both('#a = = :v', broken).run(raw));
      expect(both('#a = :missing', broken).run(memoized)).toEqual(both('#a = :missing', broken).run(raw));
    }
  });

  it('hands out a fresh tree each time, so changing one result changes no other', () => {
    const raw = rawParse('projectionParser');
    const memoized = memoizedParse('projectionParser', raw);
    const first = memoized('#a, b.c', { context: context({ '#a': 'a' }, {}) }) as { paths: string[][] };
    first.paths[0]?.push('changed');
    const second = memoized('#a, b.c', { context: context({ '#a': 'a' }, {}) });
    expect(second).toEqual(raw('#a, b.c', { context: context({ '#a': 'a' }, {}) }));
  });
});
