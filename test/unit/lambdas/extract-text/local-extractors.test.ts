import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  extractDocxText,
  extractLocalText,
  extractPdfText,
  extractPlainText,
  type LocalExtractionLimits,
} from '../../../../lambdas/extract-text/local-extractors';
import { TEXTS } from '../../../../scripts/make-encoding-fixtures';
import { buildDocx, buildPdf, buildZip } from '../../../support/documents';
import { ENCODING_FIXTURES, encodingFixture } from '../../../support/encoding-fixtures';

const LIMITS: LocalExtractionLimits = { maxPages: 50, parseTimeoutMs: 10_000 };

/**
 * Breaks one page of a hand-built PDF: its page object becomes a Pages node that lists itself as its own
 * kid, so pdf.js fails `getPage(n)` ("Pages tree contains circular reference") and still reads the other
 * pages. The replacement keeps the byte length, so every xref offset stays exact.
 */
const breakPage = (pdf: Buffer, pageIndex: number): Buffer => {
  const source = pdf.toString('latin1');
  const page = [...source.matchAll(/(\d+) 0 obj\n(<< \/Type \/Page [^\n]*>>)\n/g)][pageIndex];
  if (!page?.[1] || !page[2]) throw new Error(`the PDF has no page ${pageIndex + 1}`);
  const cycle = `<< /Type /Pages /Kids [${page[1]} 0 R] /Count 1 >>`.padEnd(page[2].length, ' ');
  return Buffer.from(source.replace(page[2], cycle), 'latin1');
};

describe('extractPdfText', () => {
  it('reads the text layer page by page', async () => {
    // Prepare
    const pdf = readFileSync('sample-docs/report-text-layer.pdf');

    // Act
    const extracted = await extractPdfText(pdf, LIMITS);

    // Assess
    expect(extracted.source).toBe('pdf-text-layer');
    expect(extracted.pages.map((page) => page.number)).toEqual([1, 2, 3]);
    expect(extracted.pages[1]?.text).toContain('Harbour crane seven was repaired ahead of schedule');
    expect(extracted.pages[0]?.text).not.toContain('Harbour crane');
    expect(extracted.pages.every((page) => page.error === undefined)).toBe(true);
  });

  it('records an error on a broken page and still reads the pages around it', async () => {
    // Prepare
    const pdf = breakPage(
      buildPdf({
        pages: [{ text: 'First page text' }, { text: 'Second page text' }, { text: 'Third page text' }],
      }),
      1,
    );

    // Act
    const extracted = await extractPdfText(pdf, LIMITS);

    // Assess
    expect(extracted.pages).toHaveLength(3);
    expect(extracted.pages[0]).toEqual({ number: 1, text: 'First page text' });
    expect(extracted.pages[1]).toMatchObject({ number: 2, text: '' });
    expect(extracted.pages[1]?.error).toMatch(/^the page cannot be read: .*circular/i);
    expect(extracted.pages[2]).toEqual({ number: 3, text: 'Third page text' });
  });

  it('rejects a PDF none of whose pages can be read as CORRUPT', async () => {
    // Prepare
    const pdf = breakPage(buildPdf({ pages: [{ text: 'only page' }] }), 0);

    // Act
    const outcome = extractPdfText(pdf, LIMITS);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'CorruptDocumentError',
      message: expect.stringMatching(/^CORRUPT: no page of the PDF can be read/),
    });
  });

  it('rejects a password-protected PDF as ENCRYPTED and one over the page limit as TOO_LARGE', async () => {
    // Prepare
    const encrypted = buildPdf({ pages: [{ text: 'secret' }], encrypted: true });
    const long = buildPdf({ pages: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] });

    // Act
    const outcomes = await Promise.allSettled([
      extractPdfText(encrypted, LIMITS),
      extractPdfText(long, { ...LIMITS, maxPages: 2 }),
    ]);

    // Assess
    expect(
      outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name),
    ).toEqual(['EncryptedDocumentError', 'DocumentTooLargeError']);
  });

  it('rejects bytes that are not a PDF as CORRUPT', async () => {
    // Act
    const outcome = extractPdfText(readFileSync('sample-docs/corrupt.pdf'), LIMITS);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'CorruptDocumentError' });
  });
});

