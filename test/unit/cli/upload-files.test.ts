import { describe, expect, it } from 'vitest';
import { renderProgress, type UploadProgress, uploadFiles } from '../../../cli/upload-files';
import type { PlannedUpload } from '../../../cli/upload-plan';
import { FakeUploader } from '../../support/fake-docflow';

const planned = (key: string, size: number): PlannedUpload => ({
  path: `/tmp/${key}`,
  key,
  size,
  label: key,
});

describe('uploadFiles', () => {
  it('uploads every file, reports byte progress over all of them, and ends at 100%', async () => {
    // Prepare
    const uploader = new FakeUploader();
    const plan = [
      planned('incoming/a.pdf', 1000),
      planned('incoming/b.png', 3000),
      planned('incoming/c.txt', 0),
    ];
    const progress: UploadProgress[] = [];

    // Act
    const results = await uploadFiles(plan, uploader, {
      onProgress: (p) => progress.push(p),
      concurrency: 2,
    });

    // Assess
    expect(results.map((result) => ('uploaded' in result ? result.uploaded.key : 'failed'))).toEqual([
      'incoming/a.pdf',
      'incoming/b.png',
      'incoming/c.txt',
    ]);
    expect(progress[0]).toMatchObject({ sentBytes: 0, totalBytes: 4000, filesDone: 0, filesTotal: 3 });
    expect(progress.at(-1)).toMatchObject({ sentBytes: 4000, filesDone: 3 });
    const sent = progress.map((p) => p.sentBytes);
    expect(sent).toEqual(sent.toSorted((a, b) => a - b));
  });

  it('goes on after a failed file and reports its error in plan order', async () => {
    // Prepare
    const uploader = new FakeUploader();
    uploader.failKeys.add('incoming/b.png');
    const done: string[] = [];

    // Act
    const results = await uploadFiles(
      [planned('incoming/a.pdf', 10), planned('incoming/b.png', 10), planned('incoming/c.txt', 10)],
      uploader,
      { onFileDone: (result) => done.push(result.planned.key) },
    );

    // Assess
    expect(results[1]).toMatchObject({ planned: { key: 'incoming/b.png' } });
    expect(results[1] && 'error' in results[1] ? results[1].error.message : '').toBe(
      'AccessDenied for incoming/b.png',
    );
    expect(uploader.uploads.map((upload) => upload.key)).toEqual(['incoming/a.pdf', 'incoming/c.txt']);
    expect(done.toSorted()).toEqual(['incoming/a.pdf', 'incoming/b.png', 'incoming/c.txt']);
  });
});

describe('renderProgress', () => {
  it('draws a bar, the percentage, bytes, files and the current file within the width', () => {
    // Act
    const line = renderProgress(
      {
        sentBytes: 4.5 * 1024 * 1024,
        totalBytes: 12 * 1024 * 1024,
        filesDone: 1,
        filesTotal: 3,
        current: 'docs/big-scan.pdf',
      },
      100,
    );

    // Assess
    expect(line).toMatch(/^\[█+░+\] {2}37% {2}4\.5 MiB\/12\.0 MiB {2}1\/3 files {2}docs\/big-scan\.pdf$/);
    expect(line.length).toBeLessThanOrEqual(100);
  });

  it('counts files when there are no bytes to send', () => {
    // Act & Assess
    expect(renderProgress({ sentBytes: 0, totalBytes: 0, filesDone: 1, filesTotal: 2 }, 80)).toContain(
      ' 50%',
    );
  });
});
