import { describe, expect, it } from 'vitest';
import {
  listOptions,
  normalizePrefix,
  parseSince,
  positiveInteger,
  traceOptions,
  uploadOptions,
  upOptions,
} from '../../../cli/command-options';
import { UsageError } from '../../../cli/errors';

describe('normalizePrefix', () => {
  it.each([
    [undefined, 'incoming/'],
    ['incoming/', 'incoming/'],
    ['incoming/batch-7', 'incoming/batch-7/'],
    ['/incoming/scans/', 'incoming/scans/'],
  ])('turns %j into %j', (given, expected) => {
    // Act & Assess
    expect(normalizePrefix('upload', given)).toBe(expected);
  });

  it.each(['', 'uploads/', 'incomingx/', 'thumbnails/incoming/'])(
    'refuses %j: nothing outside incoming/ is processed',
    (given) => {
      // Act & Assess
      expect(() => normalizePrefix('upload', given)).toThrow(UsageError);
      expect(() => normalizePrefix('upload', given)).toThrow(/must start with incoming\//);
    },
  );
});

describe('uploadOptions', () => {
  it('defaults to incoming/, no waiting and 300 seconds', () => {
    // Act
    const options = uploadOptions({}, ['a.pdf']);

    // Assess
    expect(options).toEqual({ inputs: ['a.pdf'], prefix: 'incoming/', wait: false, timeoutSeconds: 300 });
  });

  it('refuses --timeout without --wait and a timeout that is not a whole number', () => {
    // Act & Assess
    expect(() => uploadOptions({ timeout: '30' }, ['a'])).toThrow('--timeout only applies with --wait');
    expect(() => uploadOptions({ wait: true, timeout: '1.5' }, ['a'])).toThrow(
      '--timeout must be a whole number',
    );
    expect(() => uploadOptions({ wait: true, timeout: '0' }, ['a'])).toThrow(
      '--timeout must be a whole number',
    );
    expect(uploadOptions({ wait: true, timeout: '45' }, ['a']).timeoutSeconds).toBe(45);
  });
});

describe('listOptions', () => {
  it('accepts the API’s filters, upper-casing the status', () => {
    // Act
    const options = listOptions({
      status: 'failed',
      type: 'PDF',
      after: '2026-11-01',
      before: '2026-11-23T10:00:00Z',
      limit: '250',
      json: true,
    });

    // Assess
    expect(options).toEqual({
      status: 'FAILED',
      type: 'pdf',
      uploadedAfter: '2026-11-01',
      uploadedBefore: '2026-11-23T10:00:00Z',
      limit: 250,
      json: true,
    });
  });

  it('lists everything with --all, 25 otherwise', () => {
    // Act & Assess
    expect(listOptions({ all: true })).toEqual({ json: false });
    expect(listOptions({})).toEqual({ limit: 25, json: false });
  });

  it.each([
    [{ status: 'DONE' }, '--status must be one of PROCESSING, PROCESSED, REJECTED, FAILED'],
    [{ after: 'yesterday' }, '--after must be an ISO-8601 date-time'],
    [{ before: '2026-11-23T10:00:00' }, '--before must be an ISO-8601 date-time'],
    [{ type: 'p d f' }, '--type must be a short kind'],
    [{ all: true, limit: '5' }, '--all and --limit exclude each other'],
    [{ limit: '0' }, '--limit must be a whole number from 1 to 10000'],
  ])('refuses %j', (values, message) => {
    // Act & Assess
    expect(() => listOptions(values)).toThrow(message);
  });
});

describe('positiveInteger and upOptions', () => {
  it('parses whole numbers in range and nothing else', () => {
    // Act & Assess
    expect(positiveInteger('x', 'n', undefined, 7)).toBe(7);
    expect(positiveInteger('x', 'n', '12', 7)).toBe(12);
    expect(() => positiveInteger('x', 'n', '-1', 7)).toThrow(UsageError);
    expect(() => positiveInteger('x', 'n', '1e3', 7)).toThrow(UsageError);
    expect(() => positiveInteger('x', 'n', '11', 7, 10)).toThrow('from 1 to 10');
  });

  it('takes ports from 0 to 65535, the defaults otherwise', () => {
    // Prepare
    const defaults = { port: 4566, apiPort: 4567 };

    // Act & Assess
    expect(upOptions({}, defaults)).toEqual({ port: 4566, apiPort: 4567, fresh: false });
    expect(upOptions({ port: '0', 'api-port': '0', fresh: true }, defaults)).toEqual({
      port: 0,
      apiPort: 0,
      fresh: true,
    });
    expect(() => upOptions({ port: '70000' }, defaults)).toThrow('--port must be a port number');
    expect(() => upOptions({ 'api-port': 'x' }, defaults)).toThrow('--api-port must be a port number');
  });

  it('refuses one port for both servers, except 0', () => {
    // Prepare
    const defaults = { port: 4566, apiPort: 4567 };

    // Act & Assess
    expect(() => upOptions({ port: '4567' }, defaults)).toThrow(
      '--port and --api-port must differ (both are 4567)',
    );
    expect(upOptions({ port: '0', 'api-port': '0' }, defaults)).toMatchObject({ port: 0, apiPort: 0 });
  });
});

describe('traceOptions', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');

  it('reads --since as a date, a time or a time ago', () => {
    expect(parseSince('trace', '90m', now)).toBe(now - 90 * 60_000);
    expect(parseSince('trace', '6h', now)).toBe(now - 6 * 3_600_000);
    expect(parseSince('trace', '7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseSince('trace', '2026-11-20', now)).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(parseSince('trace', '2026-11-23T10:00:00Z', now)).toBe(Date.parse('2026-11-23T10:00:00Z'));
    expect(() => parseSince('trace', 'last week', now)).toThrow(/--since must be a date or time/);
    expect(() => parseSince('trace', '12', now)).toThrow(UsageError);
  });

  it('takes one trace id, or --all, not both', () => {
    const id = '1-6b041cb0-0123456789abcdef01234567';
    expect(traceOptions({ trace: id }, now)).toEqual({ all: false, traceId: id, json: false });
    expect(traceOptions({ all: true, json: true, since: '1d' }, now)).toEqual({
      all: true,
      since: now - 86_400_000,
      json: true,
    });
    expect(() => traceOptions({ trace: id, all: true }, now)).toThrow(/cannot be used with --all/);
    expect(() => traceOptions({ trace: '1-xyz' }, now)).toThrow(/--trace must be an X-Ray trace id/);
  });
});
