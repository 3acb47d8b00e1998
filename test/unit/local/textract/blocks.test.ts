import { describe, expect, it } from 'vitest';
import { geometryOf, pageBlocks, type RecognizedPage } from '../../../../local/textract/blocks';

/** Float-tolerant comparison of every number in a geometry. */
const close = (value: unknown): unknown => {
  if (typeof value === 'number') return expect.closeTo(value, 9);
  if (Array.isArray(value)) return value.map(close);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, close(entry)]));
  }
  return value;
};

const sequentialIds = (): (() => string) => {
  let next = 0;
  return () => `id-${++next}`;
};

describe('geometryOf', () => {
  it('turns a pixel box into a relative box and a clockwise polygon from the top-left', () => {
    // Act
    const geometry = geometryOf({ x0: 100, y0: 50, x1: 300, y1: 150 }, 1000, 500);

    // Assess
    expect(geometry.BoundingBox).toEqual(close({ Width: 0.2, Height: 0.2, Left: 0.1, Top: 0.1 }));
    expect(geometry.Polygon).toEqual(
      close([
        { X: 0.1, Y: 0.1 },
        { X: 0.3, Y: 0.1 },
        { X: 0.3, Y: 0.3 },
        { X: 0.1, Y: 0.3 },
      ]),
    );
  });

  it.each([
    [90, { X: 0.3, Y: 0.1 }],
    [180, { X: 0.3, Y: 0.3 }],
    [270, { X: 0.1, Y: 0.3 }],
  ] as const)(
    'starts the polygon at the text’s own top-left corner when the text is turned %i°',
    (orientation, first) => {
      // Act
      const geometry = geometryOf({ x0: 100, y0: 50, x1: 300, y1: 150 }, 1000, 500, orientation);

      // Assess: the same box, its corners still clockwise, starting where the turned text begins.
      expect(geometry.BoundingBox).toEqual(close({ Width: 0.2, Height: 0.2, Left: 0.1, Top: 0.1 }));
      expect(geometry.Polygon).toHaveLength(4);
      expect(geometry.Polygon?.[0]).toEqual(close(first));
      const corners = [
        { X: 0.1, Y: 0.1 },
        { X: 0.3, Y: 0.1 },
        { X: 0.3, Y: 0.3 },
        { X: 0.1, Y: 0.3 },
      ];
      const start = orientation / 90;
      expect(geometry.Polygon).toEqual(close([...corners.slice(start), ...corners.slice(0, start)]));
    },
  );

  it('clamps boxes that spill over the page edges', () => {
    // Act
    const geometry = geometryOf({ x0: -10, y0: 90, x1: 120, y1: 130 }, 100, 100);

    // Assess
    expect(geometry.BoundingBox).toEqual(close({ Width: 1, Height: 0.1, Left: 0, Top: 0.9 }));
  });
});

describe('pageBlocks', () => {
  const page: RecognizedPage = {
    width: 200,
    height: 100,
    lines: [
      {
        confidence: 95.5,
        box: { x0: 10, y0: 10, x1: 110, y1: 30 },
        words: [
          { text: 'Hello', confidence: 96, box: { x0: 10, y0: 10, x1: 50, y1: 30 } },
          { text: ' ', confidence: 0, box: { x0: 50, y0: 10, x1: 60, y1: 30 } },
          { text: 'world', confidence: 95, box: { x0: 60, y0: 10, x1: 110, y1: 30 } },
        ],
      },
      {
        confidence: 10,
        box: { x0: 0, y0: 50, x1: 5, y1: 55 },
        words: [{ text: '', confidence: 0, box: { x0: 0, y0: 50, x1: 5, y1: 55 } }],
      },
    ],
  };

  it('links the PAGE to its LINEs and each LINE to its WORDs, skipping blank words and empty lines', () => {
    // Act
    const blocks = pageBlocks(page, 3, sequentialIds());

    // Assess
    expect(blocks.map((block) => [block.BlockType, block.Id, block.Text])).toEqual([
      ['PAGE', 'id-4', undefined],
      ['LINE', 'id-3', 'Hello world'],
      ['WORD', 'id-1', 'Hello'],
      ['WORD', 'id-2', 'world'],
    ]);
    expect(blocks[0]?.Relationships).toEqual([{ Type: 'CHILD', Ids: ['id-3'] }]);
    expect(blocks[1]?.Relationships).toEqual([{ Type: 'CHILD', Ids: ['id-1', 'id-2'] }]);
    expect(blocks.every((block) => block.Page === 3)).toBe(true);
    expect(blocks[0]?.Geometry?.BoundingBox).toEqual({ Width: 1, Height: 1, Left: 0, Top: 0 });
  });

  it('gives words Textract fields: confidence 0–100, TextType PRINTED, geometry relative to the page', () => {
    // Act
    const [, line, hello] = pageBlocks(page, 1, sequentialIds());

    // Assess
    expect(line?.Confidence).toBe(95.5);
    expect(hello).toMatchObject({ Confidence: 96, TextType: 'PRINTED', Text: 'Hello' });
    expect(hello?.Geometry?.BoundingBox).toEqual(close({ Left: 0.05, Top: 0.1, Width: 0.2, Height: 0.2 }));
  });

  it('gives LINEs and WORDs of a turned page polygons that start at the text’s top-left', () => {
    // Act
    const [, line, hello] = pageBlocks({ ...page, orientation: 180 }, 1, sequentialIds());

    // Assess: "Hello world" upside down begins at its box's bottom-right corner.
    expect(line?.Geometry?.Polygon?.[0]).toEqual(close({ X: 0.55, Y: 0.3 }));
    expect(hello?.Geometry?.Polygon?.[0]).toEqual(close({ X: 0.25, Y: 0.3 }));
  });

  it('returns a lone PAGE block without relationships for a page with no text', () => {
    // Act
    const blocks = pageBlocks({ width: 10, height: 10, lines: [] }, 1, sequentialIds());

    // Assess
    expect(blocks).toEqual([expect.objectContaining({ BlockType: 'PAGE', Id: 'id-1', Page: 1 })]);
    expect(blocks[0]?.Relationships).toBeUndefined();
  });
});
