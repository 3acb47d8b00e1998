import { describe, expect, it } from 'vitest';
import { assembleTrace } from '../../../../local/xray/trace-assembly';
import { traceGraph } from '../../../../local/xray/trace-graph';
import type { StoredTrace } from '../../../../local/xray/trace-store';
import { traceSummary } from '../../../../local/xray/trace-summary';
import { inspectInvocation, json, newTraceId, segment, standalone } from './segment-builders';

const START = 1_780_000_000;

const stored = (traceId: string, revision = 4): StoredTrace => ({
  traceId,
  idTime: START,
  updatedAt: START + 1,
  lastEventTime: START + 1,
  firstStartTime: START,
  revision,
});

const summarize = (traceId: string, documents: string[]) => {
  const trace = assembleTrace(traceId, documents);
  return traceSummary(stored(traceId), trace, traceGraph(trace));
};

describe('traceSummary', () => {
  it('summarizes a Lambda invocation as X-Ray does', () => {
    // Prepare
    const { traceId, service, fn, handler, s3 } = inspectInvocation(START, 'doc-1');

    // Act
    const summary = summarize(traceId, json(service, fn, handler, s3));

    // Assess
    expect(summary).toMatchObject({
      Id: traceId,
      StartTime: START,
      Duration: 0.5,
      ResponseTime: 0.5,
      HasError: false,
      HasFault: false,
      HasThrottle: false,
      IsPartial: false,
      Http: { HttpStatus: 200 },
      EntryPoint: { Name: 'inspect', Names: ['inspect'], Type: 'AWS::Lambda' },
      Revision: 4,
    });
    expect(summary.ServiceIds).toEqual([
      { Name: 'inspect', Names: ['inspect'], Type: 'AWS::Lambda' },
      { Name: 'inspect', Names: ['inspect'], Type: 'AWS::Lambda::Function' },
      { Name: 'S3', Names: ['S3'], Type: 'AWS::S3::Bucket' },
    ]);
    const functionService = [{ Name: 'inspect', Names: ['inspect'], Type: 'AWS::Lambda::Function' }];
    expect(summary.Annotations).toEqual({
      documentId: [{ AnnotationValue: { StringValue: 'doc-1' }, ServiceIds: functionService }],
      ColdStart: [{ AnnotationValue: { BooleanValue: true }, ServiceIds: functionService }],
      attempt: [{ AnnotationValue: { NumberValue: 1 }, ServiceIds: functionService }],
    });
  });

  it('reports the flags of the root segment and a trace with an in-progress segment as partial', () => {
    // Prepare
    const traceId = newTraceId(START);
    const root = segment(traceId, { name: 'api', start_time: START, end_time: START + 2, fault: true });
    const downstream = segment(traceId, {
      name: 'worker',
      parent_id: root.id,
      start_time: START + 1,
      end_time: undefined,
      in_progress: true,
    });

    // Act
    const summary = summarize(traceId, json(root, downstream));

    // Assess
    expect(summary).toMatchObject({
      HasFault: true,
      HasError: false,
      IsPartial: true,
      ResponseTime: 2,
      Duration: 2,
    });
  });

  it('counts a trace whose subsegment waits for its parent as partial, its annotations without a service', () => {
    // Prepare
    const traceId = newTraceId(START);
    const orphan = standalone(traceId, '0123456789abcdef', {
      name: '## handler',
      start_time: START,
      annotations: { documentId: 'doc-2' },
    });

    // Act
    const summary = summarize(traceId, json(orphan));

    // Assess
    expect(summary.IsPartial).toBe(true);
    expect(summary.Annotations).toEqual({
      documentId: [{ AnnotationValue: { StringValue: 'doc-2' }, ServiceIds: [] }],
    });
    expect(summary).not.toHaveProperty('EntryPoint');
  });
});
