import { createHash, randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  type DocumentProber,
  inProcessDocumentProber,
  type ProbeRequest,
} from '../../../../lambdas/inspect/document-prober';
import { detectBudget, inspectDocument } from '../../../../lambdas/inspect/inspect-document';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  EncryptedDocumentError,
  UnsupportedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import { DEFAULT_LIMITS, type Limits } from '../../../../lambdas/shared/documents/limits';
import type { BlobRef } from '../../../../lambdas/shared/ports/document-blobs';
import {
  buildDocx,
  buildPdf,
  buildZip,
  compoundFileWithStreams,
  type DocxOptions,
  heicBrandedImage,
  noisyImage,
  pngClaimingSize,
} from '../../../support/documents';
import { encodingFixture } from '../../../support/encoding-fixtures';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';

const REF: BlobRef = { bucket: 'uploads', key: 'incoming/some file.bin' };

/** Inspects `REF` with the in-process prober and the default limits, but for those given. */
const inspectBlobs = (blobs: FakeDocumentBlobs, limits: Partial<Limits>) =>
  inspectDocument(REF, { blobs, prober: inProcessDocumentProber, limits: { ...DEFAULT_LIMITS, ...limits } });

const inspect = async (bytes: Buffer, limits: Partial<Limits> = {}) => {
  const blobs = new FakeDocumentBlobs().put(REF, bytes);
  return { inspection: await inspectBlobs(blobs, limits), blobs };
};

/** Runs an inspection that must fail and returns the error with the calls made before it. */
const rejection = async (bytes: Buffer, limits: Partial<Limits> = {}) => {
  const blobs = new FakeDocumentBlobs().put(REF, bytes);
  try {
    await inspectBlobs(blobs, limits);
  } catch (error) {
    return { error, blobs };
  }
  throw new Error('expected the inspection to be rejected');
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The size and digest an inspection reports of the bytes it read. */
const identityOf = (bytes: Buffer) => ({ size: bytes.length, sha256: sha256(bytes) });

/** A DOCX whose Word parts are stored after the entries `padding` puts first in the ZIP. */
const docxBehind = async (padding: (zip: JSZip) => void, docx: DocxOptions): Promise<Buffer> => {
  const zip = new JSZip();
  padding(zip);
  const tail = await JSZip.loadAsync(await buildDocx(docx));
  for (const [name, entry] of Object.entries(tail.files)) {
    if (!entry.dir) zip.file(name, await entry.async('uint8array'));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
};

describe('inspectDocument: checks before reading the body', () => {
  it('rejects an empty object as EMPTY after its first read alone', async () => {
    // Prepare
    const empty = Buffer.alloc(0);

    // Act
    const { error, blobs } = await rejection(empty);

    // Assess
    expect(error).toBeInstanceOf(EmptyDocumentError);
    expect((error as EmptyDocumentError).reason).toBe('EMPTY');
    expect(blobs.calls).toEqual([{ method: 'readStart', key: REF.key, length: 65_536 }]);
  });

  it('rejects an object over MAX_DOCUMENT_BYTES as TOO_LARGE after reading no more than its first 64 KiB', async () => {
    // Prepare
    const png = await noisyImage(64, 64).png().toBuffer();

    // Act
    const { error, blobs } = await rejection(png, { maxDocumentBytes: png.length - 1 });

    // Assess
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect((error as Error).message).toBe(
      `TOO_LARGE: the object is ${png.length} bytes, over the limit of ${png.length - 1} bytes`,
    );
    expect(blobs.calls).toEqual([{ method: 'readStart', key: REF.key, length: 65_536 }]);
  });

  it('sniffs the type from the first 64 KiB before reading the whole object', async () => {
    // Prepare
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), randomBytes(200_000)]);

    // Act
    const { error, blobs } = await rejection(elf);

    // Assess
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect((error as Error).message).toBe(
      'UNSUPPORTED_TYPE: application/x-elf (.elf) is not a supported type',
    );
    expect(blobs.calls).toEqual([{ method: 'readStart', key: REF.key, length: 65_536 }]);
  });

  it('reads the whole object under MAX_DOCUMENT_BYTES and reports its size and sha256', async () => {
    // Prepare
    const text = Buffer.from('Quarterly figures\nRevenue: 12\n'.repeat(3_000));

    // Act
    const { inspection, blobs } = await inspect(text, { maxDocumentBytes: 100_000 });

    // Assess
    expect(text.length).toBeGreaterThan(65_536);
    expect(inspection.size).toBe(text.length);
    expect(inspection.sha256).toBe(sha256(text));
    expect(blobs.calls).toEqual([
      { method: 'readStart', key: REF.key, length: 65_536 },
      { method: 'read', key: REF.key, maxBytes: 100_000 },
    ]);
  });

  it('reads an object no larger than the sample only once', async () => {
    // Prepare
    const text = Buffer.from('A short note.\n');

    // Act
    const { inspection, blobs } = await inspect(text);

    // Assess
    expect(inspection.sha256).toBe(sha256(text));
    expect(blobs.calls).toEqual([{ method: 'readStart', key: REF.key, length: 65_536 }]);
  });

  it('reads the version the ref names, not the current object', async () => {
    // Prepare
    const versioned: BlobRef = { ...REF, versionId: 'v1' };
    const blobs = new FakeDocumentBlobs()
      .put(versioned, Buffer.from('the first version'))
      .put(REF, await noisyImage(8, 8).png().toBuffer());

    // Act
    const inspection = await inspectDocument(versioned, {
      blobs,
      prober: inProcessDocumentProber,
      limits: DEFAULT_LIMITS,
    });

    // Assess
    expect(inspection.type).toBe('text');
    expect(inspection.sha256).toBe(sha256(Buffer.from('the first version')));
  });
});

