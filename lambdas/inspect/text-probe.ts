import { isUtf8 } from 'node:buffer';
import { analyse } from 'chardet';
import { CorruptDocumentError, UnsupportedDocumentError } from '../shared/documents/errors';
import {
  decodeStrict,
  encodingOfBom,
  isTextEncoding,
  MULTI_BYTE_ENCODINGS,
  type TextEncoding,
  undecodableRange,
} from '../shared/documents/text-encoding';
import { readsLikeWords, writtenInFewScripts } from './text-plausibility';

export type { TextEncoding } from '../shared/documents/text-encoding';

/** What a text sample turned out to be. */
export interface TextSniff {
  readonly mimeType: 'text/plain' | 'image/svg+xml';
  readonly encoding: TextEncoding;
}

/**
 * Share of control characters above which UTF-8 (or BOM-marked UTF-16) counts as binary, not text. An
 * encoding that was guessed gets no such allowance: one control character rules the guess out.
 */
export const MAX_CONTROL_CHARACTER_RATIO = 0.05;

/**
 * Least confidence (chardet's 0–100) of a guessed single-byte code page. Low, because on a sentence or
 * two the n-gram score is noisy; a code page decodes every byte, so the word shapes of the decoded text
 * (see `readsLikeWords`) are what keeps binary data out.
 */
export const MIN_SINGLE_BYTE_CONFIDENCE = 5;

/**
 * Least confidence of a guessed multi-byte CJK encoding. chardet scores over 70 only when it finds the
 * language's most common characters; binary that happens to decode scores 70 at most.
 */
export const MIN_MULTI_BYTE_CONFIDENCE = 75;

/**
 * Share of the non-ASCII bytes that must form well-formed UTF-8 sequences for bytes that are not valid
 * UTF-8 to count as damaged UTF-8 (CORRUPT) rather than text in a legacy encoding. Legacy text forms
 * UTF-8 sequences only by chance (at most about a fifth of its non-ASCII bytes, in EUC-KR).
 */
export const DAMAGED_UTF8_MIN_SHARE = 0.8;

/** Most bytes handed to the detector: its n-gram statistics are settled long before, and it costs ~0.5 ms/KiB. */
export const DETECTOR_SAMPLE_BYTES = 64 * 1024;

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

/**
 * Length of the well-formed UTF-8 sequence at `i` (Unicode's table 3-7): 0 when the bytes there are not
 * UTF-8, -1 when a sequence that is well-formed so far is cut by the end of the bytes.
 */
const utf8SequenceLength = (bytes: Uint8Array, i: number): number => {
  const lead = bytes[i] ?? 0;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead === 0xe0) [length, low] = [3, 0xa0];
  else if (lead === 0xed) [length, high] = [3, 0x9f];
  else if (lead >= 0xe1 && lead <= 0xef) length = 3;
  else if (lead === 0xf0) [length, low] = [4, 0x90];
  else if (lead === 0xf4) [length, high] = [4, 0x8f];
  else if (lead >= 0xf1 && lead <= 0xf3) length = 4;
  else return 0;
  for (let k = 1; k < length; k++) {
    if (i + k >= bytes.length) return -1;
    const byte = bytes[i + k] ?? 0;
    if (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
};

interface Utf8Scan {
  /** Non-ASCII bytes inside well-formed sequences, and outside them. */
  readonly wellFormed: number;
  readonly malformed: number;
  /** Offset of the first byte that is not UTF-8 (a sequence cut by the end is not counted). */
  readonly firstMalformed?: number;
}

/**
 * How much of the bytes is UTF-8; only for bytes `isUtf8` refused, so it need not be fast. A sequence cut
 * by the end is malformed only when the bytes are the whole object.
 */
const scanUtf8 = (bytes: Uint8Array, complete: boolean): Utf8Scan => {
  let wellFormed = 0;
  let malformed = 0;
  let firstMalformed: number | undefined;
  for (let i = 0; i < bytes.length; ) {
    const length = utf8SequenceLength(bytes, i);
    if (length < 0 && !complete) break;
    if (length <= 0) {
      malformed++;
      firstMalformed ??= i;
      i++;
    } else {
      if (length > 1) wellFormed += length;
      i += length;
    }
  }
  return { wellFormed, malformed, ...(firstMalformed === undefined ? {} : { firstMalformed }) };
};

const isControl = (code: number): boolean =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d) ||
  (code >= 0x7f && code <= 0x9f);

