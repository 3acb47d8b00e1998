import { beforeEach, describe, expect, it } from 'vitest';
import { displayWidth } from '../../../cli/format';
import { runCli } from '../../../cli/main';
import { readTrace } from '../../../console/shared/trace-entities';
import { aDocument, FakeDocumentsApi, FakeTraces, fakeTarget } from '../../support/fake-docflow';
import { type MemoryTerminal, memoryTerminal } from '../../support/memory-terminal';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';
import { asXRayTrace, fixtureStarterTrace, fixtureTrace, fixtureTraceId } from './fixture-trace';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const UPLOADED = NOW - 2 * 3_600_000;
const REDRIVEN = NOW - 3_600_000;
const KEY = 'incoming/report.pdf';

const folder = temporaryFolderPerTest('docflow-trace-');
let terminal: MemoryTerminal;
let documents: FakeDocumentsApi;
let traces: FakeTraces;
const document = aDocument(KEY, {
  uploadedAt: new Date(UPLOADED).toISOString(),
  updatedAt: new Date(REDRIVEN + 4000).toISOString(),
});
const uploadRun = fixtureTraceId(UPLOADED / 1000, 'aaaaaaaaaaaaaaaaaaaaaaaa');
const redriveRun = fixtureTraceId(REDRIVEN / 1000, 'bbbbbbbbbbbbbbbbbbbbbbbb');
const starter = fixtureStarterTrace(REDRIVEN / 1000 - 1, redriveRun, document.id);

beforeEach(async () => {
  terminal = memoryTerminal({ columns: 100 });
  documents = new FakeDocumentsApi();
  documents.documents.set(document.id, document);
  traces = new FakeTraces();
});

const withTraces = (): void => {
  traces.found.set(`documentId=${document.id}`, [
    { id: uploadRun, startTime: new Date(UPLOADED + 1000), updatedAt: new Date(UPLOADED + 5000) },
    { id: redriveRun, startTime: new Date(REDRIVEN), updatedAt: new Date(REDRIVEN + 4000) },
  ]);
  traces.found.set(`executionTraceId=${redriveRun}`, [
    {
      id: starter.traceId,
      startTime: new Date(REDRIVEN - 1000),
      updatedAt: new Date(REDRIVEN - 800),
      entryPoint: 'docflow-starter',
    },
  ]);
  for (const [id, at] of [
    [uploadRun, UPLOADED + 1000],
    [redriveRun, REDRIVEN],
  ] as const) {
    traces.traces.set(
      id,
      readTrace(asXRayTrace(fixtureTrace(at / 1000, { traceId: id, documentId: document.id }))),
    );
  }
};

const cli = (...args: string[]) =>
  runCli(args, {
    terminal,
    cwd: folder(),
    now: () => NOW,
    connect: async () => fakeTarget({ documents, traces }),
  });

