import type { PixelBox, RecognizedLine, RecognizedWord } from './blocks';

/**
 * How words become Textract LINEs, in multiples of the text height: the upper quartile of the heights
 * of a line's word boxes, which is about the font size (ascender to descender) on any line with a few
 * words that reach below the baseline, and only the cap height on a line without ("Pears 7 2.10"); such
 * a line takes the page's text height when that is at most `capToFont` times its own.
 * See docs/decisions.md, "LINE blocks are the visual lines of the page".
 */
export const LINE_LAYOUT = {
  /** Words this close on one visual line are one phrase (a word space, even stretched by justification). */
  maxWordSpace: 1.5,
  /** Phrases on one visual line join across a tab-like gap up to this wide ("Invoice number:   12345"). */
  maxTabGap: 4.5,
  /** ... unless both are at least this long: then they are lines of two columns beside each other. */
  minColumnLine: 10,
  /** Two words sit on one visual line when their boxes overlap vertically by this share of the shorter. */
  minWordOverlap: 0.5,
  /** Lines of one column follow each other with at most this much white space between their boxes. */
  maxLineGap: 2.5,
  /** A font's ascender-to-descender height over its cap height, with some slack (Liberation Sans: 1.3). */
  capToFont: 1.35,
  /** Words whose box is shorter than this share of the page's text height, and ... */
  speckHeight: 0.35,
  /** ... whose confidence is below this, are specks (an i's dot cut off its word), not words. */
  speckConfidence: 50,
} as const;

const heightOf = (box: PixelBox): number => box.y1 - box.y0;
const widthOf = (box: PixelBox): number => box.x1 - box.x0;
const verticalOverlap = (a: PixelBox, b: PixelBox): number => Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
const horizontalOverlap = (a: PixelBox, b: PixelBox): number => Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
const centreY = (box: PixelBox): number => (box.y0 + box.y1) / 2;

const union = (boxes: readonly PixelBox[]): PixelBox => ({
  x0: Math.min(...boxes.map((box) => box.x0)),
  y0: Math.min(...boxes.map((box) => box.y0)),
  x1: Math.max(...boxes.map((box) => box.x1)),
  y1: Math.max(...boxes.map((box) => box.y1)),
});

/** The nearest-rank percentile (0–1) of some numbers. */
const percentile = (values: readonly number[], share: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? 0;
};

const textHeightOf = (words: readonly RecognizedWord[]): number =>
  percentile(
    words.map((word) => heightOf(word.box)),
    0.75,
  );

/** Words on one visual line, left to right: a phrase, then a whole line. */
interface Piece {
  readonly words: readonly RecognizedWord[];
  readonly box: PixelBox;
  readonly textHeight: number;
}

const pieceOf = (words: readonly RecognizedWord[]): Piece => ({
  words,
  box: union(words.map((word) => word.box)),
  textHeight: textHeightOf(words),
});

/** Whether `right` continues `left` on its line across `gap`, given their text height. */
type Joins = (left: Piece, right: Piece, gap: number, textHeight: number) => boolean;

/**
 * Chains pieces left to right into longer ones: each piece continues the piece ending nearest to its
 * left on the same baseline band (the last piece, not the whole line, so a skewed line still chains).
 */
const chain = (pieces: readonly Piece[], pageTextHeight: number, joins: Joins): Piece[] => {
  const fontHeight = (own: number): number =>
    Math.max(own, Math.min(pageTextHeight, LINE_LAYOUT.capToFont * own));
  const lines: { pieces: Piece[]; textHeight: number }[] = [];
  const byLeftEdge = [...pieces].sort((a, b) => a.box.x0 - b.box.x0 || a.box.y0 - b.box.y0);
  for (const piece of byLeftEdge) {
    const height = heightOf(piece.box);
    let best: { line: (typeof lines)[number]; gap: number; overlap: number } | undefined;
    for (const line of lines) {
      const last = line.pieces[line.pieces.length - 1];
      if (!last) continue;
      const textHeight = fontHeight(Math.max(line.textHeight, piece.textHeight));
      const gap = piece.box.x0 - last.box.x1;
      if (gap < -0.5 * textHeight) continue;
      const overlap =
        verticalOverlap(last.box, piece.box) / Math.max(1, Math.min(heightOf(last.box), height));
      if (overlap < LINE_LAYOUT.minWordOverlap || !joins(last, piece, gap, textHeight)) continue;
      if (!best || gap < best.gap || (gap === best.gap && overlap > best.overlap)) {
        best = { line, gap, overlap };
      }
    }
    if (best) {
      best.line.pieces.push(piece);
      best.line.textHeight = textHeightOf(best.line.pieces.flatMap((p) => p.words));
    } else {
      lines.push({ pieces: [piece], textHeight: piece.textHeight });
    }
  }
  return lines.map((line) => pieceOf(line.pieces.flatMap((p) => p.words)));
};

const dropSpecks = (words: readonly RecognizedWord[]): RecognizedWord[] => {
  const typical = textHeightOf(words);
  return words.filter(
    (word) =>
      heightOf(word.box) >= LINE_LAYOUT.speckHeight * typical ||
      word.confidence >= LINE_LAYOUT.speckConfidence,
  );
};

/**
 * Visual lines: words join into phrases across word spaces, phrases into lines across tab-like gaps,
 * except between two long phrases (lines of two columns) and across anything wider (a gutter).
 */
