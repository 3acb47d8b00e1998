import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/**
 * Big documents built in the test run, at the sizes the pipeline's limits are about: a plain-text
 * file of tens of megabytes and a born-digital PDF of hundreds of pages with a photo on each. Each
 * knows the phrases on its first and last page, so a test can check that all of its text came through.
 */

/** A plain-text file: `lines` lines of exactly {@link TEXT_LINE_LENGTH} characters (newline included). */
export interface LargeText {
  readonly bytes: Buffer;
  readonly firstPhrase: string;
  readonly lastPhrase: string;
}

/** Every line of a {@link makeLargeText} file, newline included: ASCII, so characters are bytes. */
export const TEXT_LINE_LENGTH = 64;

const textLine = (content: string): string => `${content.padEnd(TEXT_LINE_LENGTH - 1, '.')}\n`;

/**
 * ASCII text of exactly `lines` × 64 bytes. Every line is numbered, so a lost, doubled or reordered
 * stretch shows when the text is compared; the first and last lines carry phrases found nowhere else.
 */
export const makeLargeText = (lines: number): LargeText => {
  const firstPhrase = 'Opening line of the very large ledger';
  const lastPhrase = 'Closing line of the very large ledger';
  const body: string[] = [textLine(`${firstPhrase}:`)];
  for (let number = 2; number < lines; number++) {
    body.push(textLine(`Entry ${String(number).padStart(8, '0')} quick brown fox, lazy dog`));
  }
  body.push(textLine(`${lastPhrase}:`));
  return { bytes: Buffer.from(body.join(''), 'ascii'), firstPhrase, lastPhrase };
};

/** A born-digital PDF: `pages` pages of text, each with a distinct photo-sized image. */
export interface LargePdf {
  readonly bytes: Buffer;
  readonly pages: number;
  /** The lines of text on page `number` (1-based), top to bottom; the first and last name the page. */
  readonly linesOf: (number: number) => string[];
}

const LINES_PER_PAGE = 30;
const pageLine = (page: number, line: number): string =>
  line === 1
    ? `Chapter ${page} opens the report page ${page}`
    : line === LINES_PER_PAGE
      ? `Chapter ${page} closes the report page ${page}`
      : `Page ${page} line ${line}: the quarterly figures are in the attached table`;

const linesOf = (page: number): string[] =>
  Array.from({ length: LINES_PER_PAGE }, (_, line) => pageLine(page, line + 1));

/**
 * A PDF 1.4 file with exact xref offsets, `pages` pages of 30 lines of Helvetica text and, on each
 * page, its own DeviceRGB image of `imageBytes` random pixels (Flate-compressed, so it stays about
 * that size: noise does not compress), the way photos make a real report tens of megabytes.
 */
export const makeLargePdf = (pages: number, imageBytes: number): LargePdf => {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]?.length ?? 0;
  const write = (id: number, head: string, stream?: Buffer): void => {
    offsets[id - 1] = length;
    const chunk = stream
      ? Buffer.concat([
          Buffer.from(`${id} 0 obj\n${head}\nstream\n`, 'latin1'),
          stream,
          Buffer.from('\nendstream\nendobj\n', 'latin1'),
        ])
      : Buffer.from(`${id} 0 obj\n${head}\nendobj\n`, 'latin1');
    parts.push(chunk);
    length += chunk.length;
  };
  const side = Math.ceil(Math.sqrt(imageBytes / 3));
  const catalogId = 1;
  const pagesId = 2;
  const fontId = 3;
  const firstPageId = 4;
  // Each page takes three objects: the page, its content stream and its image.
  const pageIds = Array.from({ length: pages }, (_, index) => firstPageId + index * 3);
  write(catalogId, `<< /Type /Catalog /Pages ${pagesId} 0 R >>`);
  write(pagesId, `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`);
  write(fontId, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (const [index, pageId] of pageIds.entries()) {
    const number = index + 1;
    const contentId = pageId + 1;
    const imageId = pageId + 2;
    write(
      pageId,
      `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${fontId} 0 R >> /XObject << /Im1 ${imageId} 0 R >> >> /Contents ${contentId} 0 R >>`,
    );
    const lines = linesOf(number);
    const content = Buffer.from(
      `q 200 0 0 150 350 40 cm /Im1 Do Q\nBT /F1 10 Tf 12 TL 56 740 Td\n${lines.map((line) => `(${line}) Tj T*`).join('\n')}\nET`,
      'latin1',
    );
    write(contentId, `<< /Length ${content.length} >>`, content);
    const pixels = deflateSync(randomBytes(side * side * 3), { level: 1 });
    write(
      imageId,
      `<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length ${pixels.length} >>`,
      pixels,
    );
  }
  const count = offsets.length;
  const xref = [
    `xref\n0 ${count + 1}\n0000000000 65535 f \n`,
    ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`),
    `trailer\n<< /Size ${count + 1} /Root ${catalogId} 0 R >>\nstartxref\n${length}\n%%EOF\n`,
  ].join('');
  parts.push(Buffer.from(xref, 'latin1'));
  return {
    bytes: Buffer.concat(parts),
    pages,
    linesOf,
  };
};
