import { describe, expect, it } from 'vitest';
import type { PlannedUpload } from '../../../cli/upload-plan';
import { renderSession, sessionSucceeded, uploadSession } from '../../../cli/upload-session';
import { aDocument, FakeDocumentsApi, FakeUploader } from '../../support/fake-docflow';
import { memoryTerminal } from '../../support/memory-terminal';
import { fakeClock } from '../../support/unit-fake-clock';

const planned = (key: string, size = 10): PlannedUpload => ({
  path: `/tmp/${key}`,
  key,
  size,
  label: key.slice(9),
});

describe('uploadSession', () => {
  it('on a terminal, draws a progress bar and a waiting line instead of one line per file', async () => {
    // Prepare
    const terminal = memoryTerminal({ interactive: true, columns: 100 });
    const documents = new FakeDocumentsApi();
    const uploader = new FakeUploader();
    uploader.onUploaded = ({ key }) => {
      const document = aDocument(key, { eTag: uploader.eTag, status: 'PROCESSED' });
      documents.documents.set(document.id, document);
    };

    // Act
    const entries = await uploadSession(
      [planned('incoming/a.pdf', 4096)],
      { uploader, documents },
      {
        wait: true,
        timeoutMs: 10_000,
        terminal,
        ...fakeClock(),
      },
    );

    // Assess
    expect(sessionSucceeded(entries, true)).toBe(true);
    expect(terminal.statuses[0]).toMatch(/^\[░+\] {3}0% {2}0 B\/4\.0 KiB {2}0\/1 files$/);
    expect(terminal.statuses.at(-1)).toMatch(/^waiting: 1\/1 done, 0 processing · \d+ ms$/);
    expect(terminal.stderr).toEqual([]);
  });

  it('without --wait lists keys and ids, and an upload failure fails the session', async () => {
    // Prepare
    const terminal = memoryTerminal();
    const uploader = new FakeUploader();
    uploader.failKeys.add('incoming/b.png');

    // Act
    const entries = await uploadSession(
      [planned('incoming/a.pdf'), planned('incoming/b.png')],
      { uploader, documents: new FakeDocumentsApi() },
      { wait: false, timeoutMs: 0, terminal, ...fakeClock() },
    );
    const lines = renderSession(entries, false);

    // Assess
    expect(sessionSucceeded(entries, false)).toBe(false);
    expect(terminal.stderr).toEqual([
      'uploaded a.pdf (10 B)',
      'upload failed: b.png: AccessDenied for incoming/b.png',
    ]);
    expect(lines[0]).toMatch(/^FILE\s+KEY\s+SIZE\s+ID\s+STATUS$/);
    expect(lines[1]).toMatch(
      new RegExp(`^a\\.pdf\\s+incoming/a\\.pdf\\s+10 B\\s+${aDocument('incoming/a.pdf').id}\\s+uploaded$`),
    );
    expect(lines[2]).toMatch(/UPLOAD FAILED: AccessDenied for incoming\/b\.png$/);
  });

  it('marks a document not seen in time as TIMED OUT and fails the session', async () => {
    // Prepare
    const terminal = memoryTerminal();

    // Act
    const entries = await uploadSession(
      [planned('incoming/slow.pdf')],
      { uploader: new FakeUploader(), documents: new FakeDocumentsApi() },
      { wait: true, timeoutMs: 5000, terminal, ...fakeClock() },
    );

    // Assess
    expect(sessionSucceeded(entries, true)).toBe(false);
    expect(renderSession(entries, true)[1]).toMatch(/^slow\.pdf\s+TIMED OUT \(not seen\)\s+–\s+–\s+\S+$/);
  });
});
