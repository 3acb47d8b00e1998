import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitIntoPages, TEXT_PAGE_MAX_CHARACTERS } from '../../../../lambdas/extract-text/text-pages';

describe('splitIntoPages', () => {
  it('keeps a text that fits on one page, an empty one too', () => {
    // Act, Assess
    expect(splitIntoPages('short note\n')).toEqual([{ number: 1, text: 'short note\n' }]);
    expect(splitIntoPages('')).toEqual([{ number: 1, text: '' }]);
    expect(splitIntoPages('x'.repeat(TEXT_PAGE_MAX_CHARACTERS))).toHaveLength(1);
  });

  it('ends each page after the last line break in reach, so no line is cut', () => {
    // Act
    const pages = splitIntoPages('one\ntwo\nthree\nfour', 10);

    // Assess
    expect(pages).toEqual([
      { number: 1, text: 'one\ntwo\n' },
      { number: 2, text: 'three\nfour' },
    ]);
  });

  it('falls back to the last space, then to the limit, in text without line breaks', () => {
    // Act, Assess
    expect(splitIntoPages('alpha beta gamma', 8).map((page) => page.text)).toEqual([
      'alpha ',
      'beta ',
      'gamma',
    ]);
    expect(splitIntoPages('abcdefghij', 4).map((page) => page.text)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('never cuts between the two halves of a character outside the BMP', () => {
    // Act
    const pages = splitIntoPages('ab😀cd', 3);

    // Assess
    expect(pages.map((page) => page.text)).toEqual(['ab', '😀c', 'd']);
  });

  it('gives back the text exactly, in numbered pages within the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', 'é', '😀'), maxLength: 300 }),
        fc.integer({ min: 2, max: 40 }),
        (text, max) => {
          // Act
          const pages = splitIntoPages(text, max);

          // Assess
          expect(pages.map((page) => page.text).join('')).toBe(text);
          expect(pages.map((page) => page.number)).toEqual(pages.map((_, index) => index + 1));
          for (const [index, page] of pages.entries()) {
            expect(page.text.length).toBeLessThanOrEqual(max);
            expect(/[\uD800-\uDBFF]$/.test(page.text)).toBe(false);
            if (index < pages.length - 1) expect(page.text.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
