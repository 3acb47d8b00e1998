import { describe, expect, it } from 'vitest';
import { parseDatagram } from '../../../../local/xray/daemon-protocol';
import { checkSegmentDocument } from '../../../../local/xray/segment-document';

const TRACE = '1-6a0f3c00-0123456789abcdef01234567';
const ID = '70de5b6f19ff9a0a';

const rejection = (document: unknown) => {
  const checked = checkSegmentDocument(typeof document === 'string' ? document : JSON.stringify(document));
  return checked.ok ? undefined : checked.rejection;
};

describe('checkSegmentDocument', () => {
  it('accepts the documented minimal segment, an in-progress one and a subsegment sent on its own', () => {
    const minimal = {
      name: 'example.com',
      id: ID,
      start_time: 1.478293361271e9,
      trace_id: TRACE,
      end_time: 1.478293361449e9,
    };
    const checked = checkSegmentDocument(JSON.stringify(minimal));
    expect(checked).toMatchObject({
      ok: true,
      document: { kind: 'segment', traceId: TRACE, id: ID, inProgress: false, endTime: 1.478293361449e9 },
    });
    expect(rejection({ ...minimal, end_time: undefined, in_progress: true })).toBeUndefined();
    const subsegment = {
      ...minimal,
      name: '## index.handler (x)',
      type: 'subsegment',
      parent_id: 'defdfd9912dc5a56',
    };
    expect(checkSegmentDocument(JSON.stringify(subsegment))).toMatchObject({
      ok: true,
      document: { kind: 'subsegment', parentId: 'defdfd9912dc5a56' },
    });
  });

  it("refuses what X-Ray refuses, with X-Ray's error codes", () => {
    const base = { name: 'api', id: ID, start_time: 1_780_000_000, end_time: 1_780_000_001, trace_id: TRACE };
    expect(rejection({ ...base, id: undefined })).toEqual({
      errorCode: 'MissingId',
      message: 'Invalid segment. ErrorCode: MissingId, Cause: the document has no "id"',
    });
    expect(rejection({ ...base, trace_id: '1-abc-def' })).toMatchObject({
      id: ID,
      errorCode: 'InvalidTraceId',
    });
    expect(rejection({ ...base, trace_id: undefined })?.errorCode).toBe('MissingTraceId');
    expect(rejection({ ...base, name: 'bad<name>' })?.errorCode).toBe('InvalidName');
    expect(rejection({ ...base, end_time: undefined })?.errorCode).toBe('MissingEndTime');
    expect(rejection({ ...base, start_time: 'now' })?.errorCode).toBe('InvalidStartTime');
    expect(rejection({ ...base, type: 'subsegment' })).toMatchObject({
      errorCode: 'MissingParentId',
      message: expect.stringMatching(/^Invalid subsegment\. /),
    });
    expect(rejection({ ...base, subsegments: [{ id: 'xyz', name: 'a', start_time: 1 }] })?.errorCode).toBe(
      'InvalidId',
    );
    expect(rejection('{"name":')?.errorCode).toBe('InvalidJson');
    expect(rejection({ ...base, metadata: { blob: 'x'.repeat(70_000) } })?.errorCode).toBe(
      'DocumentTooLarge',
    );
  });
});

describe('parseDatagram', () => {
  it('takes the document after the protocol header and refuses anything else', () => {
    expect(parseDatagram(Buffer.from('{"format":"json","version":1}\n{"id":"1"}'))).toEqual({
      ok: true,
      document: '{"id":"1"}',
    });
    expect(parseDatagram(Buffer.from('{"id":"1"}'))).toMatchObject({ ok: false });
    expect(parseDatagram(Buffer.from('{"format":"json","version":2}\n{}'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown header'),
    });
  });
});
