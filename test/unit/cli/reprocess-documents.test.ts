import { describe, expect, it } from 'vitest';
import { type CliEnvironment, runCli } from '../../../cli/main';
import {
  renderSummary,
  reprocessDocuments,
  selectDocuments,
  summarize,
} from '../../../cli/reprocess-documents';
import { aDocument, FakeDocumentsApi, fakeTarget } from '../../support/fake-docflow';
import { type MemoryTerminal, memoryTerminal } from '../../support/memory-terminal';
import { fakeClock } from '../../support/unit-fake-clock';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const seeded = (): FakeDocumentsApi => {
  const api = new FakeDocumentsApi();
  for (const document of [
    aDocument('incoming/batch-7/big.pdf', { status: 'REJECTED', reason: 'TOO_LARGE' }),
    aDocument('incoming/batch-7/broken.pdf', { status: 'REJECTED', reason: 'CORRUPT' }),
    aDocument('incoming/other/huge.tiff', { status: 'REJECTED', reason: 'TOO_LARGE', generation: 2 }),
    aDocument('incoming/batch-7/ok.pdf', { status: 'PROCESSED' }),
    aDocument('incoming/batch-7/failed.pdf', { status: 'FAILED' }),
    aDocument('incoming/batch-7/running.pdf', { status: 'PROCESSING' }),
    aDocument('incoming/batch-7/gone.pdf', { status: 'DELETED' }),
  ]) {
    api.documents.set(document.id, document);
  }
  return api;
};

describe('selectDocuments', () => {
  it('filters by status through the API, and by reason and key prefix itself', async () => {
    // Prepare
    const api = seeded();

    // Act
    const { selected, skipped } = await selectDocuments(api, {
      status: 'REJECTED',
      reason: 'TOO_LARGE',
      prefix: 'incoming/batch-7/',
      uploadedAfter: '2026-11-01T00:00:00.000Z',
    });

    // Assess
    expect(selected.map((document) => document.key)).toEqual(['incoming/batch-7/big.pdf']);
    expect(skipped).toEqual([]);
    expect(api.listCalls[0]).toMatchObject({ status: 'REJECTED', uploadedAfter: '2026-11-01T00:00:00.000Z' });
  });

  it('sets aside, with the reason, what matches ALL but cannot run again now', async () => {
    // Act
    const { selected, skipped } = await selectDocuments(seeded(), {
      status: 'ALL',
      prefix: 'incoming/batch-7/',
    });

    // Assess
    expect(selected.map((document) => document.status).sort()).toEqual([
      'FAILED',
      'PROCESSED',
      'REJECTED',
      'REJECTED',
    ]);
    expect(skipped.map(({ document, why }) => [document.key, why])).toEqual([
      ['incoming/batch-7/running.pdf', 'already running'],
      ['incoming/batch-7/gone.pdf', 'deleted'],
    ]);
  });
});

describe('reprocessDocuments', () => {
  const queued = (id: string) => ({
    outcome: 'queued' as const,
    ticket: { documentId: id, version: 'v', generation: 1, executionName: `${id}-g1` },
  });

  it('sends no request before its turn at the given rate', async () => {
    // Prepare
    const clock = fakeClock();
    const sentAt: number[] = [];
    const api = {
      reprocess: async (id: string) => {
        sentAt.push(clock.now());
        return queued(id);
      },
    };
    const documents = Array.from({ length: 9 }, (_, i) => aDocument(`incoming/${i}.pdf`));

    // Act
    const results = await reprocessDocuments(api, documents, { ratePerSecond: 4, concurrency: 2, ...clock });

    // Assess
    expect(results.map((result) => result.document.key)).toEqual(documents.map((document) => document.key));
    expect(sentAt).toHaveLength(9);
    sentAt.forEach((time, index) => {
      expect(time).toBeGreaterThanOrEqual(index * 250);
    });
  });

  it('has no more than `concurrency` requests in flight at once', async () => {
    // Prepare
    let inFlight = 0;
    let mostInFlight = 0;
    const api = {
      reprocess: async (id: string) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return queued(id);
      },
    };
    const documents = Array.from({ length: 12 }, (_, i) => aDocument(`incoming/${i}.pdf`));

    // Act
    await reprocessDocuments(api, documents, {
      ratePerSecond: 50,
      concurrency: 3,
      now: () => 0,
      sleep: async () => {},
    });

    // Assess
    expect(mostInFlight).toBe(3);
  });

  it('keeps going when one request fails, and reports each outcome', async () => {
    // Prepare
    const api = seeded();
    const [first, second, third] = [...api.documents.values()];
    if (!first || !second || !third) throw new Error('seed too small');
    api.reprocessFailures.set(second.id, new Error('API 500: Internal Server Error'));

    // Act
    const results = await reprocessDocuments(api, [first, second, third], {
      ratePerSecond: 50,
      concurrency: 4,
      ...fakeClock(),
    });

    // Assess
    expect(
      results.map((result) => ('error' in result ? result.error.message : result.answer.outcome)),
    ).toEqual(['queued', 'API 500: Internal Server Error', 'queued']);
  });
});

