import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { seededRandom } from '../seeded-random';
import { PHRASES } from './expected-results';
import { renderTextPage } from './images';

const PDF_DATE = 'D:20260115093000Z';

/** A PDF object body; streams carry their own bytes. */
type PdfObject = string | { readonly dictionary: string; readonly stream: Buffer };

/** Escapes a PDF literal string. The sample text is ASCII, which WinAnsiEncoding shows as is. */
const pdfString = (text: string): string => `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/**
 * Serializes objects numbered from 1 into a PDF 1.4 file with a classic xref table. `root` and `info`
 * are object numbers. The /ID is a hash of the body, so it is stable and still differs between files.
 */
const writePdf = (objects: readonly PdfObject[], root: number, info: number): Buffer => {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = chunks[0]?.length ?? 0;
  const offsets: number[] = [];
  const push = (chunk: Buffer): void => {
    chunks.push(chunk);
    length += chunk.length;
  };
  objects.forEach((object, index) => {
    offsets.push(length);
    push(Buffer.from(`${index + 1} 0 obj\n`, 'latin1'));
    if (typeof object === 'string') {
      push(Buffer.from(object, 'latin1'));
    } else {
      push(
        Buffer.from(`${object.dictionary.replace(/>>$/, '')} /Length ${object.stream.length} >>\nstream\n`),
      );
      push(object.stream);
      push(Buffer.from('\nendstream', 'latin1'));
    }
    push(Buffer.from('\nendobj\n', 'latin1'));
  });
  const id = createHash('md5').update(Buffer.concat(chunks)).digest('hex');
  const xrefOffset = length;
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}` +
        `trailer\n<< /Size ${objects.length + 1} /Root ${root} 0 R /Info ${info} 0 R /ID [<${id}> <${id}>] >>\n` +
        `startxref\n${xrefOffset}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(chunks);
};

const infoDictionary = (title: string, author: string): string =>
  `<< /Title ${pdfString(title)} /Author ${pdfString(author)} /Producer (docflow make-sample-docs)` +
  ` /CreationDate (${PDF_DATE}) /ModDate (${PDF_DATE}) >>`;

/** Three US Letter pages of Helvetica text with a title and author in the Info dictionary. */
export const makeTextLayerPdf = (): Buffer => {
  const pages: readonly (readonly string[])[] = [
    [
      PHRASES.reportTitle,
      'Prepared for the docflow sample set.',
      'Summary: throughput rose eleven percent over the quarter.',
      'Page one introduces the figures discussed below.',
    ],
    [
      'Maintenance',
      PHRASES.reportPageTwo,
      'Two forklifts were replaced and the loading bay was repainted.',
      'No safety incidents were recorded during the period.',
    ],
    [
      'Outlook',
      'Next quarter we expect steady volumes and one new berth.',
      'Questions go to the operations office.',
    ],
  ];
  const firstPage = 4;
  const objects: PdfObject[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${firstPage + 2 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  pages.forEach((lines, i) => {
    const [heading = '', ...body] = lines;
    const content =
      `BT /F1 20 Tf 72 720 Td ${pdfString(heading)} Tj ET\n` +
      `BT /F1 12 Tf 18 TL 72 680 Td ${body.map((line) => `${pdfString(line)} Tj T*`).join(' ')} ET\n` +
      `BT /F1 9 Tf 72 40 Td ${pdfString(`Page ${i + 1} of ${pages.length}`)} Tj ET\n`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>` +
        ` /Contents ${firstPage + 2 * i + 1} 0 R >>`,
      { dictionary: '<<>>', stream: Buffer.from(content, 'latin1') },
    );
  });
  objects.push(infoDictionary(PHRASES.reportTitle, PHRASES.reportAuthor));
  return writePdf(objects, 1, objects.length);
};

/**
 * Two A4 pages that are only pictures of text (150 dpi grayscale JPEG, DCTDecode), as a scanner makes
 * them: no fonts, no text layer, so only OCR can read them.
 */
export const makeScannedPdf = async (): Promise<Buffer> => {
  const dpi = 150;
  const pageWidthPt = 595;
  const pageHeightPt = 842;
  const width = Math.round((pageWidthPt / 72) * dpi);
  const height = Math.round((pageHeightPt / 72) * dpi);
  const body = (pt: number): number => Math.round((pt / 72) * dpi);
  const pageTexts: readonly (readonly string[])[] = [
    [
      'Blue Heron Supplies',
      PHRASES.scannedPageOne,
      'Twelve crates of copper fittings, paid in full.',
      'Thank you for your business.',
    ],
    ['Delivery Note', PHRASES.scannedPageTwo, 'All crates arrived dry and undamaged.', 'Signed at the gate.'],
  ];
  const images: Buffer[] = [];
  for (const texts of pageTexts) {
    const lines = texts.map((text, i) => ({ text, size: i === 0 ? body(22) : body(14) }));
    const page = renderTextPage(width, height, lines, {
      margin: body(60),
      background: '#f7f7f4',
      ink: '#1a1a1a',
    });
    images.push(
      await sharp(page.rgba, { raw: { width, height, channels: 4 } })
        .flatten({ background: '#ffffff' })
        .toColourspace('b-w')
        .jpeg({ quality: 60 })
        .toBuffer(),
    );
  }
  const firstPage = 3;
  const objects: PdfObject[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${images.map((_, i) => `${firstPage + 3 * i} 0 R`).join(' ')}] /Count ${images.length} >>`,
  ];
  images.forEach((jpeg, i) => {
    const pageObject = firstPage + 3 * i;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageWidthPt} ${pageHeightPt}]` +
        ` /Resources << /XObject << /Im1 ${pageObject + 2} 0 R >> >> /Contents ${pageObject + 1} 0 R >>`,
      {
        dictionary: '<<>>',
        stream: Buffer.from(`q ${pageWidthPt} 0 0 ${pageHeightPt} 0 0 cm /Im1 Do Q\n`, 'latin1'),
      },
      {
        dictionary:
          `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height}` +
          ' /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode >>',
        stream: jpeg,
      },
    );
  });
  objects.push('<< /Producer (docflow make-sample-docs scanner) >>');
  return writePdf(objects, 1, objects.length);
};

/**
 * A PDF that starts well and then turns to garbage: the header, catalog and page tree survive, the pages,
 * xref table and trailer do not, so pdf.js rejects it as an invalid structure.
 */
export const makeCorruptPdf = (textPdf: Buffer): Buffer => {
  const random = seededRandom(404);
  const garbage = Buffer.alloc(700);
  for (let i = 0; i < garbage.length; i += 1) garbage[i] = Math.floor(random() * 256);
  return Buffer.concat([textPdf.subarray(0, 300), garbage]);
};
