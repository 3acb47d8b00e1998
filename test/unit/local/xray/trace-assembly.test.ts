import { describe, expect, it } from 'vitest';
import type { EntityDocument } from '../../../../local/xray/segment-document';
import { assembleTrace } from '../../../../local/xray/trace-assembly';
import { traceGraph } from '../../../../local/xray/trace-graph';
import {
  inspectInvocation,
  json,
  lambdaInvocation,
  newId,
  newTraceId,
  segment,
  standalone,
} from './segment-builders';

const START = 1_780_000_000;

const find = (entities: readonly EntityDocument[] | undefined, name: string): EntityDocument | undefined =>
  entities?.find((entity) => entity.name === name);

/** A new trace whose root segment `api` embeds the one subsegment `child` (given its own new id). */
const rootEmbedding = (child: Record<string, unknown>) => {
  const traceId = newTraceId(START);
  const childId = newId();
  const root = segment(traceId, { name: 'api', start_time: START, subsegments: [{ id: childId, ...child }] });
  return { traceId, childId, root };
};

describe('assembleTrace', () => {
  it('puts subsegments sent on their own into their parents, whatever order they arrived in', () => {
    // Prepare
    const { traceId, service, fn, handler, s3 } = inspectInvocation(START, 'd1');

    // Act: the S3 call arrives before its parent, the handler subsegment, which arrives before its segment.
    const trace = assembleTrace(traceId, json(s3, handler, fn, service));

    // Assess
    expect(trace.segments.map((entity) => entity.origin)).toEqual(['AWS::Lambda', 'AWS::Lambda::Function']);
    const functionSegment = trace.segments[1];
    expect(functionSegment?.subsegments?.map((entity) => entity.name)).toEqual([
      'Invocation',
      '## index.handler',
    ]);
    const handlerSubsegment = find(functionSegment?.subsegments, '## index.handler');
    expect(handlerSubsegment?.annotations).toEqual({ documentId: 'd1', ColdStart: true, attempt: 1 });
    expect(handlerSubsegment?.subsegments?.map((entity) => [entity.name, entity.namespace])).toEqual([
      ['S3', 'aws'],
    ]);
    // Embedded, a subsegment loses the fields that only a standalone one needs.
    expect(handlerSubsegment).not.toHaveProperty('type');
    expect(handlerSubsegment).not.toHaveProperty('parent_id');
    expect(handlerSubsegment).not.toHaveProperty('trace_id');
    expect(trace.orphans).toEqual([]);
    expect(trace.inProgress).toBe(false);
  });

  it('attaches under an embedded subsegment and orders siblings by start time', () => {
    // Prepare
    const { traceId, childId, root } = rootEmbedding({
      name: 'Invocation',
      start_time: START + 0.1,
      end_time: START + 0.9,
    });
    const late = standalone(traceId, childId, { name: 'second', start_time: START + 0.5 });
    const early = standalone(traceId, childId, { name: 'first', start_time: START + 0.2 });

    // Act
    const trace = assembleTrace(traceId, json(late, root, early));

    // Assess
    const invocation = trace.segments[0]?.subsegments?.[0];
    expect(invocation?.subsegments?.map((entity) => entity.name)).toEqual(['first', 'second']);
  });

  it('lets a subsegment sent on its own replace an embedded one of the same id', () => {
    // Prepare
    const { traceId, childId, root } = rootEmbedding({
      name: 'work',
      start_time: START + 0.1,
      in_progress: true,
    });
    const finished = standalone(traceId, root.id as string, {
      id: childId,
      name: 'work',
      start_time: START + 0.1,
    });

    // Act
    const trace = assembleTrace(traceId, json(root, finished));

    // Assess
    expect(trace.segments[0]?.subsegments).toHaveLength(1);
    expect(trace.segments[0]?.subsegments?.[0]?.end_time).toBe(finished.end_time);
    expect(trace.inProgress).toBe(false);
  });

  it('keeps subsegments whose parent has not arrived as orphans, and refuses parent loops', () => {
    // Prepare
    const traceId = newTraceId(START);
    const waiting = standalone(traceId, newId(), { name: 'waiting', start_time: START });
    const child = standalone(traceId, waiting.id as string, { name: 'child', start_time: START + 0.01 });
    const loopA = standalone(traceId, newId(), { name: 'a', start_time: START });
    const loopB = standalone(traceId, loopA.id as string, { name: 'b', start_time: START });
    loopA.parent_id = loopB.id;

    // Act
    const trace = assembleTrace(traceId, json(child, waiting, loopA, loopB));

    // Assess
    expect(trace.segments).toEqual([]);
    expect(trace.orphans.map((entity) => entity.name).sort()).toEqual(['a', 'b', 'waiting']);
    expect(find(trace.orphans, 'waiting')?.subsegments?.map((entity) => entity.name)).toEqual(['child']);
  });
});

describe('traceGraph', () => {
  it('links the Lambda segments, infers a node for the AWS call and finds the root', () => {
    // Prepare
    const { traceId, service, s3, fn, handler } = inspectInvocation(START, 'd1');
    const trace = assembleTrace(traceId, json(service, fn, handler, s3));

    // Act
    const graph = traceGraph(trace);

    // Assess
    expect([...graph.nodes.values()].map((node) => [node.name, node.type, node.root, node.inferred])).toEqual(
      [
        ['inspect', 'AWS::Lambda', true, false],
        ['inspect', 'AWS::Lambda::Function', false, false],
        ['S3', 'AWS::S3::Bucket', false, true],
      ],
    );
    expect(graph.root?.id).toBe(service.id);
    const names = (key: string) => graph.nodes.get(key)?.type;
    expect(graph.edges.map((edge) => [names(edge.from), names(edge.to)])).toEqual([
      ['AWS::Lambda', 'AWS::Lambda::Function'],
      ['AWS::Lambda::Function', 'AWS::S3::Bucket'],
    ]);
    expect(graph.inferred).toHaveLength(1);
    expect(graph.inferred[0]).toMatchObject({
      name: 'S3',
      inferred: true,
      parent_id: s3.id,
      origin: 'AWS::S3::Bucket',
      trace_id: traceId,
      start_time: s3.start_time,
      end_time: s3.end_time,
    });
  });

  it('draws a call answered by a traced segment as an edge to that segment, not an inferred node', () => {
    // Prepare: the starter's StartExecution call continues in the state machine's segment.
    const traceId = newTraceId(START);
    const starter = lambdaInvocation({ traceId, functionName: 'starter', start: START, documentId: 'd1' });
    const startExecution = standalone(traceId, starter.handler.id as string, {
      name: 'SFN',
      namespace: 'aws',
      start_time: START + 0.2,
    });
    const stateMachine = segment(traceId, {
      name: 'pipeline',
      origin: 'AWS::StepFunctions::StateMachine',
      parent_id: startExecution.id,
      start_time: START + 0.25,
    });

    // Act
    const graph = traceGraph(
      assembleTrace(
        traceId,
        json(starter.service, starter.fn, starter.handler, starter.s3, startExecution, stateMachine),
      ),
    );

    // Assess
    const types = [...graph.nodes.values()].map((node) => node.type);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(graph.inferred.map((entity) => entity.name)).toEqual(['S3']);
    const edge = graph.edges.find((candidate) => graph.nodes.get(candidate.to)?.name === 'pipeline');
    expect(graph.nodes.get(edge?.from ?? '')?.type).toBe('AWS::Lambda::Function');
    expect(edge?.entities.map((entity) => entity.id)).toEqual([startExecution.id]);
  });
});
