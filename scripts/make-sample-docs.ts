/**
 * Writes `sample-docs/`: one small, real document per kind the pipeline handles, plus
 * `expected-results.json` (what the pipeline must make of each) for the end-to-end tests.
 *
 * Deterministic: no clocks, no randomness beyond a seeded generator, fixed dates inside the files, so
 * running it again with the same package versions rewrites the same bytes. Run with `npm run sample-docs`.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import JSZip from 'jszip';
import sharp from 'sharp';
import type { TextStrategy } from '../lambdas/shared/documents/document';
import type { RejectionReason } from '../lambdas/shared/documents/errors';

/** Where the documents are written. */
export const SAMPLE_DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'sample-docs');

/** What the pipeline must make of one sample document. */
export interface ExpectedResult {
  readonly file: string;
  readonly status: 'PROCESSED' | 'REJECTED';
  readonly type: 'pdf' | 'jpeg' | 'png' | 'webp' | 'docx' | 'text';
  readonly mimeType: string;
  /** Page count when the pipeline can know it (images count as one page); null otherwise. */
  readonly pages: number | null;
  readonly textStrategy: TextStrategy;
  /** A phrase the extracted text must contain; null when the document carries no text. */
  readonly phrase: string | null;
  readonly thumbnail: boolean;
  /** Rejection reason code, only for REJECTED documents. */
  readonly reason?: RejectionReason;
}

/** Distinctive phrases, one place, so the files and the expectations cannot drift apart. */
export const PHRASES = {
  printedText: 'The quick brown fox jumps over the lazy dog',
  reportTitle: 'Quarterly Operations Report',
  reportAuthor: 'Ada Lovelace',
  reportPageTwo: 'Harbour crane seven was repaired ahead of schedule',
  scannedPageOne: 'Invoice number 4711 from Blue Heron Supplies',
  scannedPageTwo: 'Delivery accepted by the night shift in Rotterdam',
  memoTitle: 'Office Move Memo',
  memoAuthor: 'Grace Hopper',
  memo: 'Please label every box with your desk number',
  notes: 'Meet at the café on Rue Cler at noon',
} as const;

const FIXED_DATE = new Date('2026-01-15T09:30:00Z');
const PDF_DATE = 'D:20260115093000Z';

const require = createRequire(import.meta.url);
const FONT_PATH = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts');
const FONT_FAMILY = 'DocflowSampleSans';

/** Mulberry32: a tiny seeded generator, so "noise" is the same on every run. */
const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const clampByte = (value: number): number => Math.max(0, Math.min(255, Math.round(value)));

/**
 * A landscape scene (sky, sun, hills, lake) with a red marker in the top-left corner, stored sideways
 * with EXIF Orientation 6: a viewer shows it 360×640 with the marker top-right. A thumbnailer that
 * ignores the tag produces a landscape thumbnail with the marker top-left.
 */
export const makeRotatedPhoto = async (): Promise<Buffer> => {
  const width = 640;
  const height = 360;
  const random = seededRandom(6);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const horizon = 210 + 30 * Math.sin(x / 70) + 15 * Math.sin(x / 23 + 1);
      let rgb: [number, number, number];
      if (y < horizon) {
        const t = y / horizon;
        rgb = [70 + 120 * t, 130 + 90 * t, 220 + 25 * t];
        const sun = Math.hypot(x - 500, y - 90);
        if (sun < 45) rgb = [255, 220 - sun, 90];
        else if (sun < 80) {
          const glow = (80 - sun) / 35;
          rgb = [rgb[0] + (255 - rgb[0]) * glow * 0.6, rgb[1] + (230 - rgb[1]) * glow * 0.6, rgb[2]];
        }
      } else if (y < 300) {
        const shade = (y - horizon) / (300 - horizon);
        rgb = [40 + 30 * shade, 120 - 40 * shade + 10 * Math.sin(x / 9), 50];
      } else {
        const ripple = 12 * Math.sin(x / 6 + y / 2);
        rgb = [30 + ripple, 80 + ripple, 150 + ripple];
      }
      if (x >= 16 && x < 80 && y >= 16 && y < 80) {
        rgb = x >= 40 && x < 56 && y >= 40 && y < 56 ? [255, 255, 255] : [220, 20, 30];
      }
      const noise = (random() - 0.5) * 10;
      const offset = (y * width + x) * 3;
      pixels[offset] = clampByte(rgb[0] + noise);
      pixels[offset + 1] = clampByte(rgb[1] + noise);
      pixels[offset + 2] = clampByte(rgb[2] + noise);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 82 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
};