const countControls = (text: string): number => {
  let controls = 0;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) controls++;
  return controls;
};

/** Code points no text holds: unassigned, private use (a UTF-16 guess on binary lands there). */
const IMPLAUSIBLE = /[\p{Cn}\p{Co}]/u;

/**
 * Whether text decoded in a guessed encoding reads as writing: in few scripts, without unassigned or
 * private-use characters, and, from a single-byte code page (where every byte decodes), in word shapes.
 */
const isPlausible = (text: string, encoding: TextEncoding): boolean =>
  !IMPLAUSIBLE.test(text) &&
  writtenInFewScripts(text) &&
  (MULTI_BYTE_ENCODINGS.has(encoding) || readsLikeWords(text));

/** How the encoding of a sample was established, which sets how strictly its text is checked. */
type Evidence = 'declared' | 'guessed';

interface Candidate {
  readonly encoding: TextEncoding;
  readonly evidence: Evidence;
}

/** Why a candidate encoding does not read the bytes as text, or undefined when it does. */
type Misfit = 'not-decodable' | 'nul' | 'controls' | 'implausible';

/** Whether decoded text is text: never NUL; a guess never has a control character, UTF-8 only a few. */
const misfitOf = (text: string, evidence: Evidence): Misfit | undefined => {
  if (text.includes('\u0000')) return 'nul';
  const controls = countControls(text);
  if (evidence === 'guessed') {
    if (controls > 0) return 'controls';
    return undefined;
  }
  return text.length > 0 && controls / text.length > MAX_CONTROL_CHARACTER_RATIO ? 'controls' : undefined;
};

/** Least code units of UTF-16 guessed for text that is not mostly below U+0100 (Japanese, say). */
export const MIN_UTF16_UNITS = 32;

/**
 * UTF-16 without a byte-order mark, told by its zero bytes: every character below U+0100 (spaces, digits,
 * line breaks, Latin letters) has one, on the high byte's side. Text in Latin script has such characters
 * for half its units or more, and no zero on the other side; other text needs some length (CJK characters
 * such as U+3000 or U+4E00 put zeros on the other side too). The side with more such zeros is tried
 * first; only a reading that is plausible text counts (see `isPlausible`), and binary data decodes to
 * NULs, lone surrogates, private-use or unassigned characters, or a jumble of scripts.
 */
const utf16Candidates = (bytes: Uint8Array): Candidate[] => {
  const units = Math.floor(bytes.length / 2);
  let little = 0;
  let big = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    if (bytes[i + 1] === 0 && bytes[i] !== 0) little++;
    if (bytes[i] === 0 && bytes[i + 1] !== 0) big++;
  }
  const [high, other] = little >= big ? [little, big] : [big, little];
  const latin = other === 0 && high * 2 >= units;
  if (!latin && (units < MIN_UTF16_UNITS || high < 2)) return [];
  const order: TextEncoding[] = little >= big ? ['utf-16le', 'utf-16be'] : ['utf-16be', 'utf-16le'];
  return order.map((encoding) => ({ encoding, evidence: 'guessed' }));
};

/** chardet's name as the WHATWG name TextDecoder answers, when docflow reads that encoding. */
const whatwgName = (name: string): TextEncoding | undefined => {
  let encoding: string;
  try {
    encoding = new TextDecoder(name).encoding;
  } catch {
    return undefined; // UTF-32, ISO-2022-KR/CN: no decoder in the Encoding Standard.
  }
  return isTextEncoding(encoding) ? encoding : undefined;
};

const hasC1Bytes = (bytes: Uint8Array): boolean => bytes.some((byte) => byte >= 0x80 && byte <= 0x9f);

