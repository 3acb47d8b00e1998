import { describe, expect, it } from 'vitest';
import { countText, summarizeTextDocument } from '../../../../../lambdas/shared/documents/text-summary';

describe('countText', () => {
  it('counts code points, so an emoji or an accent is one character, and runs of non-space as words', () => {
    // Act
    const counts = countText('  café ☕ 🚢 ahoy\n\tthere  ');

    // Assess
    expect(counts).toEqual({ characters: 24, words: 5 });
  });

  it('counts nothing in an empty or blank text', () => {
    // Assess
    expect([countText(''), countText(' \n ')]).toEqual([
      { characters: 0, words: 0 },
      { characters: 3, words: 0 },
    ]);
  });
});

describe('summarizeTextDocument', () => {
  it('sums the pages, counts failed pages as pages, and keeps the pointer and source', () => {
    // Prepare
    const document = {
      documentId: 'doc',
      version: 'v1',
      sequencer: '0000000000000000000000000000000A',
      source: 'pdf-text-layer' as const,
      pages: [
        { number: 1, text: 'one two' },
        { number: 2, text: '', error: 'the page cannot be read' },
        { number: 3, text: 'three' },
      ],
    };

    // Act
    const info = summarizeTextDocument(document, { bucket: 'derivatives', key: 'text/doc/v1.json' });

    // Assess
    expect(info).toEqual({
      bucket: 'derivatives',
      key: 'text/doc/v1.json',
      pages: 3,
      characters: 12,
      words: 3,
      source: 'pdf-text-layer',
    });
  });
});