/** Renders lines of text black on white with the Liberation Sans shipped by pdfjs-dist. */
const renderTextPage = (
  width: number,
  height: number,
  lines: readonly { text: string; size: number }[],
  options: { margin: number; background: string; ink: string },
): { rgba: Buffer; width: number; height: number } => {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = options.background;
  context.fillRect(0, 0, width, height);
  context.fillStyle = options.ink;
  context.textBaseline = 'alphabetic';
  let y = options.margin;
  for (const line of lines) {
    y += Math.round(line.size * 1.5);
    context.font = `${line.size}px ${FONT_FAMILY}`;
    context.fillText(line.text, options.margin, y);
  }
  const image = context.getImageData(0, 0, width, height);
  return {
    rgba: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    width,
    height,
  };
};

/** A PNG of printed English text, for the Textract sync path (OCR'd by tesseract.js locally). */
export const makePrintedTextPng = async (): Promise<Buffer> => {
  const page = renderTextPage(
    760,
    250,
    [
      { text: PHRASES.printedText, size: 32 },
      { text: 'Printed sample for docflow text detection.', size: 32 },
      { text: 'Order 2048 ships on Monday from Dock B.', size: 32 },
    ],
    { margin: 40, background: '#ffffff', ink: '#000000' },
  );
  return (
    sharp(page.rgba, { raw: { width: page.width, height: page.height, channels: 4 } })
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      // libvips otherwise records 25.4 dpi, which tesseract distrusts and warns about.
      .withDensity(96)
      .png({ compressionLevel: 9 })
      .toBuffer()
  );
};

/** A flowchart of boxes and arrows, with no text (so it needs no font). */
export const makeDiagramWebp = async (): Promise<Buffer> => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320" viewBox="0 0 480 320">
  <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">
    <path d="M0,0 L10,5 L0,10 z" fill="#334155"/></marker></defs>
  <rect width="480" height="320" fill="#f8fafc"/>
  <rect x="20" y="130" width="100" height="60" rx="10" fill="#38bdf8" stroke="#0c4a6e" stroke-width="3"/>
  <polygon points="240,100 300,160 240,220 180,160" fill="#fbbf24" stroke="#78350f" stroke-width="3"/>
  <rect x="360" y="40" width="100" height="60" rx="10" fill="#4ade80" stroke="#14532d" stroke-width="3"/>
  <rect x="360" y="220" width="100" height="60" rx="10" fill="#f87171" stroke="#7f1d1d" stroke-width="3"/>
  <circle cx="410" cy="160" r="18" fill="#a78bfa" stroke="#4c1d95" stroke-width="3"/>
  <line x1="120" y1="160" x2="176" y2="160" stroke="#334155" stroke-width="4" marker-end="url(#arrow)"/>
  <polyline points="240,100 240,70 356,70" fill="none" stroke="#334155" stroke-width="4" marker-end="url(#arrow)"/>
  <polyline points="240,220 240,250 356,250" fill="none" stroke="#334155" stroke-width="4" marker-end="url(#arrow)"/>
  <line x1="300" y1="160" x2="388" y2="160" stroke="#334155" stroke-width="4" stroke-dasharray="8 6" marker-end="url(#arrow)"/>
