import { createRequire } from 'node:module';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { createCanvas, GlobalFonts, loadImage, PDFDocument, type SKRSContext2D } from '@napi-rs/canvas';
import { pdfFromObjects } from './documents';

/**
 * Images and scanned PDFs of printed text, rendered in the test run, for OCR tests. The font is the
 * Liberation Sans that ships inside pdfjs-dist, so nothing depends on the machine's fonts.
 */

const FONT_FAMILY = 'DocflowTestSans';
let fontRegistered = false;

const registerFont = (): void => {
  if (fontRegistered) return;
  const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  GlobalFonts.registerFromPath(
    path.join(pdfjsRoot, 'standard_fonts', 'LiberationSans-Regular.ttf'),
    FONT_FAMILY,
  );
  fontRegistered = true;
};

export interface TextImageOptions {
  /** @default 1275 (8.5 in at 150 dpi) */
  readonly width?: number;
  /** @default 1650 (11 in at 150 dpi) */
  readonly height?: number;
  /** @default 40 */
  readonly fontSize?: number;
}

const drawText = (lines: readonly string[], options: TextImageOptions) => {
  registerFont();
  const width = options.width ?? 1275;
  const height = options.height ?? 1650;
  const fontSize = options.fontSize ?? 40;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#000000';
  context.font = `${fontSize}px ${FONT_FAMILY}`;
  lines.forEach((line, index) => {
    context.fillText(line, Math.round(width * 0.08), Math.round(fontSize * 3 + index * fontSize * 1.8));
  });
  return canvas;
};

/** A PNG of black printed lines on white, one line per entry. */
export const renderTextPng = (lines: readonly string[], options: TextImageOptions = {}): Buffer =>
  drawText(lines, options).toBuffer('image/png');

/** The same as a JPEG, as a scanner or camera would produce. */
export const renderTextJpeg = (lines: readonly string[], options: TextImageOptions = {}): Buffer =>
  drawText(lines, options).toBuffer('image/jpeg', 90);

/** One page of a scanned PDF: its printed lines, and its size in points (default US Letter). */
export interface ScannedPage {
  readonly lines: readonly string[];
  readonly widthPoints?: number;
  readonly heightPoints?: number;
}

/**
 * An image-only PDF, as a scanner makes: each page is a JPEG of rendered text filling the page, with no
 * text layer, so only OCR can read it.
 */
export const buildScannedPdf = async (pages: readonly ScannedPage[]): Promise<Buffer> => {
  const pdf = new PDFDocument({ title: 'scanned test document', producer: 'docflow tests' });
  for (const page of pages) {
    const widthPoints = page.widthPoints ?? 612;
    const heightPoints = page.heightPoints ?? 792;
    // 150 dpi, capped so that a giant page stays a small image.
    const scale = Math.min(150 / 72, 2000 / Math.max(widthPoints, heightPoints));
    const image = await loadImage(
      renderTextJpeg(page.lines, {
        width: Math.round(widthPoints * scale),
        height: Math.round(heightPoints * scale),
      }),
    );
    // The page context is the full Skia context at run time; its declared type omits drawImage.
    const context = pdf.beginPage(widthPoints, heightPoints) as SKRSContext2D;
    context.drawImage(image, 0, 0, widthPoints, heightPoints);
    pdf.endPage();
  }
  return pdf.close();
};

/** One page of a hand-assembled PDF: a full-page JPEG (a scan), or raw content-stream operators. */
export type RawPdfPage = { readonly jpeg: Buffer } | { readonly operators: string };

/**
 * A PDF assembled byte by byte (exact xref offsets, Flate-compressed content), for pages no drawing
 * API produces, such as a content stream of a million strokes that keeps pdf.js busy for a minute.
 */
export const buildRawPdf = (pages: readonly RawPdfPage[]): Buffer => {
  const objects: Buffer[] = [];
  const add = (dictionary: string, stream?: Buffer): number => {
    objects.push(
      stream
        ? Buffer.concat([
            Buffer.from(`${dictionary.replace(/>>$/, ` /Length ${stream.length} >>`)}\nstream\n`, 'latin1'),
            stream,
            Buffer.from('\nendstream', 'latin1'),
          ])
        : Buffer.from(dictionary, 'latin1'),
    );
    return objects.length;
  };
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('');
  const pageIds = pages.map((page) => {
    if ('jpeg' in page) {
      const { width, height } = jpegSize(page.jpeg);
      const image = add(
        `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode >>`,
        page.jpeg,
      );
      const content = add('<< /Filter /FlateDecode >>', deflateSync('q 612 0 0 792 0 0 cm /Im1 Do Q'));
      return add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 ${image} 0 R >> >> /Contents ${content} 0 R >>`,
      );
    }
    const content = add('<< /Filter /FlateDecode >>', deflateSync(Buffer.from(page.operators, 'latin1')));
    return add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${content} 0 R >>`);
  });
  objects[1] = Buffer.from(
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`,
    'latin1',
  );
  return pdfFromObjects(objects);
};

/** A page whose content stream draws `strokes` separate lines: slow to render, harmless to parse. */
export const slowPageOperators = (strokes: number): string =>
  `0.5 w\n${'10 10 m 600 780 l S\n'.repeat(strokes)}`;

/** Width and height from a baseline or progressive JPEG's SOF marker. */
const jpegSize = (jpeg: Buffer): { width: number; height: number } => {
  let offset = 2;
  while (offset + 9 < jpeg.length) {
    const marker = jpeg[offset + 1] ?? 0;
    const length = jpeg.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      return { height: jpeg.readUInt16BE(offset + 5), width: jpeg.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  throw new Error('not a JPEG with a frame header');
};
