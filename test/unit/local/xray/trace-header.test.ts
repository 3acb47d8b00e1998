import { describe, expect, it } from 'vitest';
import { isEntityId, isTraceId, traceIdTime } from '../../../../local/xray/ids';
import {
  formatTraceHeader,
  newEntityId,
  newTraceId,
  parseTraceHeader,
} from '../../../../local/xray/trace-header';

describe('trace headers', () => {
  it('reads the fields in any order and ignores the ones it does not know', () => {
    // Act
    const header = parseTraceHeader(
      'Sampled=1;Lineage=a:0;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793',
    );

    // Assess
    expect(header).toEqual({
      root: '1-5759e988-bd862e3fe1be46a994272793',
      parent: '53995c3f42cd8ad8',
      sampled: true,
    });
    expect(formatTraceHeader(header ?? { root: '' })).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
  });

  it('has no header without a Root, and leaves an undecided sampling out', () => {
    // Act & Assess
    expect(parseTraceHeader('Parent=53995c3f42cd8ad8;Sampled=1')).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
    expect(formatTraceHeader({ root: '1-5759e988-bd862e3fe1be46a994272793', sampled: false })).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0',
    );
  });

  it('makes trace ids that carry the time, and entity ids of 64 bits', () => {
    // Prepare
    const now = new Date('2026-12-07T01:00:00Z');

    // Act
    const traceId = newTraceId(now);

    // Assess
    expect(isTraceId(traceId)).toBe(true);
    expect(traceIdTime(traceId)).toBe(now.getTime() / 1000);
    expect(newTraceId(now)).not.toBe(traceId);
    expect(isEntityId(newEntityId())).toBe(true);
  });
});
