import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readText, sniffText, verifyText } from '../../../../lambdas/inspect/text-probe';
import { CorruptDocumentError, UnsupportedDocumentError } from '../../../../lambdas/shared/documents/errors';
import { decodeText, TEXT_ENCODINGS } from '../../../../lambdas/shared/documents/text-encoding';
import { TEXTS } from '../../../../scripts/make-encoding-fixtures';
import { ENCODING_FIXTURES, encodingFixture } from '../../../support/encoding-fixtures';

const sniff = (text: string | Buffer, complete = true) =>
  sniffText(typeof text === 'string' ? Buffer.from(text) : text, complete);

/** An error thrown by `act`, for assertions on its class and message. */
const thrown = (act: () => unknown): Error => {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

describe('sniffText: markup', () => {
  it.each([
    ['a bare root element', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['a BOM and leading whitespace', '\ufeff \n\t<svg width="1" height="1"></svg>'],
    [
      'a declaration, a comment and a doctype',
      '<?xml version="1.0"?>\n<!-- x -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>',
    ],
  ])('recognises SVG with %s', (_, text) => {
    // Act
    const result = sniff(text);

    // Assess
    expect(result).toEqual({ mimeType: 'image/svg+xml', encoding: 'utf-8' });
  });

  it.each([
    ['an element merely starting with "svg"', '<svgfoo/>'],
    ['SVG markup quoted inside prose', 'The file starts with <svg> normally.'],
    ['an XML document with another root', '<?xml version="1.0"?><note><svg/></note>'],
    ['JSON', '{"svg": "<svg/>"}'],
  ])('reads %s as plain text', (_, text) => {
    // Act
    const result = sniff(text);

    // Assess
    expect(result).toEqual({ mimeType: 'text/plain', encoding: 'utf-8' });
  });

  it('reads UTF-16 big-endian text with a BOM', () => {
    // Prepare
    const bytes = Buffer.from('\ufeffbig endian', 'utf16le').swap16();

    // Act
    const result = sniff(bytes);

    // Assess
    expect(result).toEqual({ mimeType: 'text/plain', encoding: 'utf-16be' });
  });

  it('finds HTML in a legacy encoding too', () => {
    // Prepare
    const page = iconv.encode(
      '<!DOCTYPE html>\n<html><body><p>Prüfung der Unterlagen</p></body></html>',
      'latin1',
    );

    // Act
    const act = () => sniff(page);

    // Assess
    expect(act).toThrow('UNSUPPORTED_TYPE: HTML documents are not supported');
  });

  it.each([
    ['an HTML doctype', '<!doctype HTML><title>x</title>'],
    [
      'an html root after an XML declaration (XHTML)',
      '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>',
    ],
    ['a bare script element', '  <script>alert(1)</script>'],
    [
      'an SVG declaring entities (billion laughs)',
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg>&b;</svg>',
    ],
    ['text full of control characters', `${'\u0001\u0002\u0003'.repeat(10)}some words`],
    ['bytes no encoding reads as text', Buffer.from([0x61, 0x62, 0xff, 0xfe, 0x63, 0x64])],
  ])('rejects %s as UNSUPPORTED_TYPE', (_, input) => {
    // Act
    const act = () => sniff(input);

    // Assess
    expect(act).toThrow(UnsupportedDocumentError);
  });

  it('tolerates a multi-byte character cut at the end of a partial sample only', () => {
    // Prepare
    const cut = Buffer.from('café').subarray(0, 4);

    // Act
    const partial = sniff(cut, false);
    const whole = () => sniff(cut, true);

    // Assess
    expect(partial).toEqual({ mimeType: 'text/plain', encoding: 'utf-8' });
    expect(whole).toThrow(UnsupportedDocumentError);
  });
});

describe('readText: real files in each encoding (test/fixtures/encodings)', () => {
  it.each(ENCODING_FIXTURES.texts.map((text) => [text.file, text] as const))(
    'finds the encoding of %s and decodes its exact text',
    (file, expected) => {
      // Prepare
      const bytes = encodingFixture(file);

      // Act
      const reading = readText(bytes, true);

      // Assess
      expect(reading.encoding).toBe(expected.encoding);
      expect(reading.text).toBe(expected.text);
      expect(reading.text).not.toContain('\ufffd');
    },
  );

  it.each(ENCODING_FIXTURES.rejected.map((rejected) => [rejected.file, rejected] as const))(
    'rejects the near miss %s',
    (file, expected) => {
      // Prepare
      const bytes = encodingFixture(file);

      // Act
      const error = thrown(() => readText(bytes, true));

      // Assess
      expect(error).toBeInstanceOf(
        expected.reason === 'CORRUPT' ? CorruptDocumentError : UnsupportedDocumentError,
      );
      expect(error.message.startsWith(`${expected.reason}: `)).toBe(true);
    },
  );

  it('says where damaged UTF-8 stops being UTF-8', () => {
    // Act
    const error = thrown(() => readText(encodingFixture('fr-utf-8-damaged.txt'), true));

    // Assess
    expect(error.message).toMatch(
      /^CORRUPT: UTF-8 text with bytes that are not UTF-8 \(the first at byte \d+\)$/,
    );
  });

  it('reads a sample that ends in the middle of a Shift_JIS character', () => {
    // Prepare
    const bytes = encodingFixture('ja-shift_jis.txt');
    const lead = bytes.findIndex((byte, index) => index > 100 && byte >= 0x81 && byte <= 0x9f);
    const cut = bytes.subarray(0, lead + 1);

    // Act
    const reading = readText(cut, false);
    const whole = () => readText(cut, true);

    // Assess
    expect(reading.encoding).toBe('shift_jis');
    expect(TEXTS.japanese.startsWith(reading.text)).toBe(true);
    expect(whole).toThrow(UnsupportedDocumentError);
  });

  it('reads Latin-1 as windows-1252 unless a euro sign at 0xA4 says ISO-8859-15', () => {
    // Prepare
    const latin1 = iconv.encode(TEXTS.german, 'iso-8859-1');
    const latin9 = iconv.encode(TEXTS.frenchPriceList, 'iso-8859-15');

    // Act
    const readings = [readText(latin1, true), readText(latin9, true)];

    // Assess
    expect(readings.map((reading) => reading.encoding)).toEqual(['windows-1252', 'iso-8859-15']);
    expect(readings[1]?.text).toContain('1,30 €');
  });

  it('tells UTF-16 without a BOM by its zero bytes, in either byte order', () => {
    // Prepare
    const little = Buffer.from('Short note\r\n', 'utf16le');
    const big = Buffer.from('Short note\r\n', 'utf16le').swap16();

    // Act
    const readings = [readText(little, true), readText(big, true)];

    // Assess
    expect(readings).toEqual([
      { encoding: 'utf-16le', text: 'Short note\r\n' },
      { encoding: 'utf-16be', text: 'Short note\r\n' },
    ]);
  });

  it('does not guess an encoding for a few stray high bytes', () => {
    // Prepare
    const bytes = Buffer.from([0xe9]);

    // Act
    const act = () => readText(bytes, true);

    // Assess
    expect(act).toThrow(
      'UNSUPPORTED_TYPE: not a known binary type, and not text in any encoding docflow recognises',
    );
  });

  it('has a decoder in this runtime for every encoding it may record', () => {
    // Act
    const names = TEXT_ENCODINGS.map((encoding) => new TextDecoder(encoding).encoding);

    // Assess
    expect(names).toEqual([...TEXT_ENCODINGS]);
  });
});

describe('verifyText: the whole file', () => {
  /** 70,000 bytes of ASCII: more than Inspect's 64 KiB sample. */
  const ASCII_START = Buffer.from('Plain ASCII line of an export.\n'.repeat(2_259));

  it('keeps the encoding of the sample when the whole decodes in it', () => {
    // Act
    const encoding = verifyText(encodingFixture('ko-euc-kr.txt'), 'euc-kr');

    // Assess
    expect(encoding).toBe('euc-kr');
  });

  it('finds the encoding again when non-ASCII text starts after the sample', () => {
    // Prepare
    const bytes = Buffer.concat([ASCII_START, encodingFixture('fr-windows-1252.txt')]);
    const sampled = sniff(bytes.subarray(0, 64 * 1024), false);

    // Act
    const encoding = verifyText(bytes, sampled.encoding);

    // Assess
    expect(sampled.encoding).toBe('utf-8');
    expect(encoding).toBe('windows-1252');
    expect(decodeText(bytes, encoding)).toBe(`${ASCII_START.toString('ascii')}${TEXTS.french}`);
  });

  it('rejects text followed by binary data as UNSUPPORTED_TYPE', () => {
    // Prepare
    const bytes = Buffer.concat([ASCII_START, encodingFixture('png-chopped.bin')]);

    // Act
    const act = () => verifyText(bytes, 'utf-8');

    // Assess
    expect(act).toThrow(
      'UNSUPPORTED_TYPE: not a known binary type, and not text (it contains NUL bytes), past its first block',
    );
  });

  it('rejects text that no encoding reads whole as CORRUPT, saying where it stops decoding', () => {
    // Prepare
    const shiftJis = encodingFixture('ja-shift_jis.txt');
    const bytes = Buffer.concat([shiftJis, Buffer.from([0x82, 0x0a]), shiftJis]);

    // Act
    const error = thrown(() => verifyText(bytes, 'shift_jis'));

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect(error.message).toBe(
      'CORRUPT: the text is not valid shift_jis in bytes 0–549, and no other encoding reads the whole file',
    );
  });

  it('rejects UTF-8 damaged past the sample as CORRUPT with the offset', () => {
    // Prepare
    const bytes = Buffer.concat([
      ASCII_START,
      Buffer.from('Grüße '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(' aus Köln\n'),
    ]);

    // Act
    const act = () => verifyText(bytes, 'utf-8');

    // Assess
    expect(act).toThrow(
      `CORRUPT: the text is not valid utf-8 at byte ${ASCII_START.length + 8}, and no other encoding reads the whole file`,
    );
  });
});

describe('decodeText', () => {
  it('decodes UTF-8 with a BOM and UTF-16 text without the BOM when no encoding was recorded', () => {
    // Prepare
    const utf8 = Buffer.from('\ufeffhello');
    const utf16 = Buffer.from('\ufeffhi there', 'utf16le');

    // Act
    const texts = [decodeText(utf8), decodeText(utf16)];

    // Assess
    expect(texts).toEqual(['hello', 'hi there']);
  });

  it('decodes in the recorded encoding', () => {
    // Act
    const text = decodeText(encodingFixture('ru-koi8-r.txt'), 'koi8-r');

    // Assess
    expect(text).toBe(TEXTS.russian);
  });

  it('refuses bytes that do not decode in the recorded encoding as CORRUPT instead of inventing U+FFFD', () => {
    // Prepare
    const bytes = encodingFixture('fr-windows-1252.txt');

    // Act
    const act = () => decodeText(bytes, 'utf-8');

    // Assess
    expect(act).toThrow(/^CORRUPT: the text is not valid utf-8 in bytes 0–\d+$/);
  });
});
