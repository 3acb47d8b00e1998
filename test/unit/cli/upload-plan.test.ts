import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/errors';
import { planUploads } from '../../../cli/upload-plan';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const root = temporaryFolderPerTest('docflow-plan-');

const file = async (path: string, bytes = 'x'): Promise<string> => {
  const full = join(root(), path);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, bytes);
  return full;
};

describe('planUploads', () => {
  it('keys a folder’s files by their path inside it and keeps odd names as they are', async () => {
    // Prepare
    await file('docs/report 2026 (final).pdf', 'pdf bytes');
    await file('docs/scans/a+b%20c.png');
    await file('docs/naïve café/報告.txt');
    await file('docs/emoji 📄.docx');

    // Act
    const plan = await planUploads({ inputs: [join(root(), 'docs')], prefix: 'incoming/' });

    // Assess
    expect(plan.map((upload) => upload.key)).toEqual([
      'incoming/emoji 📄.docx',
      'incoming/naïve café/報告.txt',
      'incoming/report 2026 (final).pdf',
      'incoming/scans/a+b%20c.png',
    ]);
    expect(plan.find((upload) => upload.key.endsWith('.pdf'))).toMatchObject({
      path: join(root(), 'docs', 'report 2026 (final).pdf'),
      size: 9,
      label: join(root(), 'docs', 'report 2026 (final).pdf'),
    });
  });

  it('keys a file by its name under the prefix', async () => {
    // Prepare
    const path = await file('somewhere/deep/memo.docx');

    // Act
    const plan = await planUploads({ inputs: [path], prefix: 'incoming/batch-1/' });

    // Assess
    expect(plan).toEqual([{ path, key: 'incoming/batch-1/memo.docx', size: 1, label: path }]);
  });

  it('leaves out excluded files and folder links, and says so for the links', async () => {
    // Prepare
    await file('samples/a.pdf');
    await file('samples/README.md');
    await file('elsewhere/b.pdf');
    await symlink(join(root(), 'elsewhere'), join(root(), 'samples', 'linked-folder'));
    await symlink(join(root(), 'elsewhere', 'b.pdf'), join(root(), 'samples', 'linked.pdf'));
    const skipped: string[] = [];

    // Act
    const plan = await planUploads({
      inputs: [join(root(), 'samples')],
      prefix: 'incoming/',
      exclude: (path) => path === 'README.md',
      onSkip: (path) => skipped.push(path),
    });

    // Assess
    expect(plan.map((upload) => upload.key)).toEqual(['incoming/a.pdf', 'incoming/linked.pdf']);
    expect(skipped).toEqual([join(root(), 'samples', 'linked-folder')]);
  });

  it('refuses two files that would get the same key', async () => {
    // Prepare
    const one = await file('one/memo.txt');
    const two = await file('two/memo.txt');

    // Act & Assess
    await expect(planUploads({ inputs: [one, two], prefix: 'incoming/' })).rejects.toThrow(
      /would both be uploaded as incoming\/memo\.txt/,
    );
  });

  it('refuses a missing path, an empty folder and a key longer than S3 allows', async () => {
    // Prepare
    await mkdir(join(root(), 'empty'));
    const long = await file(
      `${'x'.repeat(250)}/${'y'.repeat(250)}/${'z'.repeat(250)}/${'w'.repeat(250)}/a-long-file-é.txt`,
    );

    // Act & Assess
    await expect(planUploads({ inputs: [join(root(), 'nope.pdf')], prefix: 'incoming/' })).rejects.toThrow(
      UsageError,
    );
    await expect(planUploads({ inputs: [join(root(), 'empty')], prefix: 'incoming/' })).rejects.toThrow(
      'nothing to upload',
    );
    await expect(planUploads({ inputs: [root()], prefix: 'incoming/' })).rejects.toThrow(
      /longer than S3's 1024 bytes/,
    );
    expect(Buffer.byteLength(`incoming/${long.slice(root().length + 1)}`)).toBeGreaterThan(1024);
  });
});
