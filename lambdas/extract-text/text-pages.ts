import type { TextPage } from '../shared/documents/text-document';

/**
 * Most characters (UTF-16 code units) on one text page of a document without fixed pages (plain
 * text, DOCX). The query API returns up to 50 pages in one response, and a Lambda response holds at
 * most 6 MB: 50 pages of 32,768 characters are 1.6 MB of ASCII and under 5 MB even when every
 * character takes 3 bytes of UTF-8.
 */
export const TEXT_PAGE_MAX_CHARACTERS = 32_768;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Where the page starting at `start` ends: after the last line break in reach, else the last space. */
const pageEnd = (text: string, start: number, maxCharacters: number): number => {
  const limit = start + maxCharacters;
  if (limit >= text.length) return text.length;
  const lineBreak = text.lastIndexOf('\n', limit - 1);
  if (lineBreak >= start) return lineBreak + 1;
  const space = text.lastIndexOf(' ', limit - 1);
  if (space >= start) return space + 1;
  // One unbroken run: cut at the limit, never between the two halves of a character.
  return isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
};

/**
 * Splits a text without fixed pages into pages of at most `maxCharacters`, each ending after a line
 * break where there is one in reach (else after a space), so that no line is cut in two. The pages,
 * joined, are the text exactly; a text that fits is one page (an empty one too).
 */
export const splitIntoPages = (text: string, maxCharacters = TEXT_PAGE_MAX_CHARACTERS): TextPage[] => {
  if (maxCharacters < 2) throw new Error('a text page must hold at least 2 characters');
  const pages: TextPage[] = [];
  let start = 0;
  do {
    const end = pageEnd(text, start, maxCharacters);
    pages.push({ number: pages.length + 1, text: text.slice(start, end) });
    start = end;
  } while (start < text.length);
  return pages;
};