describe('inspectDocument: the parse budget', () => {
  /** The in-process prober, recording the budget each step was given. */
  const recordingProber = () => {
    const budgets: Record<string, number> = {};
    const prober: DocumentProber = {
      detect: (request) => {
        budgets.detect = request.budgetMs;
        return inProcessDocumentProber.detect(request);
      },
      probe: (request) => {
        budgets.probe = request.budgetMs;
        return inProcessDocumentProber.probe(request);
      },
    };
    return { prober, budgets };
  };

  it.each([
    { parseTimeoutMs: 20_000, detect: 2_000, probe: 18_000 },
    { parseTimeoutMs: 4_000, detect: 1_000, probe: 3_000 },
    { parseTimeoutMs: 1_000, detect: 250, probe: 750 },
  ])(
    'splits $parseTimeoutMs ms between detection ($detect) and probe ($probe): together never more',
    async ({ parseTimeoutMs, detect, probe }) => {
      // Prepare
      const { prober, budgets } = recordingProber();
      const blobs = new FakeDocumentBlobs().put(REF, Buffer.from('plain words'));

      // Act
      await inspectDocument(REF, { blobs, prober, limits: { ...DEFAULT_LIMITS, parseTimeoutMs } });

      // Assess
      expect(budgets).toEqual({ detect, probe });
      expect(detectBudget(parseTimeoutMs)).toBe(detect);
    },
  );

  it('gives the probe the configured pixel and page limits', async () => {
    // Prepare
    const requests: ProbeRequest[] = [];
    const prober: DocumentProber = {
      detect: inProcessDocumentProber.detect,
      probe: (request) => {
        requests.push(request);
        return inProcessDocumentProber.probe(request);
      },
    };
    const blobs = new FakeDocumentBlobs().put(REF, buildPdf({ pages: [{ text: 'one page of text' }] }));

    // Act
    await inspectDocument(REF, {
      blobs,
      prober,
      limits: { ...DEFAULT_LIMITS, maxImagePixels: 1_234_567, maxPages: 42 },
    });

    // Assess
    expect(requests.map((request) => request.limits)).toEqual([{ maxPixels: 1_234_567, maxPages: 42 }]);
  });
});

