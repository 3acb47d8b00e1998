import { crc32, deflateSync } from 'node:zlib';
import JSZip from 'jszip';
import sharp, { type Sharp } from 'sharp';

/**
 * Real document bytes built in the test run: hand-written PDFs with exact xref offsets, PNG headers
 * claiming huge sizes, DOCX packages. Nothing here is a canned file, so a test can state precisely
 * what it feeds in.
 */

/** One page of a hand-built PDF: some text (drawn with a standard font) or a grey image only (a "scan"). */
export type PdfPage = { readonly text: string } | { readonly image: true };

export interface PdfOptions {
  readonly pages: readonly PdfPage[];
  /** Goes into the document information dictionary. */
  readonly title?: string;
  readonly author?: string;
  /**
   * Adds a standard security handler `/Encrypt` dictionary whose user-password check fails for the empty
   * password, so a reader must ask for a password.
   */
  readonly encrypted?: boolean;
}

const pdfString = (value: string): string => `(${value.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/**
 * A PDF 1.4 file made of `objects` (object n is `objects[n-1]`; object 1 is the root), with a correct
 * xref table, so pdf.js opens it without falling back to its reconstruction of broken files. `trailer`
 * adds entries to the trailer dictionary (such as /Info, /ID or /Encrypt).
 */
export const pdfFromObjects = (objects: readonly (string | Buffer)[], trailer = ''): Buffer => {
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
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailer} >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
};

/** A valid PDF of text or image pages, with an optional title, author and (fake) encryption. */
export const buildPdf = (options: PdfOptions): Buffer => {
  const objects: string[] = [];
  const add = (body: string): number => {
    objects.push(body);
    return objects.length;
  };
  const catalog = add('');
  const pagesId = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const imageSide = 16;
  const imagePixels = Buffer.alloc(imageSide * imageSide, 0x80).toString('latin1');
  const image = add(
    `<< /Type /XObject /Subtype /Image /Width ${imageSide} /Height ${imageSide} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${imagePixels.length} >>\nstream\n${imagePixels}\nendstream`,
  );
  const pageIds = options.pages.map((page) => {
    const content =
      'text' in page
        ? `BT /F1 18 Tf 72 720 Td ${pdfString(page.text)} Tj ET`
        : 'q 468 0 0 648 72 72 cm /Im1 Do Q';
    const contentId = add(
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    );
    return add(
      `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> /XObject << /Im1 ${image} 0 R >> >> /Contents ${contentId} 0 R >>`,
    );
  });
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesId} 0 R >>`;
  objects[pagesId - 1] =
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  const infoEntries = [
    options.title === undefined ? '' : `/Title ${pdfString(options.title)}`,
    options.author === undefined ? '' : `/Author ${pdfString(options.author)}`,
  ].join(' ');
  const info = add(`<< ${infoEntries} /Producer (docflow tests) >>`);
  const fileId = '<0123456789ABCDEF0123456789ABCDEF>';
  const encrypt = options.encrypted
    ? add(
        `<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <${'A5'.repeat(32)}> /U <${'5A'.repeat(32)}> >>`,
      )
    : undefined;
  const encryptEntry = encrypt === undefined ? '' : ` /Encrypt ${encrypt} 0 R`;
  return pdfFromObjects(objects, ` /Info ${info} 0 R /ID [${fileId} ${fileId}]${encryptEntry}`);
};

const pngChunk = (type: string, data: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
};

/**
 * A decompression bomb's shape: a few hundred bytes of PNG whose IHDR claims `width`×`height` 8-bit grey
 * pixels (50,000 × 50,000 is 2.5 gigapixels), with one tiny IDAT. Decoding it would take gigabytes.
 */
export const pngClaimingSize = (width: number, height: number): Buffer => {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(width + 1))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
};

/** A noisy picture (noise keeps the encoders from compressing it to almost nothing). */
export const noisyImage = (width: number, height: number): Sharp =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  });

/**
 * An HEIF container branded `heic`: an AVIF with its major brand rewritten. sharp's prebuilt libvips
 * cannot build HEVC images, and reading the header is all Inspect does with HEIC.
 */
export const heicBrandedImage = async (width: number, height: number): Promise<Buffer> => {
  const avif = await noisyImage(width, height).avif().toBuffer();
  const heic = Buffer.from(avif);
  if (heic.toString('latin1', 4, 12) !== 'ftypavif') throw new Error('unexpected AVIF layout from sharp');
  heic.write('heic', 8, 'latin1');
  return heic;
};

export interface DocxOptions {
  readonly paragraphs: readonly string[];
  readonly title?: string;
  readonly creator?: string;
}

const xmlEscape = (value: string): string => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal Word document package, the parts Word itself writes first, with optional core properties. */
export const buildDocx = async (options: DocxOptions): Promise<Buffer> => {
  const zip = new JSZip();
  const hasCore = options.title !== undefined || options.creator !== undefined;
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      (hasCore
        ? '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        : '') +
      '</Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      (hasCore
        ? '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        : '') +
      '</Relationships>',
  );
  zip.file(
    'word/document.xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
      options.paragraphs.map((p) => `<w:p><w:r><w:t>${xmlEscape(p)}</w:t></w:r></w:p>`).join('') +
      '</w:body></w:document>',
  );
  if (hasCore) {
    zip.file(
      'docProps/core.xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">' +
        (options.title === undefined ? '' : `<dc:title>${xmlEscape(options.title)}</dc:title>`) +
        (options.creator === undefined ? '' : `<dc:creator>${xmlEscape(options.creator)}</dc:creator>`) +
        '</cp:coreProperties>',
    );
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
};

/** A plain ZIP archive that is not an Office document. */
export const buildZip = async (files: Record<string, string>): Promise<Buffer> => {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(files)) zip.file(name, content);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
};

const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/**
 * An OLE compound file, the container of legacy Office files and of password-protected OOXML.
 * Only the header signature and the UTF-16LE directory entry names matter to Inspect, so the stream
 * names are written into an otherwise empty 512-byte sector.
 */
export const compoundFileWithStreams = (streamNames: readonly string[]): Buffer => {
  const header = Buffer.alloc(512);
  CFB_SIGNATURE.copy(header, 0);
  header.writeUInt16LE(0x003e, 24);
  header.writeUInt16LE(0x0003, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  const directory = Buffer.alloc(512);
  streamNames.slice(0, 4).forEach((name, index) => {
    const entry = index * 128;
    directory.write(name, entry, 'utf16le');
    directory.writeUInt16LE((name.length + 1) * 2, entry + 64);
    directory[entry + 66] = index === 0 ? 5 : 2;
  });
  return Buffer.concat([header, directory]);
};
