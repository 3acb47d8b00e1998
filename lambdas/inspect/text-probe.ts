import { isUtf8 } from 'node:buffer';
import { UnsupportedDocumentError } from '../shared/errors';

/** Text encodings docflow reads: UTF-8 (BOM optional) and UTF-16 with a byte-order mark. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** What a text sample turned out to be. */
export interface TextSniff {
  readonly mimeType: 'text/plain' | 'image/svg+xml';
  readonly encoding: TextEncoding;
}

/** Share of control characters above which a sample counts as binary, not text. */
export const MAX_CONTROL_CHARACTER_RATIO = 0.05;

/** Root elements (and the `html` doctype) that make a text file an HTML page, which docflow refuses. */
const HTML_ELEMENTS = new Set([
  'html',
  'head',
  'body',
  'script',
  'iframe',
  'frameset',
  'style',
  'meta',
  'link',
]);

/** The byte-order mark, if any, and the encoding it announces (UTF-8 without one). */
export const detectTextEncoding = (bytes: Uint8Array): { encoding: TextEncoding; bomLength: number } => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: 'utf-8', bomLength: 0 };
};

/**
 * Decodes a whole text document (BOM detected and removed), throwing `UnsupportedDocumentError` when the
 * bytes are not valid in their encoding.
 */
export const decodeText = (bytes: Uint8Array): string => {
  const { encoding, bomLength } = detectTextEncoding(bytes);
  return decodeStrict(bytes.subarray(bomLength), encoding, false);
};

const decodeStrict = (bytes: Uint8Array, encoding: TextEncoding, partial: boolean): string => {
  try {
    // `stream: true` tolerates a character cut in half at the end of a sample, and only there.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes, { stream: partial });
  } catch (error) {
    throw new UnsupportedDocumentError(`not a known binary type and not valid ${encoding} text`, {
      cause: error,
    });
  }
};

const isControl = (code: number): boolean =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d) ||
  (code >= 0x7f && code <= 0x9f);

interface Prolog {
  /** The markup after the XML declaration, comments, processing instructions and doctype. */
  readonly rest: string;
  readonly doctype?: string;
  readonly declaresEntities: boolean;
}

/** Skips what may precede the root element of an XML or HTML document. */
const skipProlog = (text: string): Prolog => {
  let rest = text.trimStart();
  let doctype: string | undefined;
  let declaresEntities = false;
  for (;;) {
    if (rest.startsWith('<?') || rest.startsWith('<!--')) {
      const close = rest.startsWith('<?') ? '?>' : '-->';
      const end = rest.indexOf(close);
      if (end < 0) break;
      rest = rest.slice(end + close.length).trimStart();
      continue;
    }
    const match = /^<!doctype\s+([^\s>[]+)[^>[]*(\[[\s\S]*?\])?\s*>/i.exec(rest);
    if (match) {
      doctype = match[1]?.toLowerCase();
      declaresEntities ||= /<!ENTITY/i.test(match[2] ?? '');
      rest = rest.slice(match[0].length).trimStart();
      continue;
    }
    break;
  }
  return { rest, declaresEntities, ...(doctype === undefined ? {} : { doctype }) };
};

/**
 * Classifies a sample of a file that no magic number identified. Text is valid UTF-8 (or UTF-16 with a
 * BOM), free of NUL characters and mostly printable. SVG is text whose root element is `<svg>` (after an
 * optional XML declaration, comments and doctype). HTML pages, SVGs that declare DTD entities (the
 * "billion laughs" expansion), and everything binary throw `UnsupportedDocumentError`.
 *
 * @param sample the first bytes of the object
 * @param complete whether `sample` is the whole object (else a character cut at its end is tolerated)
 */
export const sniffText = (sample: Uint8Array, complete: boolean): TextSniff => {
  const { encoding, bomLength } = detectTextEncoding(sample);
  const text = decodeStrict(sample.subarray(bomLength), encoding, !complete);
  if (text.includes('\u0000')) {
    throw new UnsupportedDocumentError('not a known binary type, and not text (it contains NUL bytes)');
  }
  let controls = 0;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) controls++;
  if (text.length > 0 && controls / text.length > MAX_CONTROL_CHARACTER_RATIO) {
    throw new UnsupportedDocumentError('not a known binary type, and not text (too many control characters)');
  }
  const prolog = skipProlog(text);
  const root = /^<([A-Za-z_][\w:.-]*)/.exec(prolog.rest)?.[1]?.toLowerCase();
  if (prolog.doctype === 'html' || (root !== undefined && HTML_ELEMENTS.has(root))) {
    throw new UnsupportedDocumentError('HTML documents are not supported');
  }
  if (root === 'svg') {
    if (prolog.declaresEntities) {
      throw new UnsupportedDocumentError('SVG that declares DTD entities is not accepted');
    }
    return { mimeType: 'image/svg+xml', encoding };
  }
  return { mimeType: 'text/plain', encoding };
};

/**
 * Checks that a whole document is valid text in the encoding its sample showed, without NUL characters:
 * a text-looking first block followed by binary data is not text.
 */
export const verifyText = (bytes: Uint8Array, encoding: TextEncoding): void => {
  const { bomLength } = detectTextEncoding(bytes);
  const body = bytes.subarray(bomLength);
  if (encoding === 'utf-8') {
    if (!isUtf8(body)) throw new UnsupportedDocumentError('not valid UTF-8 text past its first block');
    if (body.includes(0)) throw new UnsupportedDocumentError('not text (it contains NUL bytes)');
    return;
  }
  if (decodeStrict(body, encoding, false).includes('\u0000')) {
    throw new UnsupportedDocumentError('not text (it contains NUL characters)');
  }
};