const visualLines = (words: readonly RecognizedWord[]): RecognizedLine[] => {
  const pageTextHeight = textHeightOf(words);
  const phrases = chain(
    words.map((word) => pieceOf([word])),
    pageTextHeight,
    (_left, _right, gap, textHeight) => gap <= LINE_LAYOUT.maxWordSpace * textHeight,
  );
  const lines = chain(
    phrases,
    pageTextHeight,
    (left, right, gap, textHeight) =>
      gap <= LINE_LAYOUT.maxTabGap * textHeight &&
      Math.min(widthOf(left.box), widthOf(right.box)) < LINE_LAYOUT.minColumnLine * textHeight,
  );
  return lines.map(({ words: lineWords, box }) => ({
    words: lineWords,
    box,
    confidence: lineWords.reduce((sum, word) => sum + word.confidence, 0) / lineWords.length,
  }));
};

/** `b` is below `a` (not beside it), close enough and overlapping enough to continue its column. */
const continues = (a: RecognizedLine, b: RecognizedLine): boolean => {
  const shorter = Math.min(heightOf(a.box), heightOf(b.box));
  if (centreY(b.box) <= centreY(a.box) || verticalOverlap(a.box, b.box) > 0.25 * shorter) return false;
  const gap = b.box.y0 - a.box.y1;
  if (gap > LINE_LAYOUT.maxLineGap * Math.max(heightOf(a.box), heightOf(b.box))) return false;
  return horizontalOverlap(a.box, b.box) >= 0.5 * Math.min(widthOf(a.box), widthOf(b.box));
};

/** The candidates nearest in y: the first row of lines below (or above) a line, which may hold several. */
const nearestRow = (candidates: readonly RecognizedLine[], below: boolean): RecognizedLine[] => {
  if (candidates.length === 0) return [];
  const edge = below
    ? Math.min(...candidates.map((line) => line.box.y1))
    : Math.max(...candidates.map((line) => line.box.y0));
  return candidates.filter((line) => (below ? line.box.y0 < edge : line.box.y1 > edge));
};

/**
 * Columns (blocks of lines read top to bottom): a line continues the line above it when each is the
 * other's only neighbour in that direction, so a heading over two columns starts neither of them.
 */
const columnBlocks = (lines: readonly RecognizedLine[]): RecognizedLine[][] => {
  const next = new Map<RecognizedLine, RecognizedLine>();
  const hasPrevious = new Set<RecognizedLine>();
  for (const line of lines) {
    const below = nearestRow(
      lines.filter((other) => other !== line && continues(line, other)),
      true,
    );
    const only = below.length === 1 ? below[0] : undefined;
    if (!only) continue;
    const above = nearestRow(
      lines.filter((other) => other !== only && continues(other, only)),
      false,
    );
    if (above.length === 1 && above[0] === line) {
      next.set(line, only);
      hasPrevious.add(only);
    }
  }
  return lines
    .filter((line) => !hasPrevious.has(line))
    .map((first) => {
      const block = [first];
      for (let line = next.get(first); line; line = next.get(line)) block.push(line);
      return block;
    });
};

/**
 * Whether block `a` is read before block `b`: stacked (sharing most of the narrower one's width) reads
 * top first; side by side (sharing some height) reads left first; diagonal reads top first.
 */
const readsBefore = (a: PixelBox, b: PixelBox): boolean => {
  if (horizontalOverlap(a, b) > 0.5 * Math.min(widthOf(a), widthOf(b))) return centreY(a) < centreY(b);
  if (verticalOverlap(a, b) > 0) return a.x0 < b.x0;
  return a.y0 < b.y0;
};

/** Orders column blocks for reading: a topological sort of `readsBefore`, top-left first among equals. */
const readingOrder = (blocks: readonly RecognizedLine[][]): RecognizedLine[][] => {
  const boxes = blocks.map((block) => union(block.map((line) => line.box)));
  const before = boxes.map((a, i) => boxes.map((b, j) => i !== j && readsBefore(a, b)));
  const waitingFor = boxes.map((_, j) => before.filter((row) => row[j]).length);
  const remaining = new Set(boxes.keys());
  const topLeft = (a: number, b: number): number =>
    (boxes[a]?.y0 ?? 0) - (boxes[b]?.y0 ?? 0) || (boxes[a]?.x0 ?? 0) - (boxes[b]?.x0 ?? 0);
  const ordered: RecognizedLine[][] = [];
  while (remaining.size > 0) {
    const candidates = [...remaining];
    const ready = candidates.filter((index) => waitingFor[index] === 0);
    // The relation can hold a cycle on odd layouts; the top-left block breaks it.
    const chosen = (ready.length > 0 ? ready : candidates).sort(topLeft)[0] ?? 0;
    remaining.delete(chosen);
    for (const index of remaining)
      if (before[chosen]?.[index]) waitingFor[index] = (waitingFor[index] ?? 1) - 1;
    ordered.push(blocks[chosen] ?? []);
  }
  return ordered;
};

/**
 * Groups OCR'd words (boxes in an upright page's pixels) into Textract LINEs in reading order: words on
 * one visual line separated by ordinary or tab-like gaps form one LINE; a wider gap, or a tab-like gap
 * between two long phrases, is a gutter between columns; columns are read top to bottom, left to right.
 */
export const layoutLines = (words: readonly RecognizedWord[]): RecognizedLine[] => {
  const kept = dropSpecks(words.filter((word) => word.text.trim() !== ''));
  if (kept.length === 0) return [];
  return readingOrder(columnBlocks(visualLines(kept))).flat();
};