/**
 * Legacy encodings chardet finds likely, most likely first, over the confidence floor. ISO-8859-15
 * differs from Latin-1 in eight letters chardet cannot tell apart; a byte 0xA4 in a file without any
 * byte 0x80–0x9F (so not windows-1252) is its euro sign, since Latin-1's `¤` is almost never written.
 */
const detectorCandidates = (bytes: Uint8Array): Candidate[] => {
  const sample = bytes.subarray(0, DETECTOR_SAMPLE_BYTES);
  const candidates: Candidate[] = [];
  for (const match of analyse(sample)) {
    let encoding = whatwgName(match.name);
    if (encoding === undefined) continue;
    const floor = MULTI_BYTE_ENCODINGS.has(encoding) ? MIN_MULTI_BYTE_CONFIDENCE : MIN_SINGLE_BYTE_CONFIDENCE;
    if (match.confidence < floor) continue;
    if (encoding === 'windows-1252' && sample.includes(0xa4) && !hasC1Bytes(sample)) encoding = 'iso-8859-15';
    if (!candidates.some((candidate) => candidate.encoding === encoding)) {
      candidates.push({ encoding, evidence: 'guessed' });
    }
  }
  return candidates;
};

/**
 * The encodings the bytes may be in, most likely first: the one a BOM declares; UTF-16 by its zero bytes
 * (no other text has any); UTF-8 when they are valid UTF-8 (ISO-2022-JP is 7-bit, so it is valid UTF-8
 * too: its escape sequences tell it); otherwise what the detector finds. Bytes that are mostly UTF-8 with
 * a few bytes that are not are damaged UTF-8, CORRUPT: no legacy encoding should be guessed for them.
 *
 * @param complete whether `bytes` is the whole object (else a character cut at its end is tolerated)
 */
const candidateEncodings = (bytes: Uint8Array, complete: boolean): Candidate[] => {
  const declared = encodingOfBom(bytes);
  if (declared !== undefined) return [{ encoding: declared, evidence: 'declared' }];
  if (bytes.includes(0)) return utf16Candidates(bytes);
  const scan = isUtf8(bytes) ? undefined : scanUtf8(bytes, complete);
  if (scan?.firstMalformed === undefined) {
    const utf8: Candidate = { encoding: 'utf-8', evidence: 'declared' };
    if (!bytes.includes(0x1b)) return [utf8];
    const iso2022 = detectorCandidates(bytes).filter((candidate) => candidate.encoding === 'iso-2022-jp');
    return [...iso2022, utf8];
  }
  if (scan.wellFormed / (scan.wellFormed + scan.malformed) >= DAMAGED_UTF8_MIN_SHARE) {
    throw new CorruptDocumentError(
      `UTF-8 text with bytes that are not UTF-8 (the first at byte ${scan.firstMalformed})`,
    );
  }
  return detectorCandidates(bytes);
};

const MISFIT_DETAIL: Record<Misfit, string> = {
  'not-decodable': 'not a known binary type, and not text in any encoding docflow recognises',
  nul: 'not a known binary type, and not text (it contains NUL bytes)',
  controls: 'not a known binary type, and not text (too many control characters)',
  implausible: 'not a known binary type, and not text in any encoding docflow recognises',
};

interface Reading {
  readonly encoding: TextEncoding;
  readonly text: string;
}

/** The first candidate that reads the bytes as text, or why the best one did not. */
const readWith = (
  bytes: Uint8Array,
  candidates: readonly Candidate[],
  partial: boolean,
): Reading | { readonly misfit: Misfit } => {
  let first: Misfit | undefined;
  for (const { encoding, evidence } of candidates) {
    const text = decodeStrict(bytes, encoding, partial);
    let misfit: Misfit | undefined = text === undefined ? 'not-decodable' : misfitOf(text, evidence);
    if (
      misfit === undefined &&
      text !== undefined &&
      evidence === 'guessed' &&
      !isPlausible(text, encoding)
    ) {
      misfit = 'implausible';
    }
    if (misfit === undefined && text !== undefined) return { encoding, text };
    first ??= misfit;
  }
  return { misfit: first ?? (bytes.includes(0) ? 'nul' : 'not-decodable') };
};

