import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../bench/cloud-process';
import { DirectWork } from '../../../bench/direct-work';
import { forEachLimited } from '../../../bench/pipeline-client';

const sample = (file: string): Promise<Buffer> => readFile(join(PROJECT_ROOT, 'sample-docs', file));

describe('DirectWork', () => {
  const work = new DirectWork();
  afterAll(() => work.stop());

  it('does a text file’s, a DOCX’s and a text PDF’s work and finds their text', async () => {
    // Act
    const text = await work.process(await sample('notes.txt'));
    const docx = await work.process(await sample('memo.docx'));
    const pdf = await work.process(await sample('report-text-layer.pdf'));

    // Assess
    expect(text).toEqual({ type: 'text', rejected: false, pages: 1, characters: 181, thumbnail: false });
    expect(docx).toMatchObject({ type: 'docx', rejected: false, thumbnail: false });
    expect(docx.characters).toBeGreaterThan(100);
    expect(pdf).toMatchObject({ type: 'pdf', rejected: false, pages: 3, thumbnail: true });
    expect(pdf.characters).toBeGreaterThan(300);
  });

  it('rejects a corrupt PDF, as the pipeline does', async () => {
    // Act & Assess
    expect(await work.process(await sample('corrupt.pdf'))).toMatchObject({ type: 'pdf', rejected: true });
  });
});

describe('forEachLimited', () => {
  it('does every item, never more than the limit at a time', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const done: number[] = [];

    // Act
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(item);
      running -= 1;
    });

    // Assess
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });
});
