import type { Block } from '@aws-sdk/client-textract';
import { describe, expect, it } from 'vitest';
import { textPagesFromBlocks } from '../../../../../lambdas/shared/documents/textract-blocks';

const box = (left: number, top: number) => ({ Left: left, Top: top, Width: 0.5, Height: 0.04 });

const line = (text: string, page: number | undefined, top: number, confidence = 99.123456): Block => ({
  BlockType: 'LINE',
  Text: text,
  Confidence: confidence,
  ...(page === undefined ? {} : { Page: page }),
  Geometry: { BoundingBox: box(0.1, top) },
});

/** The line textPagesFromBlocks reads from `line(text, page, top, confidence)`, its confidence rounded (99.12 by default). */
const readLine = (text: string, top: number, confidence = 99.12) => ({
  text,
  confidence,
  box: { left: 0.1, top, width: 0.5, height: 0.04 },
});

const word = (text: string, page: number | undefined): Block => ({
  BlockType: 'WORD',
  Text: text,
  Confidence: 98,
  ...(page === undefined ? {} : { Page: page }),
});

describe('textPagesFromBlocks', () => {
  it('keeps each page’s lines in Textract’s order with box and confidence, and drops the words', () => {
    // Prepare
    const blocks: Block[] = [
      { BlockType: 'PAGE', Page: 1 },
      line('Invoice number 4711', 1, 0.1),
      word('Invoice', 1),
      line('from Blue Heron Supplies', 1, 0.2, 87.5),
      { BlockType: 'PAGE', Page: 2 },
      line('Delivery accepted', 2, 0.3),
    ];

    // Act
    const pages = textPagesFromBlocks(blocks, 2);

    // Assess
    expect(pages).toEqual([
      {
        number: 1,
        text: 'Invoice number 4711\nfrom Blue Heron Supplies',
        lines: [readLine('Invoice number 4711', 0.1), readLine('from Blue Heron Supplies', 0.2, 87.5)],
      },
      { number: 2, text: 'Delivery accepted', lines: [readLine('Delivery accepted', 0.3)] },
    ]);
  });

  it('puts blocks without a page (a synchronous answer) on page 1', () => {
    // Prepare
    const blocks = [
      { BlockType: 'PAGE' } as Block,
      line('The quick brown fox', undefined, 0.5),
      word('The', undefined),
    ];

    // Act
    const pages = textPagesFromBlocks(blocks, 1);

    // Assess
    expect(pages.map((page) => [page.number, page.text])).toEqual([[1, 'The quick brown fox']]);
  });

  it('lists every page of the document, empty ones and failed ones included', () => {
    // Prepare
    const blocks = [line('only on page 3', 3, 0.1)];

    // Act
    const pages = textPagesFromBlocks(
      blocks,
      4,
      new Map([[2, 'Textract could not read this page (UNREADABLE_PAGE)']]),
    );

    // Assess
    expect(pages).toEqual([
      { number: 1, text: '', lines: [] },
      { number: 2, text: '', lines: [], error: 'Textract could not read this page (UNREADABLE_PAGE)' },
      { number: 3, text: 'only on page 3', lines: [expect.objectContaining({ text: 'only on page 3' })] },
      { number: 4, text: '', lines: [] },
    ]);
  });

  it('rounds boxes to 4 decimals and confidences to 2, and tolerates missing geometry', () => {
    // Prepare
    const blocks: Block[] = [
      {
        BlockType: 'LINE',
        Text: 'a',
        Confidence: 12.3456,
        Geometry: { BoundingBox: box(0.123456789, 0.98765) },
      },
      { BlockType: 'LINE', Text: 'b' },
    ];

    // Act
    const [page] = textPagesFromBlocks(blocks, 1);

    // Assess
    expect(page?.lines).toEqual([
      { text: 'a', confidence: 12.35, box: { left: 0.1235, top: 0.9877, width: 0.5, height: 0.04 } },
      { text: 'b', confidence: 0, box: { left: 0, top: 0, width: 0, height: 0 } },
    ]);
  });
});