describe('extractDocxText', () => {
  it('reads the paragraphs of a Word document', async () => {
    // Prepare
    const docx = await buildDocx({
      paragraphs: ['Dear team,', 'The kitchen closes at five.'],
      title: 'Notice',
    });

    // Act
    const extracted = await extractDocxText(docx);

    // Assess
    expect(extracted).toEqual({
      source: 'docx',
      pages: [{ number: 1, text: 'Dear team,\n\nThe kitchen closes at five.' }],
    });
  });

  it('reads the sample memo', async () => {
    // Act
    const extracted = await extractDocxText(readFileSync('sample-docs/memo.docx'));

    // Assess
    expect(extracted.pages[0]?.text).toContain('Please label every box with your desk number');
  });

  it('refuses a main part that inflates past the limit, before mammoth holds it', async () => {
    // Prepare
    const docx = await buildDocx({ paragraphs: ['x'.repeat(20_000)] });

    // Act
    const outcome = extractDocxText(docx, 10_000);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'DocumentTooLargeError',
      message: expect.stringMatching(/^TOO_LARGE: .*10000 bytes of XML/),
    });
  });

  it('rejects a ZIP without word/document.xml and bytes that are not a ZIP as CORRUPT', async () => {
    // Prepare
    const zip = await buildZip({ 'readme.txt': 'not a Word document' });

    // Act
    const outcomes = await Promise.allSettled([
      extractDocxText(zip),
      extractDocxText(Buffer.from('PK\u0003\u0004 truncated')),
    ]);

    // Assess
    expect(
      outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name),
    ).toEqual(['CorruptDocumentError', 'CorruptDocumentError']);
  });
});

describe('extractPlainText', () => {
  const phrase = 'Grüße aus Köln, naïve café ☕';

  it.each([
    { encoding: 'UTF-8', bytes: Buffer.from(phrase, 'utf8') },
    {
      encoding: 'UTF-8 with a BOM',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(phrase, 'utf8')]),
    },
    {
      encoding: 'UTF-16LE with a BOM',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(phrase, 'utf16le')]),
    },
    {
      encoding: 'UTF-16BE with a BOM',
      bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(phrase, 'utf16le').swap16()]),
    },
  ])('decodes $encoding, without the BOM', ({ bytes }) => {
    // Act
    const extracted = extractPlainText(bytes);

    // Assess
    expect(extracted).toEqual({ source: 'plain-text', pages: [{ number: 1, text: phrase }] });
  });

  it('reads a big file as text pages that end at line breaks and join back into the whole text', () => {
    // Prepare: 3 × 32,768 characters in lines of 64, then one more line.
    const lines = Array.from({ length: 3 * 512 + 1 }, (_, index) => `${String(index).padStart(63, '-')}\n`);
    const text = lines.join('');

    // Act
    const extracted = extractPlainText(Buffer.from(text, 'utf8'));

    // Assess
    expect(extracted.pages.map((page) => page.text.length)).toEqual([32_768, 32_768, 32_768, 64]);
    expect(extracted.pages.map((page) => page.text).join('')).toBe(text);
    expect(extracted.pages.at(-1)).toEqual({ number: 4, text: lines.at(-1) });
  });

  it.each(ENCODING_FIXTURES.texts.map((fixture) => [fixture.file, fixture] as const))(
    'decodes %s whole in the encoding Inspect recorded',
    (file, fixture) => {
      // Prepare
      const bytes = encodingFixture(file);

      // Act
      const extracted = extractPlainText(bytes, fixture.encoding);

      // Assess
      expect(extracted).toEqual({ source: 'plain-text', pages: [{ number: 1, text: fixture.text }] });
    },
  );

  it('guesses nothing: bytes that do not decode in the recorded encoding are CORRUPT, never U+FFFD', () => {
    // Prepare
    const latin1 = Buffer.from('café crème', 'latin1');

    // Act
    const extract = () => extractPlainText(latin1, 'utf-8');

    // Assess
    expect(extract).toThrow(expect.objectContaining({ name: 'CorruptDocumentError' }));
  });
});

describe('extractLocalText', () => {
  it('dispatches by type', async () => {
    // Act
    const extracted = await extractLocalText({
      type: 'text',
      bytes: readFileSync('sample-docs/notes.txt'),
      limits: LIMITS,
    });

    // Assess
    expect(extracted.source).toBe('plain-text');
    expect(extracted.pages[0]?.text).toContain('Meet at the café on Rue Cler at noon');
  });
  it('passes the recorded encoding to the plain-text extraction', async () => {
    // Act
    const extracted = await extractLocalText({
      type: 'text',
      bytes: encodingFixture('ja-shift_jis.txt'),
      encoding: 'shift_jis',
      limits: LIMITS,
    });

    // Assess
    expect(extracted.pages[0]?.text).toBe(TEXTS.japanese);
  });
});
