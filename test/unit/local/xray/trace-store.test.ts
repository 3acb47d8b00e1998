import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSegmentDocument, type ReceivedDocument } from '../../../../local/xray/segment-document';
import { COMMIT_WINDOW_MS, TraceStore } from '../../../../local/xray/trace-store';
import { newId, newTraceId, segment } from './segment-builders';

const START = 1_780_000_000;

const received = (document: Record<string, unknown>): ReceivedDocument => {
  const checked = checkSegmentDocument(JSON.stringify(document));
  if (!checked.ok) throw new Error(checked.rejection.message);
  return checked.document;
};

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('TraceStore', () => {
  it('replaces an in-progress document by its complete version, never the other way round', () => {
    // Prepare
    const store = new TraceStore(undefined, START);
    const traceId = newTraceId(START);
    const id = newId();
    const inProgress = segment(traceId, {
      id,
      name: 'api',
      start_time: START,
      end_time: undefined,
      in_progress: true,
    });
    const complete = segment(traceId, { id, name: 'api', start_time: START, end_time: START + 3 });

    // Act
    const first = store.put(received(inProgress), START);
    const second = store.put(received(complete), START + 3);
    const late = store.put(received(inProgress), START + 4);

    // Assess
    expect([first, second, late]).toEqual([true, true, false]);
    expect(store.documents(traceId).map((body) => JSON.parse(body).end_time)).toEqual([START + 3]);
    expect(store.trace(traceId)).toMatchObject({
      revision: 2,
      updatedAt: START + 3,
      lastEventTime: START + 3,
    });
    store.close();
  });

  it('keeps traces across a reopen of the same folder and drops those past the 30-day retention', () => {
    // Prepare
    const folder = mkdtempSync(join(tmpdir(), 'docflow-xray-store-'));
    folders.push(folder);
    const recent = newTraceId(START);
    const old = newTraceId(START - 40 * 86_400);
    const writer = new TraceStore(folder, START);
    writer.put(received(segment(recent, { name: 'api', start_time: START })), START);
    writer.put(received(segment(old, { name: 'api', start_time: START - 40 * 86_400 })), START - 40 * 86_400);
    writer.close();

    // Act
    const reader = new TraceStore(folder, START + 60);

    // Assess
    expect(reader.trace(recent)?.traceId).toBe(recent);
    expect(reader.documents(recent)).toHaveLength(1);
    expect(reader.trace(old)).toBeUndefined();
    reader.close();
  });

  it('commits the documents of one window together, once the window is over', async () => {
    // Prepare
    const folder = mkdtempSync(join(tmpdir(), 'docflow-xray-store-'));
    folders.push(folder);
    const traceId = newTraceId(START);
    const writer = new TraceStore(folder, START);
    const observer = new DatabaseSync(join(folder, 'xray.sqlite'));
    const committed = () =>
      Number((observer.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n);

    // Act
    for (const name of ['api', 'starter', 'index']) {
      writer.put(received(segment(traceId, { name, start_time: START })), START);
    }
    const beforeTheWindowEnds = committed();
    await new Promise((resolve) => setTimeout(resolve, COMMIT_WINDOW_MS + 50));

    // Assess
    expect(writer.documents(traceId)).toHaveLength(3);
    expect(beforeTheWindowEnds).toBe(0);
    expect(committed()).toBe(3);
    observer.close();
    writer.close();
  });

  it('lists traces in a time range newest first, page by page', () => {
    // Prepare
    const store = new TraceStore(undefined, START);
    const ids = [0, 10, 20, 30].map((offset) => {
      const traceId = newTraceId(START + offset);
      store.put(received(segment(traceId, { name: 'api', start_time: START + offset })), START + offset);
      return traceId;
    });

    // Act
    const page1 = store.traces({ timeRangeType: 'TraceId', start: START + 5, end: START + 30, limit: 2 });
    const last = page1.at(-1);
    const page2 = store.traces({
      timeRangeType: 'TraceId',
      start: START + 5,
      end: START + 30,
      limit: 2,
      ...(last ? { after: last } : {}),
    });
    const byEvent = store.traces({ timeRangeType: 'Event', start: START, end: START + 10, limit: 10 });

    // Assess
    expect(page1.map((trace) => trace.traceId)).toEqual([ids[3], ids[2]]);
    expect(page2.map((trace) => trace.traceId)).toEqual([ids[1]]);
    expect(byEvent.map((trace) => trace.traceId)).toEqual([ids[1], ids[0]]);
    store.close();
  });
});