/**
 * Reads bytes as text in the encoding they are found to be in. Throws `UnsupportedDocumentError` when
 * they are not text (binary, or no encoding reads them cleanly) and `CorruptDocumentError` for damaged
 * UTF-8.
 */
export const readText = (bytes: Uint8Array, complete: boolean): Reading => {
  const reading = readWith(bytes, candidateEncodings(bytes, complete), !complete);
  if (!('misfit' in reading)) return reading;
  // Bytes with zeros that read as no UTF-16 are binary, whatever else went wrong with the reading.
  const nul = encodingOfBom(bytes) === undefined && bytes.includes(0);
  throw new UnsupportedDocumentError(MISFIT_DETAIL[nul ? 'nul' : reading.misfit]);
};

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
 * Classifies a sample of a file that no magic number identified. Text is UTF-8, UTF-16 (with or without
 * a BOM) or a legacy encoding the detector finds with confidence (see {@link readText}), free of NUL
 * characters and mostly printable. SVG is text whose root element is `<svg>` (after an optional XML
 * declaration, comments and doctype). HTML pages, SVGs that declare DTD entities (the "billion laughs"
 * expansion), and everything binary throw `UnsupportedDocumentError`.
 *
 * @param sample the first bytes of the object
 * @param complete whether `sample` is the whole object (else a character cut at its end is tolerated)
 */
export const sniffText = (sample: Uint8Array, complete: boolean): TextSniff => {
  const { encoding, text } = readText(sample, complete);
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

/** Bytes of the lines that hold non-ASCII bytes, up to `maxBytes`: what tells a legacy encoding apart. */
const nonAsciiLines = (bytes: Uint8Array, maxBytes: number): Uint8Array => {
  const lines: Uint8Array[] = [];
  let total = 0;
  let start = 0;
  while (start < bytes.length && total < maxBytes) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline + 1;
    const line = bytes.subarray(start, end);
    if (line.some((byte) => byte >= 0x80)) {
      lines.push(line.subarray(0, maxBytes - total));
      total += Math.min(line.length, maxBytes - total);
    }
    start = end;
  }
  return Buffer.concat(lines);
};

/**
 * Checks that the whole document is text, in the encoding its sample showed, and returns the encoding
 * that reads it all: the sample's, or, when later bytes do not decode in it (an ASCII start then
 * Latin-1, say), the one the detector finds from the lines holding non-ASCII bytes. Binary data past the
 * sample is UNSUPPORTED (a text-looking first block followed by binary data is not text); text that no
 * encoding reads whole is CORRUPT, with where it stops decoding.
 */
export const verifyText = (bytes: Uint8Array, encoding: TextEncoding): TextEncoding => {
  const sampled: Candidate = {
    encoding,
    evidence: encoding === 'utf-8' || encodingOfBom(bytes) !== undefined ? 'declared' : 'guessed',
  };
  const whole = readWith(bytes, [sampled], false);
  if ('encoding' in whole) return whole.encoding;
  const binary = whole.misfit === 'not-decodable' && !encoding.startsWith('utf-16') && bytes.includes(0);
  if (whole.misfit !== 'not-decodable' || binary) {
    throw new UnsupportedDocumentError(
      `${MISFIT_DETAIL[binary ? 'nul' : whole.misfit]}, past its first block`,
    );
  }
  const where =
    encoding === 'utf-8'
      ? `at byte ${scanUtf8(bytes, true).firstMalformed ?? bytes.length}`
      : undecodableRange(bytes, encoding);
  let others: Candidate[];
  try {
    others = candidateEncodings(nonAsciiLines(bytes, DETECTOR_SAMPLE_BYTES), true);
  } catch (error) {
    if (!(error instanceof CorruptDocumentError)) throw error;
    others = [];
  }
  const reading = readWith(
    bytes,
    others.filter((candidate) => candidate.encoding !== encoding),
    false,
  );
  if ('encoding' in reading) return reading.encoding;
  throw new CorruptDocumentError(
    `the text is not valid ${encoding} ${where}, and no other encoding reads the whole file`,
  );
};
