import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentId } from '../../../../../lambdas/shared/documents/document';
import { decodeS3EventKey, encodeS3EventKey } from '../../../../../lambdas/shared/documents/s3-key';

/** Characters that break naive decoders, mixed into otherwise arbitrary Unicode. */
const trickyChar = fc.constantFrom(
  '+',
  '%',
  ' ',
  '%2B',
  '%20',
  '%25',
  '/',
  '~',
  '*',
  '(',
  ')',
  "'",
  '!',
  '&',
  '=',
);
const trickyKey = fc.string({
  unit: fc.oneof(trickyChar, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
});

const count = (text: string, char: string): number => text.split(char).length - 1;

/** Exactly 1,024 UTF-8 bytes, S3's maximum key length: 9 + 1 + 507 × 2. */
const longestKey = `incoming/x${'é'.repeat(507)}`;

/**
 * Odd keys and the form S3 puts in the notification: `+` for a space, percent-encoding for every
 * other reserved byte (a literal `+` is `%2B`), `/` left as it is.
 */
const oddKeys: readonly { readonly name: string; readonly key: string; readonly sent: string }[] = [
  { name: 'a space', key: 'incoming/red flower.jpg', sent: 'incoming/red+flower.jpg' },
  { name: 'a literal plus and a space', key: 'incoming/a+b c.pdf', sent: 'incoming/a%2Bb+c.pdf' },
  { name: 'only pluses', key: 'incoming/c++.txt', sent: 'incoming/c%2B%2B.txt' },
  { name: 'a percent sign', key: 'incoming/100% done.pdf', sent: 'incoming/100%25+done.pdf' },
  { name: 'a trailing percent sign', key: 'incoming/50%', sent: 'incoming/50%25' },
  { name: 'a literal "%2B"', key: 'incoming/%2B.pdf', sent: 'incoming/%252B.pdf' },
  { name: 'a literal "%20" and a plus', key: 'incoming/a%20b+c', sent: 'incoming/a%2520b%2Bc' },
  { name: 'runs of spaces', key: 'incoming/  two  spaces  ', sent: 'incoming/++two++spaces++' },
  { name: 'café in NFC', key: 'incoming/caf\u00e9.pdf', sent: 'incoming/caf%C3%A9.pdf' },
  { name: 'café in NFD', key: 'incoming/cafe\u0301.pdf', sent: 'incoming/cafe%CC%81.pdf' },
  {
    name: 'emoji',
    key: 'incoming/📄 report 🚀.pdf',
    sent: 'incoming/%F0%9F%93%84+report+%F0%9F%9A%80.pdf',
  },
  { name: 'colons', key: 'incoming/10:47:07.log', sent: 'incoming/10%3A47%3A07.log' },
  {
    name: 'an equals sign',
    key: 'incoming/dt=2026-11-23/_SUCCESS',
    sent: 'incoming/dt%3D2026-11-23/_SUCCESS',
  },
  { name: 'parentheses', key: 'incoming/Scan (1).png', sent: 'incoming/Scan+%281%29.png' },
  { name: 'ampersand, semicolon, comma', key: 'incoming/a&b;c,d.pdf', sent: 'incoming/a%26b%3Bc%2Cd.pdf' },
  { name: 'a 1,024-byte key', key: longestKey, sent: `incoming/x${'%C3%A9'.repeat(507)}` },
];

describe('decodeS3EventKey', () => {
  it.each(oddKeys)('decodes the key S3 sends for $name', ({ key, sent }) => {
    // Act
    const decoded = decodeS3EventKey(sent);

    // Assess
    expect(decoded).toBe(key);
  });

  it('accepts either spelling of characters encoders disagree on, and lowercase hex', () => {
    // Prepare
    const spellings = ['incoming/~a*b.pdf', 'incoming/%7Ea%2Ab.pdf', 'incoming/%7ea%2ab.pdf'];

    // Act
    const decoded = spellings.map(decodeS3EventKey);

    // Assess
    expect(decoded).toEqual(['incoming/~a*b.pdf', 'incoming/~a*b.pdf', 'incoming/~a*b.pdf']);
  });

  it('keeps NFC and NFD spellings of café as distinct keys and distinct documents', () => {
    // Prepare
    const nfc = oddKeys.find((row) => row.name === 'café in NFC');
    const nfd = oddKeys.find((row) => row.name === 'café in NFD');
    if (!nfc || !nfd) throw new Error('table rows missing');

    // Act
    const [nfcKey, nfdKey] = [decodeS3EventKey(nfc.sent), decodeS3EventKey(nfd.sent)];

    // Assess
    expect(nfcKey).not.toBe(nfdKey);
    expect(nfcKey.normalize('NFC')).toBe(nfdKey.normalize('NFC'));
    expect(documentId('uploads', nfcKey)).not.toBe(documentId('uploads', nfdKey));
  });

  it('rejects malformed percent-encoding instead of guessing', () => {
    // Act & Assess
    expect(() => decodeS3EventKey('incoming/%E0%A4%A.pdf')).toThrow(URIError);
    expect(() => decodeS3EventKey('incoming/100%.pdf')).toThrow(URIError);
  });

  it('round-trips arbitrary Unicode keys through the S3 encoding', () => {
    fc.assert(
      fc.property(trickyKey, (key) => {
        expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });

  it('turns every "+" of the encoding into a space and never into a plus', () => {
    fc.assert(
      fc.property(trickyKey, (key) => {
        // Prepare
        const encoded = encodeS3EventKey(key);

        // Act
        const decoded = decodeS3EventKey(encoded);

        // Assess
        expect(count(encoded, '+')).toBe(count(key, ' '));
        expect(count(decoded, '+')).toBe(count(key, '+'));
        expect(count(decoded, ' ')).toBe(count(key, ' '));
      }),
      { numRuns: 500 },
    );
  });

  it('decodes words joined by "+" as the same words joined by spaces', () => {
    fc.assert(
      fc.property(
        fc.array(trickyKey.map(encodeS3EventKey), { minLength: 1, maxLength: 5 }),
        (encodedWords) => {
          // Act
          const decoded = decodeS3EventKey(encodedWords.join('+'));

          // Assess
          expect(decoded).toBe(encodedWords.map(decodeS3EventKey).join(' '));
        },
      ),
    );
  });
});

describe('encodeS3EventKey', () => {
  it.each(oddKeys)('encodes $name the way S3 does', ({ key, sent }) => {
    // Act
    const encoded = encodeS3EventKey(key);

    // Assess
    expect(encoded).toBe(sent);
  });

  it('uses only characters that survive in a notification unescaped', () => {
    fc.assert(
      fc.property(trickyKey, (key) => {
        expect(encodeS3EventKey(key)).toMatch(/^[A-Za-z0-9\-_.~/+%]*$/);
      }),
    );
  });

  it('produces the 1,024-byte key from its longest legal input', () => {
    // Assess
    expect(Buffer.byteLength(longestKey)).toBe(1024);
  });
});
