import { describe, expect, it } from 'vitest';
import {
  executionTraceOf,
  traceIdFor,
  untracedHeaderOf,
} from '../../../../local/stepfunctions/execution-trace';
import { closeInterruptedDocuments } from '../../../../local/stepfunctions/segment-documents';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const CALLER = '53995c3f42cd8ad8';
const NEW_TRACE = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;

describe('the tracing decision at StartExecution', () => {
  it.each([
    ['a traced machine continues a sampled header', true, `Root=${ROOT};Parent=${CALLER};Sampled=1`, ROOT],
    ['a traced machine continues a header that leaves sampling open', true, `Root=${ROOT}`, ROOT],
    ['an untraced machine continues a sampled header', false, `Root=${ROOT};Sampled=1`, ROOT],
    ['a traced machine respects Sampled=0', true, `Root=${ROOT};Sampled=0`, undefined],
    [
      'an untraced machine does not trace a header that leaves sampling open',
      false,
      `Root=${ROOT}`,
      undefined,
    ],
    ['an untraced machine does not trace without a header', false, undefined, undefined],
  ])('%s', (_, tracingEnabled, header, expected) => {
    // Act
    const traceId = traceIdFor(tracingEnabled, header);

    // Assess
    expect(traceId).toBe(expected);
  });

  it.each([
    ['no header', undefined],
    ['a header whose Root is not a trace id', 'Root=abc;Sampled=1'],
    ['a header without a Root', 'Parent=53995c3f42cd8ad8;Sampled=1'],
  ])('starts a new trace for a traced machine given %s', (_, header) => {
    // Act
    const traceId = traceIdFor(true, header);

    // Assess
    expect(traceId).toMatch(NEW_TRACE);
    expect(traceId).not.toBe(ROOT);
  });

  it("hangs the segment under the caller's Parent only when the header's Root is the execution's trace", () => {
    // Act
    const continued = executionTraceOf({
      traceId: ROOT,
      traceHeader: `Root=${ROOT};Parent=${CALLER};Sampled=1`,
    });
    const replaced = executionTraceOf({ traceId: ROOT, traceHeader: `Root=abc;Parent=${CALLER};Sampled=1` });
    const badParent = executionTraceOf({
      traceId: ROOT,
      traceHeader: `Root=${ROOT};Parent=nothex;Sampled=1`,
    });
    const untraced = executionTraceOf({ traceHeader: `Root=${ROOT};Sampled=0` });

    // Assess
    expect(continued).toEqual({ traceId: ROOT, parentId: CALLER });
    expect(replaced).toEqual({ traceId: ROOT });
    expect(badParent).toEqual({ traceId: ROOT });
    expect(untraced).toBeUndefined();
  });

  it("passes an untraced execution's trace id on unsampled, and nothing without one", () => {
    // Act & Assess
    expect(untracedHeaderOf(`Root=${ROOT};Parent=${CALLER};Sampled=0`)).toBe(`Root=${ROOT};Sampled=0`);
    expect(untracedHeaderOf(undefined)).toBeUndefined();
    expect(untracedHeaderOf('Root=abc')).toBeUndefined();
  });
});

describe('closeInterruptedDocuments', () => {
  it('ends each open document at the interruption with a fault, and says why on the segment', () => {
    // Prepare
    const segment = {
      name: 'machine',
      id: 'aaaaaaaaaaaaaaaa',
      trace_id: ROOT,
      start_time: 100,
      in_progress: true,
    };
    const late = {
      type: 'subsegment',
      trace_id: ROOT,
      parent_id: 'aaaaaaaaaaaaaaaa',
      id: 'bbbbbbbbbbbbbbbb',
      name: 'Work',
      start_time: 200,
      in_progress: true,
    };
    const sent: Record<string, unknown>[] = [];

    // Act
    const closed = closeInterruptedDocuments([JSON.stringify(segment), JSON.stringify(late)], 150_000, {
      put: (document) => sent.push(document),
    });

    // Assess
    expect(closed).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    expect(sent[0]).toMatchObject({ id: 'aaaaaaaaaaaaaaaa', end_time: 150, fault: true });
    expect(sent[0]).not.toHaveProperty('in_progress');
    expect(sent[0]?.cause).toMatchObject({ exceptions: [{ type: 'Local.Interrupted' }] });
    // A document that started after the last recorded event ends where it started.
    expect(sent[1]).toMatchObject({ id: 'bbbbbbbbbbbbbbbb', end_time: 200, fault: true });
    expect(sent[1]).not.toHaveProperty('cause');
  });
});
