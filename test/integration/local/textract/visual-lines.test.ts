import { createRequire } from 'node:module';
import path from 'node:path';
import { type Block, DetectDocumentTextCommand } from '@aws-sdk/client-textract';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OcrError, TesseractPool } from '../../../../local/textract/ocr-engine';
import { startTextractStack, type TextractStack } from '../../../support/local-textract';

/**
 * Real OCR on generated scans, compared with what a person reads: one LINE per visual line, columns one
 * after the other. Pages are 150 dpi (US Letter is 1275 px wide) in 26–32 px Liberation Sans.
 */

const FONT = 'DocflowLayoutSans';
GlobalFonts.registerFromPath(
  path.join(
    path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')),
    'standard_fonts',
    'LiberationSans-Regular.ttf',
  ),
  FONT,
);

interface Drawer {
  /** Draws `text` with its baseline at `y`. */
  text(text: string, x: number, y: number, size?: number): void;
  width(text: string, size?: number): number;
}

const renderPage = (width: number, height: number, draw: (page: Drawer) => void): Buffer => {
  const canvas = createCanvas(width, height);
  const context: SKRSContext2D = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#000000';
  const font = (size: number) => {
    context.font = `${size}px ${FONT}`;
  };
  draw({
    text: (text, x, y, size = 30) => {
      font(size);
      context.fillText(text, x, y);
    },
    width: (text, size = 30) => {
      font(size);
      return context.measureText(text).width;
    },
  });
  return canvas.toBuffer('image/png');
};

const CONTRACT_LINES = Array.from(
  { length: 30 },
  (_, index) => `Contract page 17 clause ${index + 1}: the supplier shall deliver goods on time.`,
);

/** The contract page of the issue: 30 lines whose second halves start at nearly the same x. */
const contractPage = (): Buffer =>
  renderPage(1275, 1650, (page) => {
    CONTRACT_LINES.forEach((line, index) => {
      page.text(line, 100, 100 + 48 * index, 26);
    });
  });

const LABELS = [
  ['Invoice number:', '12345'],
  ['Invoice date:', '2026-11-03'],
  ['Order number:', 'PO-7781'],
  ['Amount due:', '1,250.00 EUR'],
] as const;

/** Labels with their values aligned three spaces after the longest label. */
const labelsPage = (): Buffer =>
  renderPage(1275, 500, (page) => {
    const tab = 100 + Math.max(...LABELS.map(([label]) => page.width(label))) + page.width('   ');
    LABELS.forEach(([label, value], index) => {
      page.text(label, 100, 100 + 60 * index);
      page.text(value, tab, 100 + 60 * index);
    });
  });

const TABLE = [
  ['Item', 'Qty', 'Price'],
  ['Apples', '12', '3.40'],
  ['Pears', '7', '2.10'],
  ['Cherries', '30', '9.95'],
] as const;

/** Three columns of short cells, each column two ems after the widest cell of the one before. */
const tablePage = (): Buffer =>
  renderPage(1275, 450, (page) => {
    const em = 30;
    const columns = [100];
    for (let column = 1; column < 3; column += 1) {
      const widest = Math.max(...TABLE.map((row) => page.width(row[column - 1] ?? '')));
      columns.push((columns[column - 1] ?? 0) + widest + 2 * em);
    }
    TABLE.forEach((row, index) => {
      row.forEach((cell, column) => {
        page.text(cell, columns[column] ?? 0, 100 + 60 * index);
      });
    });
  });

const LEFT_COLUMN = [
  'Shipping terms apply to every',
  'order placed through the portal',
  'and are confirmed in writing by',
  'the carrier within two days.',
];
const RIGHT_COLUMN = [
  'Returns are accepted within',
  'thirty days of delivery when the',
  'goods are unused and still in',
  'their original packaging.',
];

/** Two columns on shared baselines, `gutterEms` ems apart. */
const twoColumnPage = (gutterEms: number): Buffer =>
  renderPage(1275, 450, (page) => {
    const gutter = 80 + Math.max(...LEFT_COLUMN.map((line) => page.width(line))) + gutterEms * 30;
    LEFT_COLUMN.forEach((line, index) => {
      page.text(line, 80, 100 + 50 * index);
    });
    RIGHT_COLUMN.forEach((line, index) => {
      page.text(line, gutter, 100 + 50 * index);
    });
  });

const REPORT = {
  heading: 'Quarterly Report',
  left: [
    'The left column starts here and',
    'continues with a second line of',
    'text that belongs to the left',
    'column and it ends just here.',
  ],
  right: [
    'The right column uses smaller',
    'type and a tighter spacing, so',
    'its lines never sit on the same',
    'baselines as those on the left;',
    'a reader still reads it second.',
  ],
  footer: 'Footer: page 3 of 9, printed for the docflow tests.',
};

/** A heading, two columns with different type sizes and line pitches, and a footer. */
const reportPage = (): Buffer =>
  renderPage(1275, 750, (page) => {
    page.text(REPORT.heading, 80, 100, 44);
    REPORT.left.forEach((line, index) => {
      page.text(line, 80, 200 + 52 * index, 28);
    });
    REPORT.right.forEach((line, index) => {
      page.text(line, 700, 215 + 42 * index, 24);
    });
    page.text(REPORT.footer, 80, 520, 26);
  });

