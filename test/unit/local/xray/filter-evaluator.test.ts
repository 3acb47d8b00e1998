import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../../../local/xray/filter-evaluator';
import { parseFilterExpression } from '../../../../local/xray/filter-parser';
import { assembleTrace } from '../../../../local/xray/trace-assembly';
import { filterFacts } from '../../../../local/xray/trace-facts';
import { traceGraph } from '../../../../local/xray/trace-graph';
import { json, lambdaInvocation, newTraceId, standalone } from './segment-builders';

const START = 1_780_000_000;

/** A traced invocation of `inspect` for document `doc-1` whose S3 call was throttled and which failed. */
const traceId = newTraceId(START);
const invocation = lambdaInvocation({
  traceId,
  functionName: 'inspect',
  start: START,
  documentId: 'doc-1',
  error: true,
});
const throttled = standalone(traceId, invocation.handler.id as string, {
  name: 'DynamoDB',
  namespace: 'aws',
  start_time: START + 0.2,
  end_time: START + 0.35,
  error: true,
  throttle: true,
  http: { response: { status: 400 } },
});
const trace = assembleTrace(
  traceId,
  json(invocation.service, invocation.fn, invocation.handler, invocation.s3, throttled),
);
const facts = filterFacts(trace, traceGraph(trace));

const matches = (expression: string): boolean => matchesFilter(parseFilterExpression(expression), facts);

describe('matchesFilter', () => {
  it('compares annotations of any segment or subsegment by their type', () => {
    expect(matches('annotation.documentId = "doc-1"')).toBe(true);
    expect(matches('annotation.documentId = "doc-2"')).toBe(false);
    expect(matches('annotation.documentId != "doc-2"')).toBe(true);
    expect(matches('annotation.documentId BEGINSWITH "doc"')).toBe(true);
    expect(matches('annotation.attempt = 1')).toBe(true);
    expect(matches('annotation.attempt > 1')).toBe(false);
    // A number annotation never equals a string.
    expect(matches('annotation.attempt = "1"')).toBe(false);
    expect(matches('annotation.ColdStart = true')).toBe(true);
    expect(matches('annotation.ColdStart')).toBe(true);
    expect(matches('annotation.missing')).toBe(false);
    expect(matches('annotation.missing != "x"')).toBe(false);
  });

  it('reads the simple keywords from the root segment and the trace', () => {
    // The root (the AWS::Lambda segment) answered 200: the handler's error is downstream of it.
    expect(matches('ok')).toBe(true);
    expect(matches('error')).toBe(false);
    expect(matches('!fault')).toBe(true);
    expect(matches('http.status = 200')).toBe(true);
    expect(matches('http.status != 200')).toBe(false);
    expect(matches('responsetime > 0.4 AND responsetime <= 0.5')).toBe(true);
    expect(matches('duration >= 0.5')).toBe(true);
    expect(matches('partial')).toBe(false);
    expect(matches('http.url CONTAINS ""')).toBe(false);
  });

  it('finds services and edges by name and type, with filters on their segments', () => {
    expect(matches('service("inspect")')).toBe(true);
    expect(matches('service("thumbnail")')).toBe(false);
    expect(matches('service() { throttle }')).toBe(true);
    expect(matches('service("DynamoDB") { throttle AND http.status = 400 }')).toBe(true);
    expect(matches('service("S3") { error }')).toBe(false);
    expect(matches('service(id(name: "inspect", type: "AWS::Lambda::Function")) { responsetime < 1 }')).toBe(
      true,
    );
    expect(matches('service(id(type: "AWS::DynamoDB::Table"))')).toBe(true);
    expect(matches('edge("inspect", "DynamoDB") { throttle }')).toBe(true);
    expect(matches('edge("inspect", "S3") { error }')).toBe(false);
    expect(matches('edge(id(name: "inspect", type: "AWS::Lambda"), id(type: "AWS::Lambda::Function"))')).toBe(
      true,
    );
  });

  it('combines with AND, OR, ! and parentheses', () => {
    expect(matches('annotation.documentId = "doc-2" OR service("S3")')).toBe(true);
    expect(matches('annotation.documentId = "doc-1" AND !service("S3")')).toBe(false);
    expect(matches('!(error OR fault) annotation.documentId = "doc-1"')).toBe(true);
    expect(matches('(annotation.documentId = "doc-2" OR fault) AND ok')).toBe(false);
  });
});
