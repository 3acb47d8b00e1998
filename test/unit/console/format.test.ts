import { describe, expect, it } from 'vitest';
import { fileNameOf, formatBytes, formatDuration, localDayBound } from '../../../console/app/format';
import { matchPath } from '../../../console/app/paths';

describe('console display helpers', () => {
  it('formats sizes and durations as people read them', () => {
    expect([0, 1023, 1536, 10 * 1024, 5 * 1024 ** 2].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.5 KB',
      '10 KB',
      '5.0 MB',
    ]);
    expect([850, 1234, 12_400, 125_000, 3_600_000].map(formatDuration)).toEqual([
      '850 ms',
      '1.23 s',
      '12.4 s',
      '2 min 5 s',
      '1 h 0 min',
    ]);
  });

  it('names a document by the last segment of its key', () => {
    expect(fileNameOf('incoming/uploads/2026-12-01/id/report.pdf')).toBe('report.pdf');
    expect(fileNameOf('plain')).toBe('plain');
    expect(fileNameOf('folder/')).toBe('folder/');
  });

  it('turns a local day into the instants it starts and ends at, and refuses anything else', () => {
    const start = localDayBound('2026-12-01', 'start');
    const end = localDayBound('2026-12-01', 'end');
    expect(new Date(start ?? '').getTime()).toBe(new Date(2026, 11, 1).getTime());
    expect(new Date(end ?? '').getTime() - new Date(start ?? '').getTime()).toBe(86_400_000 - 1);
    expect(localDayBound('01/12/2026', 'start')).toBeUndefined();
  });
});

describe('matchPath', () => {
  it('decodes each parameter from one segment, and matches only whole paths', () => {
    const arn = 'arn:aws:states:us-east-1:1:execution:M:n';
    expect(matchPath('/executions/:arn', `/executions/${encodeURIComponent(arn)}`)).toEqual({
      params: { arn },
    });
    expect(matchPath('/documents/:id', '/documents/abc/text')).toBeUndefined();
    expect(matchPath('/documents', '/documents/')).toEqual({ params: {} });
    expect(matchPath('/documents/:id', '/documents/%E0%A4%A')).toBeUndefined();
  });
});
