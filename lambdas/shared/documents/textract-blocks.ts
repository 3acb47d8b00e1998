import type { Block } from '@aws-sdk/client-textract';
import type { TextLine, TextPage } from './text-document';

/** Decimal places kept: 4 on a 0–1 box is a tenth of a pixel on a 1,000-pixel page. */
const BOX_DECIMALS = 4;
const CONFIDENCE_DECIMALS = 2;

const round = (value: number | undefined, decimals: number): number => {
  const factor = 10 ** decimals;
  return Math.round((value ?? 0) * factor) / factor;
};

const lineOf = (block: Block): TextLine => {
  const box = block.Geometry?.BoundingBox;
  return {
    text: block.Text ?? '',
    confidence: round(block.Confidence, CONFIDENCE_DECIMALS),
    box: {
      left: round(box?.Left, BOX_DECIMALS),
      top: round(box?.Top, BOX_DECIMALS),
      width: round(box?.Width, BOX_DECIMALS),
      height: round(box?.Height, BOX_DECIMALS),
    },
  };
};

/**
 * Turns Textract blocks into pages of text: each page's LINE blocks, in the order Textract returns them
 * (its reading order), joined by newlines, and kept with their confidence and box. WORD blocks repeat
 * the lines' text and are dropped. A synchronous response has no `Page` on its blocks: page 1.
 *
 * @param pageCount the document's pages (`DocumentMetadata.Pages`); pages without a line are empty
 * @param failedPages pages Textract could not read, with the reason, which is set as the page's `error`
 */
export const textPagesFromBlocks = (
  blocks: readonly Block[],
  pageCount: number,
  failedPages: ReadonlyMap<number, string> = new Map(),
): TextPage[] => {
  const linesByPage = new Map<number, TextLine[]>();
  let lastPage = Math.max(0, pageCount);
  for (const block of blocks) {
    const page = block.Page ?? 1;
    lastPage = Math.max(lastPage, page);
    if (block.BlockType !== 'LINE') continue;
    const lines = linesByPage.get(page) ?? [];
    lines.push(lineOf(block));
    linesByPage.set(page, lines);
  }
  for (const page of failedPages.keys()) lastPage = Math.max(lastPage, page);
  const pages: TextPage[] = [];
  for (let number = 1; number <= lastPage; number++) {
    const lines = linesByPage.get(number) ?? [];
    const error = failedPages.get(number);
    pages.push({
      number,
      text: lines.map((line) => line.text).join('\n'),
      lines,
      ...(error === undefined ? {} : { error }),
    });
  }
  return pages;
};
