import { describe, expect, it } from 'vitest';
import { FilterExpressionError } from '../../../../local/xray/filter-lexer';
import { parseFilterExpression } from '../../../../local/xray/filter-parser';

const failure = (expression: string): FilterExpressionError => {
  try {
    parseFilterExpression(expression);
  } catch (error) {
    if (error instanceof FilterExpressionError) return error;
    throw error;
  }
  throw new Error(`"${expression}" parsed`);
};

describe('parseFilterExpression', () => {
  it('reads annotation comparisons of every value type, in both key forms', () => {
    expect(parseFilterExpression('annotation.documentId = "a b"')).toEqual({
      kind: 'annotation',
      key: 'documentId',
      op: '=',
      value: 'a b',
    });
    expect(parseFilterExpression('annotation[attempt] >= 2')).toEqual({
      kind: 'annotation',
      key: 'attempt',
      op: '>=',
      value: 2,
    });
    expect(parseFilterExpression('annotation.ColdStart != true')).toEqual({
      kind: 'annotation',
      key: 'ColdStart',
      op: '!=',
      value: true,
    });
    expect(parseFilterExpression('annotation.name contains "x"')).toMatchObject({ op: 'CONTAINS' });
    expect(parseFilterExpression('annotation.present')).toEqual({ kind: 'annotation', key: 'present' });
  });

  it('binds ! tighter than AND, AND (written or implied) tighter than OR, and honours parentheses', () => {
    expect(parseFilterExpression('error OR fault AND !ok')).toEqual({
      kind: 'or',
      left: { kind: 'flag', keyword: 'error', expected: true },
      right: {
        kind: 'and',
        left: { kind: 'flag', keyword: 'fault', expected: true },
        right: { kind: 'not', operand: { kind: 'flag', keyword: 'ok', expected: true } },
      },
    });
    expect(parseFilterExpression('(error or fault) and responsetime > 5')).toMatchObject({
      kind: 'and',
      left: { kind: 'or' },
      right: { kind: 'number', keyword: 'responsetime', op: '>', value: 5 },
    });
    expect(parseFilterExpression('ok !partial duration <3')).toMatchObject({
      kind: 'and',
      left: { kind: 'and', left: { keyword: 'ok' }, right: { kind: 'not' } },
      right: { keyword: 'duration', op: '<', value: 3 },
    });
  });

  it('reads boolean keywords compared with true or false', () => {
    expect(parseFilterExpression('ok = false')).toEqual({ kind: 'flag', keyword: 'ok', expected: false });
    expect(parseFilterExpression('fault != false')).toEqual({
      kind: 'flag',
      keyword: 'fault',
      expected: true,
    });
  });

  it('reads service() and edge() with names, id() and a filter', () => {
    expect(parseFilterExpression('service("inspect") { fault }')).toEqual({
      kind: 'service',
      service: { name: 'inspect' },
      filter: { kind: 'flag', keyword: 'fault', expected: true },
    });
    expect(parseFilterExpression('service()')).toEqual({ kind: 'service', service: {} });
    expect(
      parseFilterExpression(
        'service(id(name: "inspect", type: "AWS::Lambda::Function")) { responsetime > 1 }',
      ),
    ).toMatchObject({ service: { name: 'inspect', type: 'AWS::Lambda::Function' } });
    expect(parseFilterExpression('edge("inspect", id(type: "AWS::S3::Bucket"))')).toEqual({
      kind: 'edge',
      source: { name: 'inspect' },
      destination: { type: 'AWS::S3::Bucket' },
    });
    expect(parseFilterExpression('http.url BEGINSWITH "https://" AND user = "ann"')).toMatchObject({
      left: { kind: 'string', keyword: 'http.url', op: 'BEGINSWITH', value: 'https://' },
      right: { kind: 'string', keyword: 'user', op: '=', value: 'ann' },
    });
  });

  it('says where and why it cannot read an expression', () => {
    expect(failure('annotation.documentId = ').message).toBe(
      'Invalid filter expression at character 25: annotation.documentId compares with a quoted string, ' +
        'a number, true or false, not the end of the expression',
    );
    expect(failure('responsetime > "5"').detail).toBe('responsetime compares with a number, not "5"');
    expect(failure('annotation.x = "open').detail).toBe('the string that starts here has no closing "');
    expect(failure('latency > 5').detail).toMatch(
      /^unknown keyword "latency" \(the local X-Ray supports ok, error/,
    );
    expect(failure('(error').detail).toBe(
      'expected ")" to close the parenthesis, found the end of the expression',
    );
    expect(failure('service("a") { annotation.x = 1 }').detail).toBe(
      'annotation keys cannot be used inside service() or edge() filters',
    );
    expect(failure('error fault )').position).toBe(12);
    expect(failure('http.status CONTAINS 5').detail).toBe(
      'http.status takes one of = != < <= > >=, found "CONTAINS"',
    );
    expect(failure('   ').detail).toBe('the expression is empty');
    expect(failure('ok # 1').detail).toBe('unexpected character "#"');
  });
});
