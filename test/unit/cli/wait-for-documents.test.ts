import { describe, expect, it } from 'vitest';
import {
  type AwaitedUpload,
  isThisUpload,
  normalizeETag,
  waitForDocuments,
} from '../../../cli/wait-for-documents';
import { aDocument, FakeDocumentsApi } from '../../support/fake-docflow';
import { fakeClock } from '../../support/unit-fake-clock';

const KEY = 'incoming/report.pdf';
const OLD = '0066C1D2E3F4A5B6C70000000000000A';
const NEW = '0066C1D2E3F4A5B6C90000000000000B';
const ETAG = '"9b2cf535f27731c974343645a3985328"';

const upload = (fields: Partial<AwaitedUpload> = {}): AwaitedUpload => ({
  id: aDocument(KEY).id,
  key: KEY,
  eTag: ETAG,
  previousVersion: OLD,
  ...fields,
});

describe('isThisUpload', () => {
  it('tells the new version of a re-uploaded key from the old one with the same bytes', () => {
    // Prepare
    const old = aDocument(KEY, { version: OLD, eTag: '9b2cf535f27731c974343645a3985328' });
    const fresh = aDocument(KEY, { version: NEW, eTag: '9B2CF535F27731C974343645A3985328' });

    // Act & Assess
    expect(isThisUpload(old, upload())).toBe(false);
    expect(isThisUpload(fresh, upload())).toBe(true);
    expect(isThisUpload(aDocument(KEY, { version: NEW, eTag: 'other' }), upload())).toBe(false);
  });

  it('with versioning, accepts only the version S3 answered', () => {
    // Prepare
    const versioned = upload({ versionId: 'v-2' });

    // Act & Assess
    expect(isThisUpload(aDocument(KEY, { version: 'v-2', eTag: ETAG }), versioned)).toBe(true);
    expect(isThisUpload(aDocument(KEY, { version: 'v-3', eTag: ETAG }), versioned)).toBe(false);
  });

  it('accepts any version of a key that had none before', () => {
    // Act & Assess
    expect(
      isThisUpload(aDocument(KEY, { version: OLD, eTag: ETAG }), upload({ previousVersion: undefined })),
    ).toBe(true);
    expect(normalizeETag('"ABC-2"')).toBe('abc-2');
  });
});

describe('waitForDocuments', () => {
  it('waits past the old version and PROCESSING until the new version is terminal', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    const id = aDocument(KEY).id;
    api.script(id, [
      aDocument(KEY, { version: OLD, eTag: ETAG, status: 'PROCESSED' }),
      aDocument(KEY, { version: OLD, eTag: ETAG, status: 'PROCESSED' }),
      aDocument(KEY, { version: NEW, eTag: ETAG, status: 'PROCESSING' }),
      aDocument(KEY, { version: NEW, eTag: ETAG, status: 'REJECTED', reason: 'CORRUPT' }),
    ]);
    const clock = fakeClock();
    const progress: number[] = [];

    // Act
    const [outcome] = await waitForDocuments(api, [upload()], {
      timeoutMs: 60_000,
      ...clock,
      onProgress: (p) => progress.push(p.processing),
    });

    // Assess
    expect(outcome).toMatchObject({ timedOut: false, document: { version: NEW, status: 'REJECTED' } });
    expect(api.gets).toBe(4);
    expect(progress).toEqual([0, 0, 1, 0]);
    expect(clock.sleeps).toEqual([500, 750, 1125]);
  });

  it('gives up at the deadline with the last state seen of this upload', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    api.script(aDocument(KEY).id, [aDocument(KEY, { version: NEW, eTag: ETAG, status: 'PROCESSING' })]);
    const other = upload({ id: aDocument('incoming/never.pdf').id, key: 'incoming/never.pdf' });
    const clock = fakeClock();

    // Act
    const outcomes = await waitForDocuments(api, [upload(), other], { timeoutMs: 10_000, ...clock });

    // Assess
    expect(outcomes[0]).toMatchObject({ timedOut: true, document: { status: 'PROCESSING' } });
    expect(outcomes[1]).toEqual({ upload: other, timedOut: true });
    expect(clock.now()).toBe(10_000);
    expect(Math.max(...clock.sleeps)).toBe(3000);
  });

  it('rides out a few failed polls and gives up after five in a row', async () => {
    // Prepare
    const flaky = new FakeDocumentsApi();
    const id = aDocument(KEY).id;
    const down = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    flaky.script(id, [down, down, aDocument(KEY, { version: NEW, eTag: ETAG, status: 'PROCESSED' })]);
    const broken = new FakeDocumentsApi();
    broken.script(id, [down]);

    // Act
    const [recovered] = await waitForDocuments(flaky, [upload()], { timeoutMs: 60_000, ...fakeClock() });
    const failing = waitForDocuments(broken, [upload()], { timeoutMs: 600_000, ...fakeClock() });

    // Assess
    expect(recovered).toMatchObject({ timedOut: false, document: { status: 'PROCESSED' } });
    await expect(failing).rejects.toBe(down);
    expect(broken.gets).toBe(5);
  });
});
