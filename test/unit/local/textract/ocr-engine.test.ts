import type { Page } from 'tesseract.js';
import { describe, expect, it } from 'vitest';
import { OcrError, TesseractPool, toRecognizedPage } from '../../../../local/textract/ocr-engine';

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
  it('flattens blocks, paragraphs and lines into lines of words with their boxes and confidences', () => {
    // Prepare
    const box = (x0: number) => ({ x0, y0: 0, x1: x0 + 5, y1: 5 });
    const word = (text: string, x0: number) => ({
      text,
      confidence: 90,
      bbox: box(x0),
      symbols: [],
      choices: [],
      font_name: '',
    });
    const line = (words: ReturnType<typeof word>[], confidence: number) => ({
      words,
      text: words.map((w) => w.text).join(' '),
      confidence,
      bbox: box(words[0]?.bbox.x0 ?? 0),
      baseline: { x0: 0, y0: 0, x1: 0, y1: 0 },
      rowAttributes: { ascenders: 0, descenders: 0, rowHeight: 0 },
    });
    const page = {
      blocks: [
        {
          paragraphs: [
            { lines: [line([word('a', 0), word('b', 10)], 91)] },
            { lines: [line([word('c', 20)], 92)] },
          ],
        },
        { paragraphs: [{ lines: [line([word('d', 30)], 93)] }] },
      ],
    } as unknown as Page;

    // Act
    const recognized = toRecognizedPage(page, 640, 480);

    // Assess
    expect(recognized.width).toBe(640);
    expect(recognized.height).toBe(480);
    expect(recognized.lines.map((l) => [l.confidence, l.words.map((w) => w.text)])).toEqual([
      [91, ['a', 'b']],
      [92, ['c']],
      [93, ['d']],
    ]);
    expect(recognized.lines[0]?.words[1]).toEqual({
      text: 'b',
      confidence: 90,
      box: { x0: 10, y0: 0, x1: 15, y1: 5 },
    });
  });

  it('returns no lines when tesseract found no blocks', () => {
    // Act
    const recognized = toRecognizedPage({ blocks: null } as unknown as Page, 1, 1);

    // Assess
    expect(recognized.lines).toEqual([]);
  });
});