/** A 300 × 200 SVG bare of any prologue, and one with the XML declaration and comment an editor writes. */
const BARE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="5" height="5"/></svg>';
const DECLARED_SVG =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"/>';

/** Noisy 300 × 200 pixels, encoded by `encode`. */
const encoded = (encode: (image: Sharp) => Sharp) => () => encode(noisyImage(300, 200)).toBuffer();

describe('inspectDocument: images', () => {
  it.each([
    ['PNG', 'png', 'image/png', encoded((image) => image.png()), 'textract-sync'],
    ['JPEG', 'jpeg', 'image/jpeg', encoded((image) => image.jpeg()), 'textract-sync'],
    ['WebP', 'webp', 'image/webp', encoded((image) => image.webp()), 'textract-sync'],
    ['GIF', 'gif', 'image/gif', encoded((image) => image.gif()), 'textract-sync'],
    ['TIFF', 'tiff', 'image/tiff', encoded((image) => image.tiff()), 'textract-sync'],
    ['AVIF', 'avif', 'image/avif', encoded((image) => image.avif()), 'textract-sync'],
    ['HEIC (header only)', 'heic', 'image/heic', () => heicBrandedImage(300, 200), 'textract-sync'],
    ['bare SVG', 'svg', 'image/svg+xml', async () => Buffer.from(BARE_SVG), 'none'],
    ['SVG with a prologue', 'svg', 'image/svg+xml', async () => Buffer.from(DECLARED_SVG), 'none'],
  ] as const)(
    '%s: reads type %s from the bytes alone (the uploader’s Content-Type is never read)',
    async (_, type, mimeType, build, textStrategy) => {
      // Prepare
      const bytes = await build();

      // Act
      const { inspection } = await inspect(bytes);

      // Assess
      expect(inspection).toEqual({
        mimeType,
        type,
        ...identityOf(bytes),
        width: 300,
        height: 200,
        pages: 1,
        textStrategy,
      });
    },
  );

  it('reports a TIFF larger than the 64 KiB sample (header at the end) as a TIFF', async () => {
    // Prepare
    const bytes = await noisyImage(400, 300).tiff({ compression: 'none' }).toBuffer();

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(bytes.length).toBeGreaterThan(65_536);
    expect(inspection).toMatchObject({ type: 'tiff', width: 400, height: 300 });
  });

  it('reports the dimensions of a JPEG as displayed, after its EXIF orientation', async () => {
    // Prepare
    const bytes = await noisyImage(300, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ type: 'jpeg', width: 200, height: 300 });
  });

  it('counts the pages of a multi-page TIFF and sends it to asynchronous OCR', async () => {
    // Prepare
    const bytes = await noisyImage(30, 60).tiff().toBuffer();
    const multiPage = await sharp({
      create: { width: 30, height: 60, channels: 3, background: '#fff', pageHeight: 20 },
    })
      .tiff()
      .toBuffer();

    // Act
    const single = await inspect(bytes);
    const multi = await inspect(multiPage);

    // Assess
    expect(single.inspection).toMatchObject({ pages: 1, textStrategy: 'textract-sync' });
    expect(multi.inspection).toMatchObject({
      type: 'tiff',
      width: 30,
      height: 20,
      pages: 3,
      textStrategy: 'textract-async',
    });
  });

  it('rejects a multi-page TIFF with more pages than MAX_PAGES as TOO_LARGE', async () => {
    // Prepare
    const bytes = await sharp({
      create: { width: 10, height: 40, channels: 3, background: '#fff', pageHeight: 10 },
    })
      .tiff()
      .toBuffer();

    // Act
    const { error } = await rejection(bytes, { maxPages: 3 });

    // Assess
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect((error as Error).message).toBe('TOO_LARGE: the image has 4 pages, over the limit of 3');
  });

  it('rejects a PNG whose header claims 50,000×50,000 pixels as TOO_LARGE in well under a second', async () => {
    // Prepare
    const bomb = pngClaimingSize(50_000, 50_000);
    const started = performance.now();

    // Act
    const { error } = await rejection(bomb);

    // Assess
    expect(bomb.length).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect((error as Error).message).toBe('TOO_LARGE: the image exceeds the limit of 50000000 pixels');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('applies MAX_IMAGE_PIXELS from the limits', async () => {
    // Prepare
    const bytes = await noisyImage(300, 200).png().toBuffer();

    // Act
    const { error } = await rejection(bytes, { maxImagePixels: 59_999 });

    // Assess
    expect(error).toBeInstanceOf(DocumentTooLargeError);
  });

  it.each([
    ['PNG', (image: ReturnType<typeof noisyImage>) => image.png(), /vipspng|libpng/],
    ['JPEG', (image: ReturnType<typeof noisyImage>) => image.jpeg(), /premature end of JPEG/],
  ])('rejects a truncated %s (intact header) as CORRUPT', async (_, encode, cause) => {
    // Prepare
    const whole = await encode(noisyImage(300, 200)).toBuffer();
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));

    // Act
    const { error } = await rejection(truncated);

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect((error as Error).message).toMatch(/^CORRUPT: the image cannot be read: /);
    expect((error as Error).message).toMatch(cause);
  });

  it('rejects bytes with a PNG signature and nothing readable after it as CORRUPT', async () => {
    // Prepare
    const bytes = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(64),
    ]);

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
  });
});