</svg>`;
  return sharp(Buffer.from(svg)).webp({ quality: 80 }).toBuffer();
};

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

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The smallest DOCX Word and mammoth accept: content types, package rels, the body and core properties. */
export const makeMemoDocx = async (): Promise<Buffer> => {
  const paragraphs = [
    PHRASES.memoTitle,
    'To: everyone on the third floor',
    `We move to the new building on Friday. ${PHRASES.memo} and leave it by the lift.`,
    'Plants, monitors and chairs travel separately.',
  ];
  const xmlHeader = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const zip = new JSZip();
  const options = { date: FIXED_DATE, createFolders: false };
  zip.file(
    '[Content_Types].xml',
    `${xmlHeader}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
      '</Types>',
    options,
  );
  zip.file(
    '_rels/.rels',
    `${xmlHeader}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
      '</Relationships>',
    options,
  );
  zip.file(
    'word/document.xml',
    `${xmlHeader}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
      paragraphs
        .map((text) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r></w:p>`)
        .join('') +
      '</w:body></w:document>',
    options,
  );
  zip.file(
    'docProps/core.xml',
    `${xmlHeader}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
      ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<dc:title>${xmlEscape(PHRASES.memoTitle)}</dc:title><dc:creator>${xmlEscape(PHRASES.memoAuthor)}</dc:creator>` +
      `<dcterms:created xsi:type="dcterms:W3CDTF">${FIXED_DATE.toISOString().replace('.000', '')}</dcterms:created>` +
      '</cp:coreProperties>',
    options,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
};

export const makeNotesText = (): Buffer =>
  Buffer.from(
    [
      'Notes for Thursday',
      '',
      `${PHRASES.notes}.`,
      'Bring the signed contract and two copies of the floor plan.',
      'Ask about the naïve pricing model before the coffee gets cold.',
      '',
    ].join('\n'),
    'utf8',
  );

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

/** Every sample document with its expected outcome, in the order the README lists them. */
export const EXPECTED_RESULTS: readonly ExpectedResult[] = [
  {
    file: 'photo-exif-rotated.jpg',
    status: 'PROCESSED',
    type: 'jpeg',
    mimeType: 'image/jpeg',
    pages: 1,
    textStrategy: 'textract-sync',
    phrase: null,
    thumbnail: true,
  },
  {
    file: 'printed-text.png',
    status: 'PROCESSED',
    type: 'png',
    mimeType: 'image/png',
    pages: 1,
    textStrategy: 'textract-sync',
    phrase: PHRASES.printedText,
    thumbnail: true,
  },
  {
    file: 'diagram.webp',
    status: 'PROCESSED',
    type: 'webp',
    mimeType: 'image/webp',
    pages: 1,
    textStrategy: 'textract-sync',
    phrase: null,
    thumbnail: true,
  },
  {
    file: 'report-text-layer.pdf',
    status: 'PROCESSED',
    type: 'pdf',
    mimeType: 'application/pdf',
    pages: 3,
    textStrategy: 'local',
    phrase: PHRASES.reportPageTwo,
    thumbnail: true,
  },
  {
    file: 'scanned-two-pages.pdf',
    status: 'PROCESSED',
    type: 'pdf',
    mimeType: 'application/pdf',
    pages: 2,
    textStrategy: 'textract-async',
    phrase: PHRASES.scannedPageTwo,
    thumbnail: true,
  },
  {
    file: 'memo.docx',
    status: 'PROCESSED',
    type: 'docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    pages: null,
    textStrategy: 'local',
    phrase: PHRASES.memo,
    thumbnail: false,
  },
  {
    file: 'notes.txt',
    status: 'PROCESSED',
    type: 'text',
    mimeType: 'text/plain',
    pages: null,
    textStrategy: 'local',
    phrase: PHRASES.notes,
    thumbnail: false,
  },
  {
    file: 'corrupt.pdf',
    status: 'REJECTED',
    type: 'pdf',
    mimeType: 'application/pdf',
    pages: null,
    textStrategy: 'none',
    phrase: null,
    thumbnail: false,
    reason: 'CORRUPT',
  },
];

const main = async (): Promise<void> => {
  if (!GlobalFonts.registerFromPath(join(FONT_PATH, 'LiberationSans-Regular.ttf'), FONT_FAMILY)) {
    throw new Error(`cannot register the font in ${FONT_PATH}`);
  }
  const textPdf = makeTextLayerPdf();
  const files: Record<string, Buffer> = {
    'photo-exif-rotated.jpg': await makeRotatedPhoto(),
    'printed-text.png': await makePrintedTextPng(),
    'diagram.webp': await makeDiagramWebp(),
    'report-text-layer.pdf': textPdf,
    'scanned-two-pages.pdf': await makeScannedPdf(),
    'memo.docx': await makeMemoDocx(),
    'notes.txt': makeNotesText(),
    'corrupt.pdf': makeCorruptPdf(textPdf),
  };
  await mkdir(SAMPLE_DOCS_DIR, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) {
    await writeFile(join(SAMPLE_DOCS_DIR, file), bytes);
    const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    console.log(`${file.padEnd(24)} ${String(bytes.length).padStart(8)} bytes  sha256 ${sha}`);
  }
  await writeFile(
    join(SAMPLE_DOCS_DIR, 'expected-results.json'),
    `${JSON.stringify(EXPECTED_RESULTS, null, 2)}\n`,
  );
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
