import { randomUUID } from 'node:crypto';
import type { Block, Geometry } from '@aws-sdk/client-textract';

/** A box in image pixels, as tesseract reports it (x1/y1 exclusive). */
export interface PixelBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface RecognizedWord {
  readonly text: string;
  /** 0–100. */
  readonly confidence: number;
  readonly box: PixelBox;
}

export interface RecognizedLine {
  /** 0–100. */
  readonly confidence: number;
  readonly box: PixelBox;
  readonly words: readonly RecognizedWord[];
}

/** The clockwise angle by which a page's text is turned on its image (90: it reads top to bottom). */
export type TextOrientation = 0 | 90 | 180 | 270;

/** What OCR found on one page image, in that image's pixels, lines in reading order. */
export interface RecognizedPage {
  readonly width: number;
  readonly height: number;
  readonly lines: readonly RecognizedLine[];
  /** @default 0 */
  readonly orientation?: TextOrientation;
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * Textract geometry for a pixel box: a relative 0–1 bounding box on the image, and a clockwise polygon
 * that starts at the text's own top-left corner, as Textract's does on a turned page (readers such as
 * amazon-textract-response-parser tell a page's rotation from a line's first two points).
 */
export const geometryOf = (
  box: PixelBox,
  width: number,
  height: number,
  orientation: TextOrientation = 0,
): Geometry => {
  const left = clamp01(box.x0 / width);
  const top = clamp01(box.y0 / height);
  const right = clamp01(box.x1 / width);
  const bottom = clamp01(box.y1 / height);
  const corners = [
    { X: left, Y: top },
    { X: right, Y: top },
    { X: right, Y: bottom },
    { X: left, Y: bottom },
  ];
  const start = orientation / 90;
  return {
    BoundingBox: { Width: right - left, Height: bottom - top, Left: left, Top: top },
    Polygon: [...corners.slice(start), ...corners.slice(0, start)],
  };
};

const round = (confidence: number): number => Math.round(Math.min(100, Math.max(0, confidence)) * 1e4) / 1e4;

/**
 * Textract blocks for one page: a PAGE block whose CHILD relationship lists its LINE blocks, each LINE
 * listing its WORD blocks. Order is PAGE, its LINEs, then their WORDs; consumers resolve the
 * relationships by id, as they must with Textract (a page of results can split a line from its words).
 */
export const pageBlocks = (
  page: RecognizedPage,
  pageNumber: number,
  newId: () => string = randomUUID,
): Block[] => {
  const { width, height } = page;
  const orientation = page.orientation ?? 0;
  const lineBlocks: Block[] = [];
  const wordBlocks: Block[] = [];
  for (const line of page.lines) {
    const words = line.words.filter((word) => word.text.trim() !== '');
    if (words.length === 0) continue;
    const wordIds: string[] = [];
    for (const word of words) {
      const id = newId();
      wordIds.push(id);
      wordBlocks.push({
        BlockType: 'WORD',
        Confidence: round(word.confidence),
        Text: word.text.trim(),
        TextType: 'PRINTED',
        Geometry: geometryOf(word.box, width, height, orientation),
        Id: id,
        Page: pageNumber,
      });
    }
    lineBlocks.push({
      BlockType: 'LINE',
      Confidence: round(line.confidence),
      Text: words.map((word) => word.text.trim()).join(' '),
      Geometry: geometryOf(line.box, width, height, orientation),
      Id: newId(),
      Relationships: [{ Type: 'CHILD', Ids: wordIds }],
      Page: pageNumber,
    });
  }
  const pageBlock: Block = {
    BlockType: 'PAGE',
    Geometry: geometryOf({ x0: 0, y0: 0, x1: width, y1: height }, width, height),
    Id: newId(),
    Page: pageNumber,
    ...(lineBlocks.length > 0
      ? { Relationships: [{ Type: 'CHILD', Ids: lineBlocks.map((line) => line.Id ?? '') }] }
      : {}),
  };
  return [pageBlock, ...lineBlocks, ...wordBlocks];
};