describe('docflow trace', () => {
  it('prints the newest trace as a waterfall, with its facts, its starter and the other traces', async () => {
    // Prepare
    withTraces();

    // Act
    const code = await cli('trace', 'report.pdf');

    // Assess
    expect(code).toBe(0);
    const out = terminal.stdout;
    expect(out[0]).toBe(`${KEY}  ${document.id}  PROCESSED`);
    expect(out.slice(1, 6)).toEqual([
      '',
      `trace       ${redriveRun}`,
      'started     2026-11-23T11:00:00Z',
      'summary     3.2 s, 50 segments, 1 error, 4 faults, 1 retry, 3 cold starts',
      `started by  ${starter.traceId} (docflow-starter)`,
    ]);
    expect(out.find((line) => line.startsWith('SEGMENT'))).toMatch(/START\s+DURATION\s+0\s+1\.6 s\s+3\.2 s$/);
    expect(out.find((line) => line.includes('attempt 1/2'))).toMatch(/✗ fault/);
    expect(out).toContain(
      '  IndexMetadata › DynamoDB PutItem: error ConditionalCheckFailedException: The conditional request failed',
    );
    expect(out.slice(-2)).toEqual([
      'Other traces of this document, newest first (--trace <id> shows one, --all every one):',
      `  ${uploadRun}  2026-11-23T10:00:01Z`,
    ]);
    // The waterfall fits the terminal; the list of errors below it keeps messages whole.
    const waterfall = out.slice(
      out.findIndex((line) => line.startsWith('SEGMENT')),
      out.indexOf('Errors and faults:'),
    );
    expect(waterfall).toHaveLength(52);
    expect(waterfall.every((line) => displayWidth(line) <= 100)).toBe(true);
    expect(terminal.stderr).toEqual([]);
  });

  it('shows every trace with --all, one by id with --trace, and the raw trace with --json', async () => {
    // Prepare
    withTraces();

    // Act
    const all = await cli('trace', document.id, '--all');
    const allOut = terminal.stdout.splice(0);
    const one = await cli('trace', document.id, '--trace', uploadRun);
    const oneOut = terminal.stdout.splice(0);
    const json = await cli('trace', KEY, '--json');

    // Assess
    expect([all, one, json]).toEqual([0, 0, 0]);
    expect(allOut.filter((line) => line.startsWith('trace '))).toEqual([
      expect.stringContaining(redriveRun),
      expect.stringContaining(uploadRun),
    ]);
    expect(oneOut.filter((line) => line.startsWith('trace '))).toEqual([expect.stringContaining(uploadRun)]);
    const parsed = JSON.parse(terminal.text());
    expect(parsed.document).toEqual({ id: document.id, key: KEY, status: 'PROCESSED' });
    expect(parsed.traces).toHaveLength(1);
    expect(parsed.traces[0]).toMatchObject({
      Id: redriveRun,
      startedBy: starter.traceId,
      facts: { retries: 1 },
    });
    const machine = parsed.traces[0].Segments.find(
      (segment: { Document: { origin?: string } }) =>
        segment.Document.origin === 'AWS::StepFunctions::StateMachine',
    );
    expect(machine.Document.subsegments.map((state: { name: string }) => state.name)).toContain('Inspect');
    expect(parsed.otherTraces).toEqual([{ id: uploadRun, startTime: '2026-11-23T10:00:01.000Z' }]);
  });

  it('still draws the trace when the starter’s trace cannot be looked up', async () => {
    // Prepare
    withTraces();
    const find = traces.findByAnnotation.bind(traces);
    traces.findByAnnotation = async (key, value, window) => {
      if (key === 'executionTraceId')
        throw Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
      return find(key, value, window);
    };

    // Act
    const code = await cli('trace', KEY);

    // Assess
    expect(code).toBe(0);
    expect(terminal.stdout).toContain(`trace    ${redriveRun}`);
    expect(terminal.stdout.some((line) => line.startsWith('started by'))).toBe(false);
  });

  it('says in one line that there is no trace yet, with exit code 1', async () => {
    // Act
    const code = await cli('trace', KEY);

    // Assess
    expect(code).toBe(1);
    expect(terminal.stdout).toEqual([]);
    expect(terminal.stderr).toEqual([
      `docflow trace: no trace of "${KEY}" (${document.id}) in X-Ray since 2026-11-23T09:59:00Z yet: ` +
        'a trace shows seconds after its run ends; tracing may be off; --since 7d looks further back',
    ]);
  });

  it('refuses an unknown document, an unknown trace id and bad flags', async () => {
    // Act
    const unknown = await cli('trace', 'incoming/nothing.pdf');
    const missingTrace = await cli('trace', KEY, '--trace', fixtureTraceId(NOW / 1000, 'c'.repeat(24)));
    const badId = await cli('trace', KEY, '--trace', 'not-a-trace');
    const both = await cli('trace', KEY, '--all', '--trace', uploadRun);
    const future = await cli('trace', KEY, '--since', '2027-01-01');
    const nonsense = await cli('trace', KEY, '--since', 'yesterday');

    // Assess
    expect([unknown, missingTrace, badId, both, future, nonsense]).toEqual([1, 1, 2, 2, 2, 2]);
    expect(terminal.stderr[0]).toMatch(/^docflow trace: no document with id or key "incoming\/nothing\.pdf"/);
    expect(terminal.stderr[1]).toBe(
      `docflow trace: X-Ray has no trace ${fixtureTraceId(NOW / 1000, 'c'.repeat(24))} (asked for "${KEY}" (${document.id}))`,
    );
    expect(terminal.stderr[2]).toMatch(/--trace must be an X-Ray trace id .*"not-a-trace"/);
    expect(terminal.stderr).toContain('docflow trace: --since must not be in the future (2027-01-01)');
  });

  it('looks as far back as --since says', async () => {
    // Act
    await cli('trace', KEY, '--since', '13h');

    // Assess
    expect(traces.queries.map((query) => query.window.from.toISOString()).at(-1)).toBe(
      '2026-11-22T23:00:00.000Z',
    );
    expect(traces.queries).toHaveLength(3);
  });
});

describe('docflow show', () => {
  it('prints the newest trace’s id and one-line summary', async () => {
    // Prepare
    withTraces();

    // Act
    const code = await cli('show', KEY);
    const json = await cli('show', KEY, '--json');

    // Assess
    expect([code, json]).toEqual([0, 0]);
    expect(terminal.stdout).toContainEqual(
      expect.stringMatching(
        `^trace +${redriveRun} \\(3\\.2 s, 50 segments, 1 error, 4 faults, 1 retry, 3 cold starts; 1 older trace\\)$`,
      ),
    );
    const shown = JSON.parse(terminal.stdout.slice(terminal.stdout.indexOf('{')).join('\n'));
    expect(shown.trace).toMatchObject({
      id: redriveRun,
      segments: 50,
      retries: 1,
      otherTraceIds: [uploadRun],
    });
  });

  it('says there is no trace yet', async () => {
    // Act
    await cli('show', KEY);

    // Assess
    expect(terminal.stdout).toContainEqual(expect.stringMatching(/^trace +none yet$/));
  });
});
