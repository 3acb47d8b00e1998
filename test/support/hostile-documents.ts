import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { RejectionReason } from '../../lambdas/shared/documents/errors';
import { buildPdf, buildZip, heicBrandedImage, pdfFromObjects, pngClaimingSize } from './documents';

/**
 * Hostile document bytes built in the test run, each a known attack on a decoder or on whoever later
 * serves the file. Companion of ./documents (well-formed documents).
 */

const PAGE = (contents: number, resources = '') =>
  `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << ${resources} >> /Contents ${contents} 0 R >>`;

const stream = (content: string | Buffer, dictionary = ''): Buffer => {
  const data = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  return Buffer.concat([
    Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
};

/**
 * A PDF of a few kilobytes whose page tree lists one page object `count` times: a reader sees `count`
 * pages (pdf.js checks `/Count` against the tree, so the tree itself must say so) and would plan work
 * for every one of them.
 */
export const pdfClaimingPages = (count: number): Buffer =>
  pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${Array.from({ length: count }, () => '3 0 R').join(' ')}] /Count ${count} >>`,
    PAGE(4),
    stream('BT /F1 12 Tf 72 720 Td (one real page) Tj ET'),
  ]);

/** A one-page PDF whose `/Count` says `count`: pdf.js notices the lie and counts one page. */
export const pdfWithLyingCount = (count: number): Buffer =>
  pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [3 0 R] /Count ${count} >>`,
    PAGE(4),
    stream('BT /F1 12 Tf 72 720 Td (one real page) Tj ET'),
  ]);

/**
 * A PDF image bomb: one page drawing a `width`×`height` grey image whose few hundred bytes of Flate data
 * claim gigabytes once decoded. Without a limit pdf.js allocates the whole bitmap.
 */
export const pdfWithImageClaiming = (width: number, height: number): Buffer =>
  pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    PAGE(4, '/XObject << /Im1 5 0 R >>'),
    stream('q 468 0 0 648 72 72 cm /Im1 Do Q'),
    stream(
      deflateSync(Buffer.alloc(4096)),
      `/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`,
    ),
  ]);

export interface ExplodingPdfOptions {
  /** Pages of the document, each with a line of text but one. @default 3 */
  readonly pages?: number;
  /** The page (1-based) that draws the form tree. @default 2 */
  readonly explodingPage?: number;
  /** Levels of forms. @default 9 */
  readonly depth?: number;
  /** How many times each form draws the next. @default 10 */
  readonly fanOut?: number;
}

/**
 * A PDF of two kilobytes whose one page draws a Form XObject that draws the next one `fanOut` times,
 * `depth` levels deep, with a word of text at the bottom: `fanOut ** depth` text runs (pdf.js caches
 * only forms that draw nothing). pdf.js works through them in long synchronous stretches that no timer
 * of its own thread can interrupt: 10⁵ runs took 7 s, so the default 10⁹ would take weeks. Every other
 * page holds a line of plain text.
 */
