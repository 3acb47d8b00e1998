import { describe, expect, it } from 'vitest';
import {
  findDocumentTraces,
  newestDocumentTrace,
  QUERY_WINDOW_MS,
  searchWindows,
} from '../../../cli/document-traces';
import { readTrace } from '../../../console/shared/trace-entities';
import { FakeTraces } from '../../support/fake-docflow';
import { asXRayTrace, fixtureTrace, fixtureTraceId } from './fixture-trace';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-23T12:00:00Z');

const iso = (ms: number): string => new Date(ms).toISOString();
const spans = (windows: readonly { from: Date; to: Date }[]): [string, string][] =>
  windows.map((window) => [window.from.toISOString(), window.to.toISOString()]);

describe('searchWindows', () => {
  it('looks from a minute before the upload to now for a recent document, in one query', () => {
    // Act
    const windows = searchWindows({ uploadedAt: iso(NOW - HOUR), updatedAt: iso(NOW - HOUR + 5000) }, NOW);

    // Assess
    expect(spans(windows)).toEqual([[iso(NOW - HOUR - 60_000), iso(NOW + 60_000)]]);
  });

  it('looks after the upload and after the last write of an older document, newest first', () => {
    // Act
    const windows = searchWindows({ uploadedAt: iso(NOW - 10 * DAY), updatedAt: iso(NOW - 2 * DAY) }, NOW);

    // Assess
    expect(spans(windows)).toEqual([
      [iso(NOW - 2 * DAY - 60_000), iso(NOW - 2 * DAY - 60_000 + 6 * HOUR)],
      [iso(NOW - 10 * DAY - 60_000), iso(NOW - 10 * DAY - 60_000 + 6 * HOUR)],
    ]);
  });

  it('cuts --since into queries of at most six hours, and never looks past X-Ray’s 30 days', () => {
    // Act
    const since = searchWindows({ uploadedAt: iso(NOW), updatedAt: iso(NOW) }, NOW, NOW - 13 * HOUR);
    const ancient = searchWindows({ uploadedAt: iso(NOW - 40 * DAY), updatedAt: iso(NOW - 40 * DAY) }, NOW);

    // Assess
    expect(spans(since)).toEqual([
      [iso(NOW + 60_000 - 6 * HOUR), iso(NOW + 60_000)],
      [iso(NOW + 60_000 - 12 * HOUR), iso(NOW + 60_000 - 6 * HOUR)],
      [iso(NOW - 13 * HOUR), iso(NOW + 60_000 - 12 * HOUR)],
    ]);
    for (const window of since) {
      expect(window.to.getTime() - window.from.getTime()).toBeLessThanOrEqual(QUERY_WINDOW_MS);
    }
    expect(ancient).toEqual([]);
  });
});

describe('findDocumentTraces and newestDocumentTrace', () => {
  const upload = NOW - 3 * DAY;
  const redrive = NOW - DAY;
  const uploadRun = fixtureTraceId(upload / 1000, 'aaaaaaaaaaaaaaaaaaaaaaaa');
  const redriveRun = fixtureTraceId(redrive / 1000, 'bbbbbbbbbbbbbbbbbbbbbbbb');
  const document = { id: 'Xq3vYlJm0dC9gT7rWbN2aA', uploadedAt: iso(upload), updatedAt: iso(redrive + 4000) };

  const xray = (): FakeTraces => {
    const traces = new FakeTraces();
    traces.found.set(`documentId=${document.id}`, [
      { id: uploadRun, startTime: new Date(upload + 1000), updatedAt: new Date(upload + 5000) },
      { id: redriveRun, startTime: new Date(redrive + 1000), updatedAt: new Date(redrive + 5000) },
    ]);
    traces.traces.set(
      redriveRun,
      readTrace(asXRayTrace(fixtureTrace(redrive / 1000 + 1, { traceId: redriveRun }))),
    );
    return traces;
  };

  it('finds the upload run and the redrive by the documentId annotation, newest first', async () => {
    // Prepare
    const traces = xray();

    // Act
    const found = await findDocumentTraces(traces, document.id, searchWindows(document, NOW));

    // Assess
    expect(found.map((trace) => trace.id)).toEqual([redriveRun, uploadRun]);
    expect(new Set(traces.queries.map((query) => query.annotation))).toEqual(
      new Set([`documentId=${document.id}`]),
    );
  });

  it('reads the newest trace whole and sums it up, naming the others', async () => {
    // Act
    const newest = await newestDocumentTrace(xray(), document, NOW);

    // Assess
    expect(newest?.trace.id).toBe(redriveRun);
    expect(newest?.facts).toMatchObject({ segments: 50, retries: 1, errors: 1, faults: 4 });
    expect(newest?.others.map((trace) => trace.id)).toEqual([uploadRun]);
  });

  it('answers undefined when X-Ray has no trace of the document (yet)', async () => {
    expect(await newestDocumentTrace(new FakeTraces(), document, NOW)).toBeUndefined();
  });
});
