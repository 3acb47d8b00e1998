import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../../cli/errors';
import { type CliEnvironment, runCli } from '../../../cli/main';
import type { DocflowTarget } from '../../../cli/ports';
import { aDocument, FakeDocumentsApi, FakeQueue, FakeUploader, fakeTarget } from '../../support/fake-docflow';
import { type MemoryTerminal, memoryTerminal } from '../../support/memory-terminal';
import { fakeClock } from '../../support/unit-fake-clock';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const folder = temporaryFolderPerTest('docflow-main-');
let terminal: MemoryTerminal;

beforeEach(async () => {
  terminal = memoryTerminal();
});

const environment = (target: DocflowTarget | (() => Promise<DocflowTarget>)): CliEnvironment => ({
  terminal,
  cwd: folder(),
  ...fakeClock(),
  connect: typeof target === 'function' ? target : async () => target,
});

/** An uploader whose "pipeline" records each upload as a new version with the given status. */
const pipelined = (
  documents: FakeDocumentsApi,
  statusOf: (key: string) => 'PROCESSED' | 'FAILED',
): FakeUploader => {
  const uploader = new FakeUploader();
  let sequence = 0;
  uploader.onUploaded = ({ key }) => {
    sequence += 1;
    const document = aDocument(key, {
      version: `00000000000000000000000000000${sequence}`,
      eTag: uploader.eTag,
      status: statusOf(key),
      type: 'text',
      ...(statusOf(key) === 'FAILED'
        ? { failure: { error: 'States.Timeout', cause: 'Inspect timed out' } }
        : {}),
    });
    documents.documents.set(document.id, document);
  };
  return uploader;
};

describe('runCli', () => {
  it('prints help with exit code 0 and refuses a bad command line with 2, connecting to nothing', async () => {
    // Prepare
    let connected = false;
    const env = environment(async () => {
      connected = true;
      return fakeTarget();
    });

    // Act
    const help = await runCli(['upload', '--help'], env);
    const usage = await runCli(['upload', '--prefix', 'elsewhere/', 'a.pdf'], env);
    const unknown = await runCli(['list'], env);

    // Assess
    expect([help, usage, unknown]).toEqual([0, 2, 2]);
    expect(terminal.stdout[0]).toContain('docflow upload — upload files or folders');
    expect(terminal.stderr).toContain(
      'docflow upload: --prefix must start with incoming/: only uploads there start the pipeline (got "elsewhere/")',
    );
    expect(terminal.stderr).toContain('docflow: unknown command "list"');
    expect(connected).toBe(false);
  });

  it('uploads with --wait, prints the outcomes, exits 1 when one failed, and closes the target', async () => {
    // Prepare
    await writeFile(join(folder(), 'good.txt'), 'hello');
    await writeFile(join(folder(), 'bad.txt'), 'boom');
    const documents = new FakeDocumentsApi();
    const uploader = pipelined(documents, (key) => (key.includes('bad') ? 'FAILED' : 'PROCESSED'));
    const target = fakeTarget({ documents, uploader });

    // Act
    const code = await runCli(
      ['upload', join(folder(), 'good.txt'), join(folder(), 'bad.txt'), '--wait'],
      environment(target),
    );

    // Assess
    expect(code).toBe(1);
    expect(terminal.stdout[0]).toMatch(/^FILE\s+STATUS\s+TYPE\s+PAGES\s+TIME\s+ID\s+DETAIL$/);
    expect(terminal.stdout.find((line) => line.includes('bad.txt'))).toMatch(
      /FAILED\s+text.*States\.Timeout: Inspect timed out$/,
    );
    expect(terminal.stdout.find((line) => line.includes('good.txt'))).toMatch(/PROCESSED\s+text/);
    expect(terminal.stderr).toEqual(
      expect.arrayContaining([expect.stringMatching(/^uploaded .*good\.txt \(5 B\)$/)]),
    );
    expect(target.closed).toBe(true);
  });

  it('exits 0 when every waited-for document is PROCESSED', async () => {
    // Prepare
    await writeFile(join(folder(), 'a.txt'), 'a');
    const documents = new FakeDocumentsApi();
    const target = fakeTarget({ documents, uploader: pipelined(documents, () => 'PROCESSED') });

    // Act
    const code = await runCli(
      ['upload', folder(), '--wait', '--prefix', 'incoming/batch'],
      environment(target),
    );

    // Assess
    expect(code).toBe(0);
    expect((target.uploader as FakeUploader).uploads.map((upload) => upload.key)).toEqual([
      'incoming/batch/a.txt',
    ]);
  });

  it('prints the list as JSON', async () => {
    // Prepare
    const documents = new FakeDocumentsApi();
    const one = aDocument('incoming/one.pdf');
    documents.documents.set(one.id, one);

    // Act
    const code = await runCli(['ls', '--json'], environment(fakeTarget({ documents })));

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(terminal.text())).toMatchObject({
      items: [{ id: one.id, key: 'incoming/one.pdf' }],
      nextCursor: null,
    });
  });

  it('exits 1 with the reason for an unreadable DLQ message, and 0 for a dry run', async () => {
    // Prepare
    const queue = new FakeQueue();
    queue.add('garbage');

    // Act
    const dry = await runCli(['redrive', '--dry-run'], environment(fakeTarget({ queue })));
    const real = await runCli(['redrive'], environment(fakeTarget({ queue })));

    // Assess
    expect([dry, real]).toEqual([0, 1]);
    expect(terminal.stdout).toEqual([
      'left alone    message m-1: the body is not JSON',
      'left alone    message m-1: the body is not JSON',
    ]);
    expect(terminal.stderr.at(-1)).toBe('0 document(s) running again; 1 message(s) left in the queue.');
  });

  it('explains a local cloud that is down or not started, without a stack trace', async () => {
    // Prepare
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }),
    });
    const documents = new FakeDocumentsApi();
    documents.list = async () => {
      throw refused;
    };

    // Act
    const down = await runCli(['ls'], environment(fakeTarget({ documents })));
    const missing = await runCli(
      ['show', 'x'],
      environment(async () => {
        throw new CliError('the local cloud is not running (there is no /x/deployment.json).');
      }),
    );
    const unknown = await runCli(['show', 'incoming/none.pdf'], environment(fakeTarget()));

    // Assess
    expect([down, missing, unknown]).toEqual([1, 1, 1]);
    expect(terminal.stderr).toEqual([
      'docflow ls: cannot reach the fake cloud (ECONNREFUSED): is it running? Start it with `npm start`.',
      'docflow show: the local cloud is not running (there is no /x/deployment.json).',
      'docflow show: no document with id or key "incoming/none.pdf" in the fake cloud',
    ]);
  });
});
