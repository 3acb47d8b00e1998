import { describe, expect, it } from 'vitest';
import type { RecognizedWord } from '../../../../local/textract/blocks';
import { layoutLines } from '../../../../local/textract/line-layout';

/**
 * Word boxes as tesseract reports them for 30 px type: 30 px tall (ascender to descender), about 15 px
 * per character, words 8 px apart (a word space), so one text height is 30 px.
 */
const HEIGHT = 30;
const CHAR = 15;
const SPACE = 8;

/** The words of `text` set from `x` on the line whose box starts at `y`. */
const phrase = (text: string, x: number, y: number, confidence = 95): RecognizedWord[] => {
  let left = x;
  return text.split(' ').map((word) => {
    const box = { x0: left, y0: y, x1: left + word.length * CHAR, y1: y + HEIGHT };
    left = box.x1 + SPACE;
    return { text: word, confidence, box };
  });
};

const endOf = (text: string, x: number): number =>
  x + text.length * CHAR - (text.split(' ').length - 1) * (CHAR - SPACE);

const textsOf = (words: readonly RecognizedWord[]): string[] =>
  layoutLines(words).map((line) => line.words.map((word) => word.text).join(' '));

/** Deterministic shuffle: OCR engines list words in their own order, not the reading order. */
const shuffled = <T>(items: readonly T[]): T[] =>
  items
    .map((item, index) => ({ item, key: (index * 7919) % 101 }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

describe('layoutLines', () => {
  it('joins the words of a visual line into one LINE, left to right, whatever order OCR listed them in', () => {
    // Prepare
    const words = shuffled([
      ...phrase('The quick brown fox jumps over the lazy dog', 100, 100),
      ...phrase('and runs on into the woods', 100, 160),
    ]);

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual(['The quick brown fox jumps over the lazy dog', 'and runs on into the woods']);
  });

  it('reads the contract page as 30 whole lines, however well the halves of its lines align', () => {
    // Prepare: the case tesseract's own layout analysis split into a column of first halves and one of
    // second halves.
    const words = shuffled(
      Array.from({ length: 30 }, (_, index) =>
        phrase(
          `Contract page 17 clause ${index + 1}: the supplier shall deliver goods on time.`,
          140,
          200 + 60 * index,
        ),
      ).flat(),
    );

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual(
      Array.from(
        { length: 30 },
        (_, index) => `Contract page 17 clause ${index + 1}: the supplier shall deliver goods on time.`,
      ),
    );
  });

  it('keeps labels and their aligned values on one LINE across a modest gap', () => {
    // Prepare: values aligned two text heights after the longest label.
    const rows = [
      ['Invoice number:', '12345'],
      ['Invoice date:', '2026-11-03'],
      ['Amount due:', '1,250.00 EUR'],
    ] as const;
    const tab = endOf('Invoice number:', 100) + 2 * HEIGHT;
    const words = rows.flatMap(([label, value], index) => [
      ...phrase(label, 100, 100 + 50 * index),
      ...phrase(value, tab, 100 + 50 * index),
    ]);

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual(['Invoice number: 12345', 'Invoice date: 2026-11-03', 'Amount due: 1,250.00 EUR']);
  });

  it('reads a table of short cells with modest gaps as one LINE per row, top to bottom', () => {
    // Prepare: three columns, each two text heights after the widest cell of the one before.
    const rows = [
      ['Item', 'Qty', 'Price'],
      ['Apples', '12', '3.40'],
      ['Cherries', '5', '12.95'],
    ];
    const columns = [100, endOf('Cherries', 100) + 2 * HEIGHT];
    columns.push((columns[1] ?? 0) + 'Qty'.length * CHAR + 2 * HEIGHT);
    const words = rows.flatMap((cells, row) =>
      cells.flatMap((cell, column) => phrase(cell, columns[column] ?? 0, 100 + 50 * row)),
    );

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual(['Item Qty Price', 'Apples 12 3.40', 'Cherries 5 12.95']);
  });

  it('splits a line at a wide gutter and reads the columns one after the other', () => {
    // Prepare: a short label, six text heights of white, then its value: not a modest gap.
    const words = [
      ...phrase('Total:', 100, 100),
      ...phrase('99.00', endOf('Total:', 100) + 6 * HEIGHT, 100),
      ...phrase('Thank you for your order.', 100, 150),
    ];

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual(['Total:', '99.00', 'Thank you for your order.']);
  });

  it.each([
    ['a wide gutter', 6],
    ['a narrow gutter between long lines', 2.5],
  ])('reads two columns on shared baselines column by column across %s', (_, gutterHeights) => {
    // Prepare
    const left = [
      'Shipping terms apply to every',
      'order placed through the portal',
      'and are confirmed in writing by',
      'the carrier within two days.',
    ];
    const right = [
      'Returns are accepted within',
      'thirty days of delivery when the',
      'goods are unused and still in',
      'their original packaging.',
    ];
    const gutter = Math.max(...left.map((text) => endOf(text, 100))) + gutterHeights * HEIGHT;
    const words = shuffled([
      ...left.flatMap((text, index) => phrase(text, 100, 100 + 45 * index)),
      ...right.flatMap((text, index) => phrase(text, gutter, 100 + 45 * index)),
    ]);

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual([...left, ...right]);
  });

  it('reads a heading, then two columns whose baselines differ, then a footer under both', () => {
    // Prepare: the right column starts lower and has a tighter line pitch than the left one.
    const left = ['The left column starts here', 'and goes on for a while', 'before it ends here.'];
    const right = ['The right column has', 'a tighter pitch and', 'more lines than the', 'left one has got.'];
    const words = shuffled([
      ...phrase('Quarterly report', 100, 40),
      ...left.flatMap((text, index) => phrase(text, 100, 120 + 50 * index)),
      ...right.flatMap((text, index) => phrase(text, 700, 135 + 38 * index)),
      ...phrase('Page 3 of 9, printed for the docflow tests, spanning both columns', 100, 330),
    ]);

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual([
      'Quarterly report',
      ...left,
      ...right,
      'Page 3 of 9, printed for the docflow tests, spanning both columns',
    ]);
  });

  it('reads a left-hand footer after the right column it sits below', () => {
    // Prepare
    const words = [
      ...phrase('Left column line one', 100, 100),
      ...phrase('Left column line two', 100, 145),
      ...phrase('Right column line one', 800, 100),
      ...phrase('Right column line two', 800, 145),
      ...phrase('Right column line three', 800, 190),
      ...phrase('Footer on the left', 100, 300),
    ];

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual([
      'Left column line one',
      'Left column line two',
      'Right column line one',
      'Right column line two',
      'Right column line three',
      'Footer on the left',
    ]);
  });

  it('follows a skewed line whose words drift down by a third of their height', () => {
    // Prepare
    const words = phrase('a slightly skewed scan still reads as one line', 100, 100).map((word, index) => ({
      ...word,
      box: { ...word.box, y0: word.box.y0 + 10 * index, y1: word.box.y1 + 10 * index },
    }));

    // Act
    const lines = textsOf(words);

    // Assess
    expect(lines).toEqual(['a slightly skewed scan still reads as one line']);
  });

  it('drops unsure specks, keeps small sure words and blank-free text, and averages confidences', () => {
    // Prepare: an i-dot tesseract cut off as a word of its own, and a sure dash.
    const [from, , to] = phrase('2026 - 2027', 100, 100, 90);
    const dash = { text: '-', confidence: 92, box: { x0: 168, y0: 112, x1: 180, y1: 116 } };
    const speck = { text: '.', confidence: 30, box: { x0: 400, y0: 100, x1: 403, y1: 103 } };
    const blank = { text: ' ', confidence: 0, box: { x0: 500, y0: 100, x1: 510, y1: 130 } };
    const words = [from, dash, to, speck, blank].filter((word) => word !== undefined);

    // Act
    const lines = layoutLines(words);

    // Assess
    expect(lines.map((line) => line.words.map((word) => word.text).join(' '))).toEqual(['2026 - 2027']);
    expect(lines[0]?.confidence).toBeCloseTo((90 + 92 + 90) / 3, 9);
    expect(lines[0]?.box).toEqual({ x0: 100, y0: 100, x1: to?.box.x1, y1: 130 });
    expect(lines[0]?.words[1]).toBe(dash);
  });

  it('returns no lines for a page without words', () => {
    // Act + Assess
    expect(layoutLines([])).toEqual([]);
    expect(layoutLines([{ text: '  ', confidence: 10, box: { x0: 0, y0: 0, x1: 5, y1: 5 } }])).toEqual([]);
  });
});