describe('inspectDocument: SVG', () => {
  it('rejects a malformed SVG as CORRUPT', async () => {
    // Prepare
    const bytes = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" <<<');

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
  });
});

describe('inspectDocument: PDF', () => {
  it('reads page count, title, author and the text layer of a text PDF', async () => {
    // Prepare
    const bytes = buildPdf({
      pages: [{ text: 'Invoice 2026-0042: three widgets, delivered on time.' }],
      title: 'Invoice (2026-0042)',
      author: 'Ada Lovelace',
    });

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toEqual({
      mimeType: 'application/pdf',
      type: 'pdf',
      ...identityOf(bytes),
      pages: 1,
      hasTextLayer: true,
      title: 'Invoice (2026-0042)',
      author: 'Ada Lovelace',
      textStrategy: 'local',
    });
  });

  it('sends a one-page scan (image only) to synchronous OCR', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ image: true }] });

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ pages: 1, hasTextLayer: false, textStrategy: 'textract-sync' });
    expect(inspection).not.toHaveProperty('title');
  });

  it('sends a multi-page scan to asynchronous OCR', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ image: true }, { image: true }, { image: true }] });

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ pages: 3, hasTextLayer: false, textStrategy: 'textract-async' });
  });

  it('does not take a page number on a scan for a text layer', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ text: '1' }, { image: true }] });

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ pages: 2, hasTextLayer: false, textStrategy: 'textract-async' });
  });

  it('rejects a PDF with more pages than MAX_PAGES as TOO_LARGE', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ text: 'one' }, { text: 'two' }, { text: 'three' }] });

    // Act
    const { error } = await rejection(bytes, { maxPages: 2 });

    // Assess
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect((error as Error).message).toBe('TOO_LARGE: the PDF has 3 pages, over the limit of 2');
  });

  it('rejects a password-protected PDF as ENCRYPTED', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ text: 'Top secret figures for the board.' }], encrypted: true });

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(EncryptedDocumentError);
    expect((error as Error).message).toBe('ENCRYPTED: the PDF is password-protected');
  });

  it.each([
    ['a PDF header followed by garbage', Buffer.from('%PDF-1.7\nthis is not a PDF at all\n%%EOF\n')],
    ['a truncated PDF', buildPdf({ pages: [{ text: 'Hello there, this will be cut.' }] }).subarray(0, 300)],
  ])('rejects %s as CORRUPT', async (_, bytes) => {
    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect((error as Error).message).toBe('CORRUPT: not a valid PDF: Invalid PDF structure.');
  });
});

