import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  EncryptedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import { makeThumbnail } from '../../../../lambdas/thumbnail/make-thumbnail';
import { SandboxedThumbnailRenderer } from '../../../../lambdas/thumbnail/render-thumbnail';
import { anUploadOf } from '../../../fixtures/document-outcomes';
import { buildPdf, heicBrandedImage, pngClaimingSize } from '../../../support/documents';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';
import { hostileBudget, sampleDocument, timedOutcome } from '../../../support/hostile-budget';
import {
  gifHtmlZipPolyglot,
  heicClaimingSize,
  htmlZipBehindJpegHeader,
  pdfClaimingPages,
  pdfWithImageClaiming,
  pdfWithLyingCount,
  pseudoRandomBytes,
  svgReferencingFile,
  svgWithScript,
} from '../../../support/hostile-documents';
import { InMemoryDerivativeStore } from '../../../support/in-memory-derivative-store';

const { limits: LIMITS, worstCaseMs: WORST_CASE_MS } = hostileBudget(8_000);
const JPEG = sampleDocument('photo-exif-rotated.jpg');
const PDF = sampleDocument('report-text-layer.pdf');

/** The real renderer, shared by the tests of this file as a warm Lambda container shares it. */
const renderer = new SandboxedThumbnailRenderer({ memoryMb: LIMITS.parseMemoryMb });

/** Runs the Thumbnail core over hostile bytes, as Inspect labelled them, with the contained renderer. */
const thumbnailOf = async (bytes: Buffer, type: string, key = 'incoming/upload') => {
  const document = anUploadOf(key, bytes.length);
  const derivatives = new InMemoryDerivativeStore();
  const deps = {
    blobs: new FakeDocumentBlobs().put(document, bytes),
    derivatives,
    renderer,
    limits: LIMITS,
  };
  const outcome = await timedOutcome(() => makeThumbnail(document, { type }, deps));
  const stored = derivatives.objects.get(derivativeKeys.thumbnail(document))?.body;
  return { ...outcome, stored };
};

const rgbAt = async (webp: Buffer | undefined, x: number, y: number): Promise<number[]> => {
  const { data, info } = await sharp(webp).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [...data.subarray(offset, offset + 3)];
};