describe('summarize', () => {
  it('counts queued, already running, skipped by reason, and failed', async () => {
    // Prepare
    const api = seeded();
    const { selected, skipped } = await selectDocuments(api, { status: 'ALL' });
    api.reprocessFailures.set(selected[0]?.id ?? '', new Error('boom'));
    const results = await reprocessDocuments(api, selected, {
      ratePerSecond: 50,
      concurrency: 4,
      ...fakeClock(),
    });

    // Act
    const summary = summarize(results, skipped);

    // Assess
    expect(summary).toEqual({ queued: 4, running: 1, skipped: { deleted: 1 }, failed: 1 });
    expect(renderSummary(summary)).toBe(
      '4 queued to run again, 1 already running, 1 skipped (1 deleted), 1 failed',
    );
  });
});

describe('docflow reprocess', () => {
  const folder = temporaryFolderPerTest('docflow-reprocess-');
  let terminal: MemoryTerminal;

  const run = async (args: string[], api: FakeDocumentsApi, interactive = false) => {
    terminal = memoryTerminal({ interactive, columns: 200 });
    const clock = fakeClock();
    const environment: CliEnvironment = {
      terminal,
      cwd: folder(),
      now: () => Date.parse('2026-11-30T00:00:00.000Z') + clock.now(),
      sleep: clock.sleep,
      connect: async () => fakeTarget({ documents: api }),
    };
    return runCli(['reprocess', ...args], environment);
  };

  it('asks for each matching document, prints what became of each and one summary line', async () => {
    // Prepare
    const api = seeded();

    // Act
    const code = await run(['--status', 'rejected', '--reason', 'too_large'], api, true);

    // Assess
    expect(code).toBe(0);
    expect(api.reprocessCalls).toHaveLength(2);
    expect(terminal.stdout[0]).toMatch(/^ID\s+STATUS\s+REASON\s+KEY\s+RESULT$/);
    expect(terminal.stdout.find((line) => line.includes('huge.tiff'))).toMatch(
      /REJECTED\s+TOO_LARGE\s+.*queued as generation 3$/,
    );
    expect(terminal.statuses.at(-1)).toMatch(/\] 2\/2 reprocess requests/);
    expect(terminal.stderr).toContain('reprocess: 2 queued to run again, 0 already running, 0 skipped.');
  });

  it('lists without asking with --dry-run', async () => {
    // Prepare
    const api = seeded();

    // Act
    const code = await run(['--status', 'FAILED', '--dry-run'], api);

    // Assess
    expect(code).toBe(0);
    expect(api.reprocessCalls).toEqual([]);
    expect(terminal.stdout.find((line) => line.includes('failed.pdf'))).toMatch(
      /would run again as generation 1$/,
    );
    expect(terminal.stderr.at(-1)).toBe(
      '1 document(s) would run again, 0 skipped; nothing was changed (--dry-run).',
    );
  });

  it('exits 1 when a request failed, after asking for the others', async () => {
    // Prepare
    const api = seeded();
    const failing = [...api.documents.values()].find((document) => document.key.endsWith('broken.pdf'));
    api.reprocessFailures.set(failing?.id ?? '', new Error('API 500: Internal Server Error'));

    // Act
    const code = await run(['--status', 'REJECTED', '--prefix', 'incoming/batch-7/'], api);

    // Assess
    expect(code).toBe(1);
    expect(api.reprocessCalls).toHaveLength(2);
    expect(terminal.stderr).toContain(
      '2/2 failed: API 500: Internal Server Error: incoming/batch-7/broken.pdf',
    );
    expect(terminal.stderr).toContain(
      'reprocess: 1 queued to run again, 0 already running, 0 skipped, 1 failed.',
    );
  });

  it.each([
    [[], /say which documents: --status REJECTED\|FAILED\|PROCESSED\|ALL/],
    [['--status', 'DELETED'], /--status must be one of REJECTED, FAILED, PROCESSED, ALL, not "DELETED"/],
    [['--status', 'FAILED', '--reason', 'TOO_LARGE'], /--reason is a rejection reason/],
    [['--status', 'REJECTED', '--reason', 'BIG'], /--reason must be one of EMPTY, UNSUPPORTED_TYPE/],
    [['--status', 'ALL', '--rate', '0'], /--rate must be requests a second from 1 to 50/],
    [['--status', 'ALL', '--since', 'tomorrow'], /--since must be a date or time/],
  ])('refuses %j before asking anything', async (args, message) => {
    // Prepare
    const api = seeded();

    // Act
    const code = await run(args, api);

    // Assess
    expect(code).toBe(2);
    expect(terminal.stderr.join('\n')).toMatch(message);
    expect(api.listCalls).toEqual([]);
  });
});