describe('inspectDocument: DOCX and other archives', () => {
  it('reads title and author from docProps/core.xml and extracts text locally', async () => {
    // Prepare
    const bytes = await buildDocx({
      paragraphs: ['Minutes of the meeting'],
      title: 'Minutes & notes',
      creator: 'Grace Hopper',
    });

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toEqual({
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      type: 'docx',
      ...identityOf(bytes),
      title: 'Minutes & notes',
      author: 'Grace Hopper',
      textStrategy: 'local',
    });
  });

  it('reads a DOCX without core properties', async () => {
    // Prepare
    const bytes = await buildDocx({ paragraphs: ['Just text'] });

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ type: 'docx', textStrategy: 'local' });
    expect(inspection).not.toHaveProperty('title');
    expect(inspection).not.toHaveProperty('author');
    expect(inspection).not.toHaveProperty('pages');
  });

  it('recognises a DOCX whose Word parts come after the first 64 KiB', async () => {
    // Prepare
    const bytes = await docxBehind(
      (zip) => zip.file('customXml/blob.bin', randomBytes(100_000), { compression: 'STORE' }),
      { paragraphs: ['Late parts'], title: 'Late' },
    );

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ type: 'docx', title: 'Late', textStrategy: 'local' });
  });

  it('recognises a DOCX whose content types come after more entries than file-type scans', async () => {
    // Prepare
    const bytes = await docxBehind(
      (zip) => {
        for (let i = 0; i < 1_100; i++) zip.file(`customXml/item${i}.xml`, `<item>${i}</item>`);
      },
      { paragraphs: ['Many parts'], creator: 'Ken' },
    );

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ type: 'docx', author: 'Ken', textStrategy: 'local' });
  });

  it('rejects a ZIP that is not a Word document as UNSUPPORTED_TYPE', async () => {
    // Prepare
    const bytes = await buildZip({ 'readme.txt': 'hello', 'data/values.csv': 'a,b\n1,2\n' });

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect((error as Error).message).toMatch(/^UNSUPPORTED_TYPE: a ZIP archive that is not a Word document/);
  });

  it('rejects a spreadsheet package as UNSUPPORTED_TYPE', async () => {
    // Prepare
    const bytes = await buildZip({
      '[Content_Types].xml':
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
      'xl/workbook.xml': '<workbook/>',
    });

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
  });

  it('rejects a password-protected Office document (OLE file with EncryptedPackage) as ENCRYPTED', async () => {
    // Prepare
    const bytes = compoundFileWithStreams(['Root Entry', 'EncryptionInfo', 'EncryptedPackage']);

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(EncryptedDocumentError);
    expect((error as Error).message).toBe('ENCRYPTED: the Office document is password-protected');
  });

  it('rejects a legacy binary Office file as UNSUPPORTED_TYPE', async () => {
    // Prepare
    const bytes = compoundFileWithStreams(['Root Entry', 'WordDocument', '1Table']);

    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
  });
});