describe('thumbnail of hostile input: a typed answer within the budget, never a hang', {
  timeout: 30_000,
}, () => {
  afterAll(() => renderer.close());

  it.each([
    {
      name: 'a zero-byte object',
      type: 'jpeg',
      bytes: () => Buffer.alloc(0),
      error: EmptyDocumentError,
      message: /^EMPTY: /,
    },
    {
      name: 'a truncated JPEG',
      type: 'jpeg',
      bytes: () => JPEG.subarray(0, Math.floor(JPEG.length / 2)),
      error: CorruptDocumentError,
      message: /^CORRUPT: the image cannot be read: .*premature end of JPEG image/,
    },
    {
      name: 'a truncated PDF',
      type: 'pdf',
      bytes: () => PDF.subarray(0, Math.floor(PDF.length / 2)),
      error: CorruptDocumentError,
      message: /^CORRUPT: /,
    },
    {
      name: 'random bytes named and labelled as a JPEG',
      type: 'jpeg',
      bytes: () => pseudoRandomBytes(4096),
      error: CorruptDocumentError,
      message: /^CORRUPT: the image cannot be read: .*unsupported image format/,
    },
    {
      name: 'random bytes labelled as a PDF',
      type: 'pdf',
      bytes: () => pseudoRandomBytes(4096),
      error: CorruptDocumentError,
      message: /^CORRUPT: not a valid PDF/,
    },
    {
      name: 'a PNG decompression bomb (header claims 50,000 × 50,000)',
      type: 'png',
      bytes: () => pngClaimingSize(50_000, 50_000),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the image exceeds the limit of 50000000 pixels/,
    },
    {
      name: 'a PDF with a user password',
      type: 'pdf',
      bytes: () => buildPdf({ pages: [{ text: 'secret' }], encrypted: true }),
      error: EncryptedDocumentError,
      message: /^ENCRYPTED: the PDF is password-protected/,
    },
    {
      name: 'a PDF that claims 5,000 pages',
      type: 'pdf',
      bytes: () => pdfClaimingPages(5_000),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the PDF has 5000 pages, over the limit of 500/,
    },
    {
      name: 'an HTML/ZIP polyglot behind a JPEG header',
      type: 'jpeg',
      bytes: () => htmlZipBehindJpegHeader(),
      error: CorruptDocumentError,
      message: /^CORRUPT: the image cannot be read/,
    },
    {
      name: 'a HEIC whose header claims 50,000 × 50,000',
      type: 'heic',
      bytes: () => heicClaimingSize(50_000, 50_000),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the HEIC image is 50000×50000 pixels/,
    },
    {
      name: 'a HEIF coded with a codec the decoder lacks (AV1 labelled heic)',
      type: 'heic',
      bytes: () => heicBrandedImage(64, 48),
      error: CorruptDocumentError,
      message: /^CORRUPT: the HEIC image cannot be decoded/,
    },
    {
      name: 'random bytes labelled as HEIC',
      type: 'heic',
      bytes: () => pseudoRandomBytes(4096),
      error: CorruptDocumentError,
      message: /^CORRUPT: the HEIC image cannot be read/,
    },
  ])('rejects $name', async ({ type, bytes, error, message }) => {
    // Act
    const outcome = await thumbnailOf(await bytes(), type, 'incoming/holiday.jpg');

    // Assess
    expect(outcome.error).toBeInstanceOf(error);
    expect(outcome.error?.message).toMatch(message);
    expect(outcome.stored).toBeUndefined();
    expect(outcome.elapsedMs).toBeLessThan(WORST_CASE_MS);
  });

  it('shows a GIF/HTML/ZIP polyglot as the picture it also is, and stores none of the rest', async () => {
    // Prepare
    const polyglot = await gifHtmlZipPolyglot();

    // Act
    const outcome = await thumbnailOf(polyglot, 'gif');

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.thumbnail).toMatchObject({ width: 32, height: 24, contentType: 'image/webp' });
    expect(outcome.stored?.subarray(8, 12).toString('latin1')).toBe('WEBP');
    expect(outcome.stored?.includes('<script')).toBe(false);
    expect(outcome.stored?.includes(Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBe(false);
  });

  it('rasterizes an SVG with a script without running it', async () => {
    // Act
    const outcome = await thumbnailOf(svgWithScript(), 'svg');

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.thumbnail).toMatchObject({ width: 120, height: 80 });
    const [r, g, b] = await rgbAt(outcome.stored, 60, 40);
    expect(r).toBeLessThan(30);
    expect(g).toBeGreaterThan(225);
    expect(b).toBeLessThan(30);
  });

  it('rasterizes an SVG that references a local file without reading the file', async () => {
    // Prepare
    const secret = join(tmpdir(), `docflow-secret-${process.pid}.png`);
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ff0000' } }).toFile(secret);

    // Act
    const outcome = await thumbnailOf(svgReferencingFile(secret), 'svg');

    // Assess
    expect(outcome.error).toBeUndefined();
    const [r, g, b] = await rgbAt(outcome.stored, 50, 50);
    expect(r).toBeLessThan(30);
    expect(g).toBeLessThan(30);
    expect(b).toBeGreaterThan(225);
  });

  it('draws a PDF whose embedded image claims 50,000 × 50,000 without decoding that image', async () => {
    // Act
    const outcome = await thumbnailOf(pdfWithImageClaiming(50_000, 50_000), 'pdf');

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.thumbnail).toMatchObject({ width: 198, height: 256 });
    expect(await rgbAt(outcome.stored, 99, 128)).toEqual([255, 255, 255]);
    expect(outcome.elapsedMs).toBeLessThan(WORST_CASE_MS);
  });

  it('draws the one real page of a PDF whose page count lies', async () => {
    // Act
    const outcome = await thumbnailOf(pdfWithLyingCount(5_000), 'pdf');

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.thumbnail).toMatchObject({ width: 198, height: 256 });
  });
});