const linesOf = (blocks: readonly Block[] | undefined): Block[] =>
  (blocks ?? []).filter((block) => block.BlockType === 'LINE');

describe('local Textract: LINE blocks are the visual lines of the page, in reading order', () => {
  let stack: TextractStack;

  beforeAll(async () => {
    stack = await startTextractStack({ ocr: { size: 1 } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const detect = async (png: Buffer): Promise<Block[]> => {
    const response = await stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: png } }));
    const blocks = response.Blocks ?? [];
    // Every LINE is its WORDs, in order.
    const words = new Map(
      blocks.filter((block) => block.BlockType === 'WORD').map((word) => [word.Id, word]),
    );
    for (const line of linesOf(blocks)) {
      const childIds = line.Relationships?.[0]?.Ids ?? [];
      expect(childIds.map((id) => words.get(id)?.Text).join(' ')).toBe(line.Text);
    }
    return blocks;
  };

  const textsOf = async (png: Buffer): Promise<(string | undefined)[]> =>
    linesOf(await detect(png)).map((line) => line.Text);

  it('reads each line of the contract page as one LINE, in order', async () => {
    // Act
    const lines = await textsOf(contractPage());

    // Assess
    expect(lines).toEqual(CONTRACT_LINES);
  });

  it('keeps labels and their aligned values on one LINE', async () => {
    // Act
    const lines = await textsOf(labelsPage());

    // Assess
    expect(lines).toEqual(LABELS.map(([label, value]) => `${label} ${value}`));
  });

  it('reads a table of short cells with modest gaps as one LINE per row, as Textract does', async () => {
    // Act
    const lines = await textsOf(tablePage());

    // Assess
    expect(lines).toEqual(TABLE.map((row) => row.join(' ')));
  });

  it.each([
    ['a wide gutter', 6],
    ['a narrow gutter', 2],
  ])('reads a two-column page column by column across %s', async (_, gutterEms) => {
    // Act
    const lines = await textsOf(twoColumnPage(gutterEms));

    // Assess
    expect(lines).toEqual([...LEFT_COLUMN, ...RIGHT_COLUMN]);
  });

  it('reads a heading, two columns on different baselines, then the footer', async () => {
    // Act
    const lines = await textsOf(reportPage());

    // Assess
    expect(lines).toEqual([REPORT.heading, ...REPORT.left, ...REPORT.right, REPORT.footer]);
  });

  it.each([90, 180, 270])('reads a scan turned %i° clockwise like the upright page', async (angle) => {
    // Prepare
    const turned = await sharp(labelsPage()).rotate(angle).png().toBuffer();

    // Act
    const blocks = await detect(turned);

    // Assess: the same lines, with boxes on the turned image and polygons starting at the text's
    // own top-left corner (which is where a turned page's text begins).
    const lines = linesOf(blocks);
    expect(lines.map((line) => line.Text)).toEqual(LABELS.map(([label, value]) => `${label} ${value}`));
    const first = lines[0]?.Geometry;
    const box = first?.BoundingBox ?? {};
    const [left, top] = [box.Left ?? 0, box.Top ?? 0];
    const [right, bottom] = [left + (box.Width ?? 0), top + (box.Height ?? 0)];
    const expectedStart = { 90: [right, top], 180: [right, bottom], 270: [left, bottom] }[angle];
    expect([first?.Polygon?.[0]?.X, first?.Polygon?.[0]?.Y]).toEqual([
      expect.closeTo(expectedStart?.[0] ?? -1, 6),
      expect.closeTo(expectedStart?.[1] ?? -1, 6),
    ]);
    // A line of text turned a quarter is taller than wide on the image.
    const tall = (box.Height ?? 0) > (box.Width ?? 0);
    expect(tall).toBe(angle !== 180);
  });
});

describe('local Textract: orientation detection', () => {
  it('costs an upright page nothing, and is asked only about a page that reads badly', async () => {
    // Prepare: a pool whose orientation model is missing, so asking it fails loudly.
    const pool = new TesseractPool({ osdLangPath: '/nonexistent/osd' });
    const upright = labelsPage();
    const turned = await sharp(upright).rotate(180).png().toBuffer();

    try {
      // Act
      const read = await pool.recognize({ bytes: upright, width: 1275, height: 500 });
      const error = await pool
        .recognize({ bytes: turned, width: 1275, height: 500 })
        .catch((failure: unknown) => failure);

      // Assess
      expect(read.lines.map((line) => line.words.map((word) => word.text.trim()).join(' '))).toEqual(
        LABELS.map(([label, value]) => `${label} ${value}`),
      );
      expect(read.orientation ?? 0).toBe(0);
      expect(error).toBeInstanceOf(OcrError);
      expect(error).toMatchObject({ engineFault: true, message: expect.stringMatching(/no osd model/) });
      expect(pool.orientation).toEqual({ detected: 1, turned: 0 });
    } finally {
      await pool.stop();
    }
  });
});
