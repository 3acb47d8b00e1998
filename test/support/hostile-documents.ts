import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { buildZip, heicBrandedImage } from './documents';

/**
 * Hostile document bytes built in the test run, each a known attack on a decoder or on whoever later
 * serves the file. Companion of ./documents (well-formed documents).
 */

/** A PDF made of `objects` (object n is `objects[n-1]`), with a correct xref table; object 1 is the root. */
export const pdfFromObjects = (objects: readonly (string | Buffer)[]): Buffer => {
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n', 'latin1')];
  let length = parts[0]?.length ?? 0;
  const offsets = objects.map((body, index) => {
    const offset = length;
    const bytes = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    parts.push(bytes);
    length += bytes.length;
    return offset;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
};

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