export const pdfWithExplodingPage = ({
  pages = 3,
  explodingPage = 2,
  depth = 9,
  fanOut = 10,
}: ExplodingPdfOptions = {}): Buffer => {
  // 1 catalog, 2 page tree, 3 font, then a page and its content per page, then the forms.
  const firstForm = 4 + 2 * pages;
  const pageObjects = Array.from({ length: pages }, (_, index) => {
    const number = index + 1;
    const exploding = number === explodingPage;
    const resources = exploding
      ? `/Font << /F1 3 0 R >> /XObject << /X ${firstForm} 0 R >>`
      : '/Font << /F1 3 0 R >>';
    const content = exploding ? '/X Do' : `BT /F1 12 Tf 72 720 Td (Plain text on page ${number}.) Tj ET`;
    return [
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << ${resources} >> /Contents ${5 + 2 * index} 0 R >>`,
      stream(content),
    ];
  });
  const forms = Array.from({ length: depth }, (_, level) => {
    const last = level === depth - 1;
    const resources = last ? '/Font << /F1 3 0 R >>' : `/XObject << /X ${firstForm + level + 1} 0 R >>`;
    const content = last ? 'BT /F1 1 Tf (x) Tj ET' : Array.from({ length: fanOut }, () => '/X Do').join(' ');
    return stream(content, `/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << ${resources} >>`);
  });
  const kids = Array.from({ length: pages }, (_, index) => `${4 + 2 * index} 0 R`).join(' ');
  return pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...pageObjects.flat(),
    ...forms,
  ]);
};

const HTML_PAYLOAD = '<html><body><script>fetch("/steal?c="+document.cookie)</script></body></html>';

/**
 * An image/HTML/ZIP polyglot: a real GIF whose comment extension holds an HTML page, with a ZIP archive
 * appended after the GIF trailer. Image decoders see a GIF, a browser sniffing it may see HTML, an
 * unzipper sees an archive. Its first bytes are an image header.
 */
export const gifHtmlZipPolyglot = async (): Promise<Buffer> => {
  const gif = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#3366cc' } })
    .gif()
    .toBuffer();
  // Header (6) + logical screen descriptor (7) + global colour table when flagged.
  const packed = gif[10] ?? 0;
  const headerLength = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  const html = Buffer.from(HTML_PAYLOAD, 'latin1');
  const comment: Buffer[] = [Buffer.from([0x21, 0xfe])];
  for (let offset = 0; offset < html.length; offset += 255) {
    const block = html.subarray(offset, offset + 255);
    comment.push(Buffer.from([block.length]), block);
  }
  comment.push(Buffer.from([0x00]));
  const zip = await buildZip({ 'index.html': HTML_PAYLOAD });
  return Buffer.concat([gif.subarray(0, headerLength), ...comment, gif.subarray(headerLength), zip]);
};

/** An HTML page and a ZIP archive behind a JPEG start-of-image marker: a "JPEG" that is no image at all. */
export const htmlZipBehindJpegHeader = async (): Promise<Buffer> =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    Buffer.from(HTML_PAYLOAD, 'latin1'),
    await buildZip({ 'index.html': HTML_PAYLOAD }),
  ]);

/**
 * An SVG that would turn its square red if anything ran its script or its `onload` handler. Rasterized
 * faithfully, the square stays green.
 */
export const svgWithScript = (): Buffer =>
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" ' +
      `onload="document.getElementById('square').setAttribute('fill', 'red')">` +
      `<script>document.getElementById('square').setAttribute('fill', 'red')</script>` +
      '<rect id="square" width="120" height="80" fill="#00ff00"/></svg>',
    'utf8',
  );

/** An SVG that points at a file on the machine: a renderer that followed it would leak the file. */
export const svgReferencingFile = (path: string): Buffer =>
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">' +
      '<rect width="100" height="100" fill="#0000ff"/>' +
      `<image width="100" height="100" xlink:href="file://${path}"/></svg>`,
    'utf8',
  );

/** Deterministic noise (a seeded xorshift), so "random bytes" are the same in every run. */
export const pseudoRandomBytes = (length: number, seed = 0x2545f491): Buffer => {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
};

/**
 * A HEIF file whose image header (`ispe`) claims `width`×`height`: a decoder that trusts it allocates
 * width × height × 4 bytes before reading a single coded byte.
 */
export const heicClaimingSize = async (width: number, height: number): Promise<Buffer> => {
  const heic = await heicBrandedImage(64, 48);
  const ispe = heic.indexOf('ispe', 0, 'latin1');
  if (ispe < 0) throw new Error('no ispe box in the HEIF file');
  // Box type, then version and flags (4 bytes), then width and height.
  heic.writeUInt32BE(width, ispe + 8);
  heic.writeUInt32BE(height, ispe + 12);
  return heic;
};

/** Where Inspect's verdict on a sample leads the whole pipeline: PROCESSED, or REJECTED for a reason. */
export type HostileOutcome = 'PROCESSED' | RejectionReason;

/** One hostile sample: its bytes, the name it is uploaded under, and what the pipeline must make of it. */
export interface HostileSample {
  readonly name: string;
  /** Its object key: the extension is a claim, and may lie. */
  readonly key: string;
  /**
   * The type the bytes (or their name) claim. Where Inspect refuses the bytes, the later steps are still
   * fed them under this type, as if Inspect had believed the claim: each step must hold on its own.
   */
  readonly claims: string;
  readonly bytes: () => Buffer | Promise<Buffer>;
  /** The status the pipeline records. */
  readonly expected: HostileOutcome;
  /** The builders of this module it is made with: a test checks that every builder makes a sample. */
  readonly builders: readonly ((...args: never[]) => unknown)[];
}

const sampleDocument = (name: string): Buffer =>
  readFileSync(new URL(`../../sample-docs/${name}`, import.meta.url));
const half = (bytes: Buffer): Buffer => bytes.subarray(0, Math.floor(bytes.length / 2));

/**
 * Every hostile sample, for tests that run each one through every step: a builder added to this module
 * is covered by adding its sample here (a test fails while a builder has none).
 */
export const HOSTILE_SAMPLES: readonly HostileSample[] = [
  {
    name: 'a zero-byte object',
    key: 'empty.pdf',
    claims: 'pdf',
    bytes: () => Buffer.alloc(0),
    expected: 'EMPTY',
    builders: [],
  },
  {
    name: 'a truncated JPEG',
    key: 'photo.jpg',
    claims: 'jpeg',
    bytes: () => half(sampleDocument('photo-exif-rotated.jpg')),
    expected: 'CORRUPT',
    builders: [],
  },
  {
    name: 'a truncated PDF',
    key: 'report.pdf',
    claims: 'pdf',
    bytes: () => half(sampleDocument('report-text-layer.pdf')),
    expected: 'CORRUPT',
    builders: [],
  },
  {
    name: 'random bytes named .jpg',
    key: 'holiday.jpg',
    claims: 'jpeg',
    bytes: () => pseudoRandomBytes(4096),
    expected: 'UNSUPPORTED_TYPE',
    builders: [pseudoRandomBytes],
  },
  {
    name: 'random bytes named .pdf',
    key: 'invoice.pdf',
    claims: 'pdf',
    bytes: () => pseudoRandomBytes(4096, 0x9e3779b9),
    expected: 'UNSUPPORTED_TYPE',
    builders: [pseudoRandomBytes],
  },
  {
    name: 'a PNG decompression bomb (50,000 × 50,000)',
    key: 'bomb.png',
    claims: 'png',
    bytes: () => pngClaimingSize(50_000, 50_000),
    expected: 'TOO_LARGE',
    builders: [],
  },
  {
    name: 'a PDF with a user password',
    key: 'secret.pdf',
    claims: 'pdf',
    bytes: () => buildPdf({ pages: [{ text: 'secret' }], encrypted: true }),
    expected: 'ENCRYPTED',
    builders: [],
  },
  {
    name: 'a PDF that claims 5,000 pages',
    key: 'thousands.pdf',
    claims: 'pdf',
    bytes: () => pdfClaimingPages(5_000),
    expected: 'TOO_LARGE',
    builders: [pdfClaimingPages],
  },
  {
    name: 'a one-page PDF whose /Count says 5,000',
    key: 'count.pdf',
    claims: 'pdf',
    bytes: () => pdfWithLyingCount(5_000),
    expected: 'PROCESSED',
    builders: [pdfWithLyingCount],
  },
  {
    name: 'a PDF whose page tree contains itself',
    key: 'cycle.pdf',
    claims: 'pdf',
    bytes: () =>
      pdfFromObjects(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R] /Count 1 >>']),
    expected: 'CORRUPT',
    builders: [pdfFromObjects],
  },
  {
    name: 'a PDF drawing an image that claims 50,000 × 50,000',
    key: 'image-bomb.pdf',
    claims: 'pdf',
    bytes: () => pdfWithImageClaiming(50_000, 50_000),
    expected: 'PROCESSED',
    builders: [pdfWithImageClaiming],
  },
  {
    name: 'a PDF whose second page explodes into 10⁹ text runs',
    key: 'exploding.pdf',
    claims: 'pdf',
    bytes: () => pdfWithExplodingPage(),
    expected: 'CORRUPT',
    builders: [pdfWithExplodingPage],
  },
  {
    name: 'an HTML/ZIP polyglot behind a JPEG header',
    key: 'polyglot.jpg',
    claims: 'jpeg',
    bytes: () => htmlZipBehindJpegHeader(),
    expected: 'CORRUPT',
    builders: [htmlZipBehindJpegHeader],
  },
  {
    name: 'a GIF that is also an HTML page and a ZIP archive',
    key: 'polyglot.gif',
    claims: 'gif',
    bytes: () => gifHtmlZipPolyglot(),
    expected: 'PROCESSED',
    builders: [gifHtmlZipPolyglot],
  },
  {
    name: 'an SVG with a script',
    key: 'drawing.svg',
    claims: 'svg',
    bytes: () => svgWithScript(),
    expected: 'PROCESSED',
    builders: [svgWithScript],
  },
  {
    name: 'an SVG referencing a local file',
    key: 'leak.svg',
    claims: 'svg',
    bytes: () => svgReferencingFile('/etc/passwd'),
    expected: 'PROCESSED',
    builders: [svgReferencingFile],
  },
  {
    name: 'a HEIC whose header claims 50,000 × 50,000',
    key: 'bomb.heic',
    claims: 'heic',
    bytes: () => heicClaimingSize(50_000, 50_000),
    expected: 'TOO_LARGE',
    builders: [heicClaimingSize],
  },
];
