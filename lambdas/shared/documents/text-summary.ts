import type { S3Pointer, TextInfo } from './metadata-item';
import type { TextDocument } from './text-document';

/** Counts of a text: characters are Unicode code points (an emoji is one), words are runs of non-space. */
export interface TextCounts {
  readonly characters: number;
  readonly words: number;
}

const WORD = /\S+/gu;

/** Code points of a string, without materializing them (a 3,000-page text is tens of megabytes). */
const codePoints = (text: string): number => {
  let lowSurrogates = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xdc00 && code <= 0xdfff) lowSurrogates++;
  }
  return text.length - lowSurrogates;
};

const countWords = (text: string): number => {
  let words = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(text) !== null) words++;
  return words;
};

/** Characters and words of one text. */
export const countText = (text: string): TextCounts => ({
  characters: codePoints(text),
  words: countWords(text),
});

/**
 * The state machine's view of a stored text document: where it is and how much text it holds.
 * Pages that could not be read count as pages (they exist) but add no characters.
 */
export const summarizeTextDocument = (document: TextDocument, pointer: S3Pointer): TextInfo => {
  let characters = 0;
  let words = 0;
  for (const page of document.pages) {
    const counts = countText(page.text);
    characters += counts.characters;
    words += counts.words;
  }
  return {
    bucket: pointer.bucket,
    key: pointer.key,
    pages: document.pages.length,
    characters,
    words,
    source: document.source,
  };
};