describe('inspectDocument: text and unknown bytes', () => {
  it('reads UTF-8 text as text/plain with local extraction', async () => {
    // Prepare
    const bytes = Buffer.from('Grüße aus Köln — 東京 too.\r\n\tIndented line.\n');

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toEqual({
      mimeType: 'text/plain',
      type: 'text',
      ...identityOf(bytes),
      encoding: 'utf-8',
      textStrategy: 'local',
    });
  });

  it('reads UTF-16 text with a byte-order mark', async () => {
    // Prepare
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Notes in UTF-16\n', 'utf16le')]);

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ mimeType: 'text/plain', type: 'text' });
  });

  it('reads text whose 64 KiB sample ends in the middle of a character', async () => {
    // Prepare
    const bytes = Buffer.from(`${'a'.repeat(65_535)}é and more text after the sample`);

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(bytes[65_535]).toBe(0xc3);
    expect(inspection.type).toBe('text');
  });

  it('reads an XML document that is not SVG as text', async () => {
    // Prepare
    const bytes = Buffer.from('<?xml version="1.0"?><catalog><book id="1">Dune</book></catalog>');

    // Act
    const { inspection } = await inspect(bytes);

    // Assess
    expect(inspection).toMatchObject({ mimeType: 'text/plain', type: 'text' });
  });

  it.each([
    ['random bytes', randomBytes(4_096)],
    ['text containing NUL bytes', Buffer.from('looks like text\u0000but is not')],
    ['an HTML page', Buffer.from('<!DOCTYPE html>\n<html><body><p>hello</p></body></html>')],
    ['a Windows executable', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510)])],
    [
      'text followed by binary data after the first 64 KiB',
      Buffer.concat([
        Buffer.alloc(70_000, 'a'),
        Buffer.from('00000000000100ff7f0000', 'hex'),
        randomBytes(1_000),
      ]),
    ],
  ])('rejects %s as UNSUPPORTED_TYPE', async (_, bytes) => {
    // Act
    const { error } = await rejection(bytes);

    // Assess
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect((error as UnsupportedDocumentError).reason).toBe('UNSUPPORTED_TYPE');
  });
});

describe('inspectDocument: text in legacy encodings (test/fixtures/encodings)', () => {
  const inspectAs = async (key: string, bytes: Buffer) => {
    const ref: BlobRef = { bucket: 'uploads', key };
    const blobs = new FakeDocumentBlobs().put(ref, bytes);
    return inspectDocument(ref, { blobs, prober: inProcessDocumentProber, limits: DEFAULT_LIMITS });
  };

  it.each([
    ['incoming/kunden.csv', 'de-windows-1252.csv', 'text/csv', 'windows-1252'],
    ['incoming/議事録.md', 'ja-shift_jis.txt', 'text/markdown', 'shift_jis'],
    ['incoming/data/export.JSON', 'en-utf-16le.txt', 'application/json', 'utf-16le'],
    ['incoming/письмо.txt', 'ru-koi8-r.txt', 'text/plain', 'koi8-r'],
    ['incoming/main.py', 'ko-euc-kr.txt', 'text/plain', 'euc-kr'],
  ])('records %s (%s) as text, %s, in %s', async (key, file, mimeType, encoding) => {
    // Act
    const inspection = await inspectAs(key, encodingFixture(file));

    // Assess
    expect(inspection).toMatchObject({ type: 'text', mimeType, encoding, textStrategy: 'local' });
  });

  it('never lets a name make binary data text', async () => {
    // Act
    const error = await inspectAs(
      'incoming/table.csv',
      encodingFixture('high-bytes-with-ascii-islands.bin'),
    ).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
  });

  it('records the encoding found from the whole file when the 64 KiB sample is ASCII', async () => {
    // Prepare
    const bytes = Buffer.concat([
      Buffer.alloc(70_000, 'a'),
      Buffer.from('\n'),
      encodingFixture('fr-windows-1252.txt'),
    ]);

    // Act
    const inspection = await inspectAs('incoming/export.txt', bytes);

    // Assess
    expect(inspection).toMatchObject({ type: 'text', encoding: 'windows-1252' });
  });

  it('rejects text that stops decoding past the sample as CORRUPT', async () => {
    // Prepare
    const bytes = Buffer.concat([
      Buffer.alloc(70_000, 'a'),
      Buffer.from('Gr\u00fc\u00dfe '),
      Buffer.from([0xc3, 0x28]),
    ]);

    // Act
    const error = await inspectAs('incoming/export.txt', bytes).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect((error as Error).message).toMatch(/^CORRUPT: the text is not valid utf-8 at byte 70008/);
  });
});
