import { CorruptDocumentError } from './errors';

const UNICODE_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be'] as const;
const EAST_ASIAN_ENCODINGS = ['shift_jis', 'euc-jp', 'iso-2022-jp', 'euc-kr', 'gb18030', 'big5'] as const;

/**
 * Text encodings docflow reads, by their names in the WHATWG Encoding Standard (what `TextDecoder`'s
 * `encoding` answers): `iso-8859-1` is read as its superset `windows-1252`, as browsers read it, and
 * `iso-8859-9` as `windows-1254`. Inspect records one of these on every text document; the text step
 * decodes with it.
 */
export const TEXT_ENCODINGS = [
  ...UNICODE_ENCODINGS,
  'windows-1252',
  'iso-8859-15',
  'iso-8859-2',
  'windows-1250',
  'iso-8859-5',
  'windows-1251',
  'koi8-r',
  'iso-8859-6',
  'windows-1256',
  'iso-8859-7',
  'windows-1253',
  'iso-8859-8',
  'windows-1255',
  'windows-1254',
  'windows-1257',
  'windows-1258',
  'windows-874',
  ...EAST_ASIAN_ENCODINGS,
] as const;

export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/** Encodings of more than one byte a character; every other is a single-byte code page. */
export const MULTI_BYTE_ENCODINGS: ReadonlySet<TextEncoding> = new Set([
  ...UNICODE_ENCODINGS,
  ...EAST_ASIAN_ENCODINGS,
]);

export const isTextEncoding = (name: string): name is TextEncoding =>
  (TEXT_ENCODINGS as readonly string[]).includes(name);

/** The encoding a byte-order mark announces, if the bytes start with one. */
export const encodingOfBom = (bytes: Uint8Array): TextEncoding | undefined => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
};

/** Decodes strictly (a BOM of the encoding is dropped); `partial` tolerates a character cut at the end. */
export const decodeStrict = (
  bytes: Uint8Array,
  encoding: TextEncoding,
  partial: boolean,
): string | undefined => {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: partial });
  } catch (error) {
    // A RangeError is a runtime without the encoding (a Node built without full ICU): not the bytes' fault.
    if (error instanceof RangeError) throw error;
    return undefined;
  }
};

/** Where, roughly, bytes stop decoding in an encoding (one 4 KiB step of a streaming decoder). */
export const undecodableRange = (bytes: Uint8Array, encoding: TextEncoding): string => {
  const step = 4096;
  const decoder = new TextDecoder(encoding, { fatal: true });
  for (let start = 0; start < bytes.length; start += step) {
    const end = Math.min(bytes.length, start + step);
    try {
      decoder.decode(bytes.subarray(start, end), { stream: end < bytes.length });
    } catch {
      return `in bytes ${start}–${end - 1}`;
    }
  }
  return 'at its end';
};

/**
 * Decodes a whole text document in the encoding Inspect recorded (a BOM dropped), or, for a document
 * inspected before encodings were recorded, in the one its BOM announces, else UTF-8. Bytes that do not
 * decode are CORRUPT: the text never holds a U+FFFD that the file did not.
 */
export const decodeText = (bytes: Uint8Array, encoding?: TextEncoding): string => {
  const used = encoding ?? encodingOfBom(bytes) ?? 'utf-8';
  const text = decodeStrict(bytes, used, false);
  if (text === undefined)
    throw new CorruptDocumentError(`the text is not valid ${used} ${undecodableRange(bytes, used)}`);
  return text;
};
