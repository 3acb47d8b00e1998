import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { getDocument, OPS, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_DOCS_DIR } from '../../cli/paths';
import { TEXT_STRATEGIES } from '../../lambdas/shared/documents/document';
import type { ExpectedResult } from '../../scripts/sample-docs/expected-results';
import { expectedResultOf, readExpectedResults, readSampleDocument } from '../support/sample-docs';

const require = createRequire(import.meta.url);
const STANDARD_FONTS = `${join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

const expectedResults = await readExpectedResults();
const expectedFor = (file: string): ExpectedResult => expectedResultOf(expectedResults, file);

const openPdfs: PDFDocumentProxy[] = [];

/** pdf.js detaches the array it is given, so it gets a copy; a Buffer is refused. */
const openPdf = async (file: string): Promise<PDFDocumentProxy> => {
  const data = new Uint8Array(await readSampleDocument(file));
  const pdf = await getDocument({
    data,
    standardFontDataUrl: STANDARD_FONTS,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  openPdfs.push(pdf);
  return pdf;
};

const pageText = async (pdf: PDFDocumentProxy, pageNumber: number): Promise<string> => {
  const content = await (await pdf.getPage(pageNumber)).getTextContent();
  return content.items
    .map((item) => ('str' in item ? item.str : ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
};

afterEach(async () => {
  await Promise.all(openPdfs.splice(0).map((pdf) => pdf.loadingTask.destroy()));
});

describe('sample-docs/expected-results.json', () => {
  it('lists every sample document exactly once, and nothing else', async () => {
    // Prepare
    const files = (await readdir(SAMPLE_DOCS_DIR)).filter(
      (file) => file !== 'README.md' && file !== 'expected-results.json',
    );

    // Act
    const listed = expectedResults.map((entry) => entry.file);

    // Assess
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...files].sort());
  });

  it('gives every entry a consistent shape', () => {
    for (const entry of expectedResults) {
      expect(['PROCESSED', 'REJECTED'], entry.file).toContain(entry.status);
      expect(TEXT_STRATEGIES as readonly string[], entry.file).toContain(entry.textStrategy);
      expect(entry.reason !== undefined, entry.file).toBe(entry.status === 'REJECTED');
      expect(entry.thumbnail, entry.file).toBe(
        entry.status === 'PROCESSED' && entry.type !== 'docx' && entry.type !== 'text',
      );
    }
  });

  it('names the MIME type that magic-byte sniffing finds in each binary file', async () => {
    for (const entry of expectedResults.filter((candidate) => candidate.type !== 'text')) {
      // Act
      const sniffed = await fileTypeFromBuffer(await readSampleDocument(entry.file));

      // Assess
      expect(sniffed?.mime, entry.file).toBe(entry.mimeType);
    }
  });

  it('keeps the documents small', async () => {
    // Act
    const sizes = await Promise.all(
      expectedResults.map(async (entry) => (await readSampleDocument(entry.file)).length),
    );

    // Assess
    for (const size of sizes) expect(size).toBeLessThan(200 * 1024);
    expect(sizes.reduce((total, size) => total + size, 0)).toBeLessThan(1024 * 1024);
  });
});

describe('sample documents', () => {
  it('photo-exif-rotated.jpg is stored landscape with EXIF orientation 6 and shows portrait, marker top-right', async () => {
    // Prepare
    const photo = await readSampleDocument('photo-exif-rotated.jpg');

    // Act
    const metadata = await sharp(photo).metadata();
    const upright = await sharp(photo).rotate().raw().toBuffer({ resolveWithObject: true });

    // Assess
    expect(metadata).toMatchObject({ format: 'jpeg', width: 640, height: 360, orientation: 6 });
    expect(upright.info).toMatchObject({ width: 360, height: 640 });
    const pixelAt = (x: number, y: number): number[] => {
      const offset = (y * upright.info.width + x) * upright.info.channels;
      return [...upright.data.subarray(offset, offset + 3)];
    };
    const [red = 0, green = 0, blue = 0] = pixelAt(upright.info.width - 30, 30);
    expect(red).toBeGreaterThan(180);
    expect(green).toBeLessThan(80);
    expect(blue).toBeLessThan(80);
    const [topLeftRed = 0, , topLeftBlue = 0] = pixelAt(30, 30);
    expect(topLeftBlue).toBeGreaterThan(topLeftRed);
    expect(expectedFor('photo-exif-rotated.jpg')).toMatchObject({ type: 'jpeg', pages: 1, phrase: null });
  });

  it('printed-text.png and diagram.webp are single images of their format', async () => {
    // Act
    const png = await sharp(await readSampleDocument('printed-text.png')).metadata();
    const webp = await sharp(await readSampleDocument('diagram.webp')).metadata();

    // Assess
    expect(png).toMatchObject({ format: 'png', channels: 1, density: 96 });
    expect(webp).toMatchObject({ format: 'webp', width: 480, height: 320 });
    expect(expectedFor('printed-text.png').phrase).toBe('The quick brown fox jumps over the lazy dog');
  });

  it('report-text-layer.pdf has 3 pages, title and author, and its phrase on page 2 only', async () => {
    // Prepare
    const expected = expectedFor('report-text-layer.pdf');
    const pdf = await openPdf('report-text-layer.pdf');

    // Act
    const { info } = await pdf.getMetadata();
    const texts = [await pageText(pdf, 1), await pageText(pdf, 2), await pageText(pdf, 3)];

    // Assess
    expect(pdf.numPages).toBe(expected.pages);
    expect(info).toMatchObject({ Title: 'Quarterly Operations Report', Author: 'Ada Lovelace' });
    expect(texts[0]).toContain('Quarterly Operations Report');
    expect(texts[1]).toContain(expected.phrase);
    expect(texts[0]).not.toContain(expected.phrase);
    expect(texts[2]).not.toContain(expected.phrase);
  });

  it('scanned-two-pages.pdf has 2 pages that each paint an image and carry no text', async () => {
    // Prepare
    const expected = expectedFor('scanned-two-pages.pdf');
    const pdf = await openPdf('scanned-two-pages.pdf');

    // Act
    const texts = [await pageText(pdf, 1), await pageText(pdf, 2)];
    const operators = await Promise.all(
      [1, 2].map(async (pageNumber) => (await (await pdf.getPage(pageNumber)).getOperatorList()).fnArray),
    );

    // Assess
    expect(pdf.numPages).toBe(expected.pages);
    expect(texts).toEqual(['', '']);
    for (const fnArray of operators) expect(fnArray).toContain(OPS.paintImageXObject);
    expect(expected.textStrategy).toBe('textract-async');
  });

  it('corrupt.pdf starts like a PDF but pdf.js rejects it', async () => {
    // Prepare
    const bytes = await readSampleDocument('corrupt.pdf');

    // Act
    const opening = openPdf('corrupt.pdf');

    // Assess
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expect(opening).rejects.toMatchObject({ name: 'InvalidPDFException' });
    expect(expectedFor('corrupt.pdf')).toMatchObject({ status: 'REJECTED', reason: 'CORRUPT' });
  });

  it('memo.docx yields its phrase through mammoth and a title and creator in core.xml', async () => {
    // Prepare
    const docx = await readSampleDocument('memo.docx');

    // Act
    const { value } = await mammoth.extractRawText({ buffer: docx });
    const core = await (await JSZip.loadAsync(docx)).file('docProps/core.xml')?.async('string');

    // Assess
    expect(value).toContain(expectedFor('memo.docx').phrase);
    expect(core).toContain('<dc:title>Office Move Memo</dc:title>');
    expect(core).toContain('<dc:creator>Grace Hopper</dc:creator>');
  });

  it('notes.txt is valid UTF-8 with a non-ASCII word in its phrase', async () => {
    // Act
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await readSampleDocument('notes.txt'));

    // Assess
    const phrase = expectedFor('notes.txt').phrase;
    expect(phrase).toContain('café');
    expect(text).toContain(phrase);
  });
});
