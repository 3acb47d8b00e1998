import { setTimeout } from 'node:timers/promises';
import sharp from 'sharp';
import type { Page } from 'tesseract.js';
import { describe, expect, it } from 'vitest';
import { OcrError, TesseractPool, toRecognizedPage, unturnBox } from '../../../../local/textract/ocr-engine';

const image = { bytes: new Uint8Array([1, 2, 3]), width: 10, height: 10 };

describe('TesseractPool', () => {
  it.each([
    ['a URL, which tesseract.js would fetch', 'https://cdn.example.com/tessdata'],
    ['a folder without the English model', '/nonexistent/tessdata'],
  ])('refuses a langPath that is %s, without starting a worker', async (_, langPath) => {
    // Prepare
    const pool = new TesseractPool({ langPath });

    // Act
    const error = await pool.recognize(image).catch((failure: unknown) => failure);
    await pool.stop();

    // Assess
    expect(error).toBeInstanceOf(OcrError);
    expect(error).toMatchObject({ engineFault: true, message: expect.stringMatching(/local folder/) });
    expect(pool.startTimesMs).toEqual([]);
  });

  it('stops its workers once idle for idleTimeoutMs, and starts one again for the next page', async () => {
    // Prepare: a blank page reads badly, so it also starts the orientation worker.
    const page = await sharp({ create: { width: 200, height: 80, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const blank = { bytes: new Uint8Array(page), width: 200, height: 80 };
    const pool = new TesseractPool({ idleTimeoutMs: 300 });
    try {
      await pool.recognize(blank);
      const afterPage = pool.runningWorkers;

      // Act
      await setTimeout(800);
      const afterIdle = pool.runningWorkers;
      const again = await pool.recognize(blank);

      // Assess
      expect(afterPage).toBe(2);
      expect(afterIdle).toBe(0);
      expect(again.lines).toEqual([]);
      expect(pool.startTimesMs.length).toBeGreaterThanOrEqual(3);
    } finally {
      await pool.stop();
    }
  }, 60_000);

  it('refuses work once stopped', async () => {
    // Prepare
    const pool = new TesseractPool();
    await pool.stop();

    // Act
    const error = await pool.recognize(image).catch((failure: unknown) => failure);

    // Assess
    expect(error).toMatchObject({ name: 'OcrError', engineFault: true });
  });
});

describe('toRecognizedPage', () => {
  it('lays out the words of every block, paragraph and line as visual lines, keeping their boxes and confidences', () => {
    // Prepare: tesseract split one visual line into two blocks, and put a second line in the first.
    const word = (text: string, x0: number, y0: number, confidence = 90) => ({
      text,
      confidence,
      bbox: { x0, y0, x1: x0 + 40, y1: y0 + 20 },
      symbols: [],
      choices: [],
      font_name: '',
    });
    const line = (words: ReturnType<typeof word>[]) => ({
      words,
      text: words.map((w) => w.text).join(' '),
      confidence: 0,
      bbox: { x0: 0, y0: 0, x1: 0, y1: 0 },
      baseline: { x0: 0, y0: 0, x1: 0, y1: 0 },
      rowAttributes: { ascenders: 0, descenders: 0, rowHeight: 0 },
    });
    const page = {
      blocks: [
        {
          paragraphs: [
            { lines: [line([word('Contract', 0, 0, 91), word('page', 50, 0, 93)])] },
            { lines: [line([word('next', 0, 40)])] },
          ],
        },
        { paragraphs: [{ lines: [line([word('clause', 100, 0, 95)])] }] },
      ],
    } as unknown as Page;

    // Act
    const recognized = toRecognizedPage(page, 640, 480);

    // Assess
    expect(recognized.width).toBe(640);
    expect(recognized.height).toBe(480);
    expect(recognized.lines.map((l) => [l.confidence, l.words.map((w) => w.text)])).toEqual([
      [93, ['Contract', 'page', 'clause']],
      [90, ['next']],
    ]);
    expect(recognized.lines[0]?.box).toEqual({ x0: 0, y0: 0, x1: 140, y1: 20 });
    expect(recognized.lines[0]?.words[1]).toEqual({
      text: 'page',
      confidence: 93,
      box: { x0: 50, y0: 0, x1: 90, y1: 20 },
    });
  });

  it('returns no lines when tesseract found no blocks', () => {
    // Act
    const recognized = toRecognizedPage({ blocks: null } as unknown as Page, 1, 1);

    // Assess
    expect(recognized.lines).toEqual([]);
  });
});

describe('unturnBox', () => {
  // A 100 × 60 page; the box covers x 10–30, y 5–15 on it.
  const original = { x0: 10, y0: 5, x1: 30, y1: 15 };

  it.each([
    // Turned 90° clockwise the page is 60 × 100 and the box sits at x 45–55, y 10–30.
    [90, { x0: 45, y0: 10, x1: 55, y1: 30 }],
    // Turned 180° the box sits at x 70–90, y 45–55.
    [180, { x0: 70, y0: 45, x1: 90, y1: 55 }],
    // Turned 270° (90° anticlockwise) the page is 60 × 100 and the box sits at x 5–15, y 70–90.
    [270, { x0: 5, y0: 70, x1: 15, y1: 90 }],
    [0, original],
  ] as const)('maps a box on the page turned %i° back onto the page as given', (correction, turned) => {
    // Act
    const box = unturnBox(turned, correction, 100, 60);

    // Assess
    expect(box).toEqual(original);
  });
});
