import { describe, expect, it } from 'vitest';
import { serviceGraph } from '../../../../local/xray/service-graph';
import { assembleTrace } from '../../../../local/xray/trace-assembly';
import { traceGraph } from '../../../../local/xray/trace-graph';
import { json, lambdaInvocation, newTraceId, standalone } from './segment-builders';

const START = 1_780_000_000;

/** Two invocations of `inspect`: one whose DynamoDB call was throttled, one whose S3 call faulted. */
const graphs = [0, 10].map((offset) => {
  const traceId = newTraceId(START + offset);
  const start = START + offset;
  const invocation = lambdaInvocation({ traceId, functionName: 'inspect', start, documentId: `d${offset}` });
  const call =
    offset === 0
      ? standalone(traceId, invocation.handler.id as string, {
          name: 'DynamoDB',
          namespace: 'aws',
          start_time: start + 0.2,
          end_time: start + 0.25,
          error: true,
          throttle: true,
        })
      : standalone(traceId, invocation.handler.id as string, {
          name: 'S3',
          namespace: 'aws',
          start_time: start + 0.2,
          end_time: start + 0.3,
          fault: true,
        });
  return traceGraph(
    assembleTrace(traceId, json(invocation.service, invocation.fn, invocation.handler, invocation.s3, call)),
  );
});

describe('serviceGraph', () => {
  it('aggregates services and their calls over traces, with X-Ray statistics', () => {
    // Act
    const services = serviceGraph(graphs);

    // Assess
    const byType = (type: string) => services.find((service) => service.Type === type);
    const fn = byType('AWS::Lambda::Function');
    const s3 = byType('AWS::S3::Bucket');
    const dynamo = byType('AWS::DynamoDB::Table');
    expect(byType('AWS::Lambda')).toMatchObject({
      Name: 'inspect',
      Root: true,
      SummaryStatistics: { TotalCount: 2 },
    });
    expect(fn).toMatchObject({ Root: false, SummaryStatistics: { OkCount: 2, TotalCount: 2 } });
    expect(s3?.SummaryStatistics).toEqual({
      OkCount: 2,
      ErrorStatistics: { ThrottleCount: 0, OtherCount: 0, TotalCount: 0 },
      FaultStatistics: { OtherCount: 1, TotalCount: 1 },
      TotalCount: 3,
      TotalResponseTime: 0.3,
    });
    expect(s3?.ResponseTimeHistogram).toEqual([{ Value: 0.1, Count: 3 }]);
    const edges = fn?.Edges as { ReferenceId: number; SummaryStatistics: Record<string, unknown> }[];
    const toDynamo = edges.find((edge) => edge.ReferenceId === dynamo?.ReferenceId);
    expect(toDynamo?.SummaryStatistics).toMatchObject({
      OkCount: 0,
      ErrorStatistics: { ThrottleCount: 1, OtherCount: 0, TotalCount: 1 },
      TotalCount: 1,
    });
    expect(edges.find((edge) => edge.ReferenceId === s3?.ReferenceId)?.SummaryStatistics).toMatchObject({
      TotalCount: 3,
      FaultStatistics: { TotalCount: 1 },
    });
  });

  it('counts only what overlaps the window', () => {
    // Act
    const services = serviceGraph(graphs, { start: START + 9, end: START + 20 });

    // Assess
    expect(services.map((service) => service.Type)).not.toContain('AWS::DynamoDB::Table');
    expect(services.find((service) => service.Type === 'AWS::Lambda')?.SummaryStatistics).toMatchObject({
      TotalCount: 1,
    });
  });
});
