import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  type HeicDecoder,
  type HeicImages,
  type OcrImageInput,
  type PrepareOcrImageOptions,
  prepareOcrImage,
  TEXTRACT_SYNC_LIMITS,
} from '../../../../lambdas/extract-text/ocr-image';
import { heicBrandedImage, pngClaimingSize } from '../../../support/documents';
import { heicClaimingSize } from '../../../support/hostile-documents';

const MAX_PIXELS = 50_000_000;
const BUDGET_MS = 10_000;

/** Prepares bytes of that type within the test's pixel limit and time budget. */
const prepare = (type: OcrImageInput['type'], bytes: Buffer, options?: PrepareOcrImageOptions) =>
  prepareOcrImage({ type, bytes, maxPixels: MAX_PIXELS, budgetMs: BUDGET_MS }, options);

/** Uniform random RGB pixels: incompressible, and quick to make. */
const randomPixels = (width: number, height: number) =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });

/** A HEIC decoder listing images of the given sizes; it records what it decodes and disposes. */
class ListingHeicDecoder {
  readonly decoded: string[] = [];
  disposed = 0;

  constructor(private readonly sizes: readonly { width: number; height: number }[]) {}

  readonly list: HeicDecoder = async () => {
    const images = this.sizes.map(({ width, height }) => ({
      width,
      height,
      decode: async () => {
        this.decoded.push(`${width}×${height}`);
        return { width, height, data: new Uint8ClampedArray(width * height * 4).fill(200) };
      },
    }));
    return Object.assign(images, { dispose: () => void this.disposed++ }) satisfies HeicImages;
  };
}

const formatOf = async (bytes: Uint8Array) => (await sharp(bytes).metadata()).format;

describe('prepareOcrImage', () => {
  it('converts a WebP, which Textract does not read, to a PNG of the same size', async () => {
    // Prepare
    const webp = readFileSync('sample-docs/diagram.webp');

    // Act
    const image = await prepare('webp', webp);

    // Assess
    const original = await sharp(webp).metadata();
    expect(image).toMatchObject({ format: 'png', width: original.width, height: original.height });
    expect(await formatOf(image.bytes)).toBe('png');
  });

  it('turns the pixels by the EXIF orientation, since the converted image has no tag', async () => {
    // Act
    const image = await prepare('jpeg', readFileSync('sample-docs/photo-exif-rotated.jpg'));

    // Assess
    expect([image.width, image.height]).toEqual([360, 640]);
  });

  it('scales an image down to 10,000 pixels on its longest side', async () => {
    // Prepare
    const wide = await sharp({ create: { width: 12_000, height: 240, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();

    // Act
    const image = await prepare('png', wide);

    // Assess
    expect([image.width, image.height]).toEqual([10_000, 200]);
  });

  it('falls back to JPEG when the PNG is over 10 MB', async () => {
    // Prepare: random pixels do not compress, so their PNG is over 10 MB
    const noise = await randomPixels(2_000, 1_800).png({ compressionLevel: 0 }).toBuffer();

    // Act
    const image = await prepare('png', noise);

    // Assess
    expect(image).toMatchObject({ format: 'jpeg', width: 2_000, height: 1_800 });
    expect(image.bytes.byteLength).toBeLessThan(TEXTRACT_SYNC_LIMITS.maxBytes);
    expect(await formatOf(image.bytes)).toBe('jpeg');
  });

  it('shrinks the JPEG, keeping the aspect ratio, until it is under the size limit', async () => {
    // Prepare
    const noise = await randomPixels(800, 600).png().toBuffer();
    const limits = { maxSidePixels: 10_000, maxBytes: 100_000 };

    // Act
    const image = await prepare('png', noise, { limits });

    // Assess
    expect(image.format).toBe('jpeg');
    expect(image.bytes.byteLength).toBeLessThan(limits.maxBytes);
    expect(image.width).toBeLessThan(800);
    expect(image.width / image.height).toBeCloseTo(800 / 600, 1);
  });

  it('gives up as TOO_LARGE when no size fits', async () => {
    // Prepare
    const noise = await randomPixels(400, 400).png().toBuffer();

    // Act
    const outcome = prepare('png', noise, { limits: { maxSidePixels: 10_000, maxBytes: 10 } });

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DocumentTooLargeError' });
  });

  it('puts transparent pixels on white, where black text stays readable', async () => {
    // Prepare: fully transparent black
    const transparent = await sharp({
      create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();

    // Act
    const image = await prepare('png', transparent);

    // Assess
    const { data, info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data.subarray(0, 3)]).toEqual([255, 255, 255]);
  });

  it('decodes HEIC with the HEIC decoder after checking its size against the pixel limit', async () => {
    // Prepare
    const heic = await heicBrandedImage(64, 48);
    const decoder = new ListingHeicDecoder([{ width: 64, height: 48 }]);

    // Act
    const image = await prepare('heic', heic, { heicDecoder: decoder.list });
    const refused = prepareOcrImage(
      { type: 'heic', bytes: heic, maxPixels: 1_000, budgetMs: BUDGET_MS },
      { heicDecoder: decoder.list },
    );

    // Assess
    expect(image).toMatchObject({ format: 'png', width: 64, height: 48 });
    await expect(refused).rejects.toMatchObject({
      name: 'DocumentTooLargeError',
      message: 'TOO_LARGE: the HEIC file holds an image of 64×48 pixels, over the limit of 1000 pixels',
    });
    expect(decoder.decoded).toEqual(['64×48']);
    expect(decoder.disposed).toBe(2);
  });

  it('checks every image of a HEIC before decoding any: an oversized second image refuses the file', async () => {
    // Prepare
    const heic = await heicBrandedImage(64, 48);
    const decoder = new ListingHeicDecoder([
      { width: 64, height: 48 },
      { width: 50_000, height: 50_000 },
    ]);

    // Act
    const outcome = prepare('heic', heic, { heicDecoder: decoder.list });

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'DocumentTooLargeError',
      message: expect.stringMatching(/^TOO_LARGE: the HEIC file holds an image of 50000×50000 pixels/),
    });
    expect(decoder.decoded).toEqual([]);
    expect(decoder.disposed).toBe(1);
  });

  it('refuses a real HEIF whose header claims 50,000 × 50,000 before decoding it', async () => {
    // Prepare
    const bomb = await heicClaimingSize(50_000, 50_000);

    // Act
    const started = performance.now();
    const outcome = prepare('heic', bomb);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'DocumentTooLargeError',
      message: expect.stringMatching(/^TOO_LARGE: the HEIC file holds an image of 50000×50000 pixels/),
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('rejects a HEIC the decoder cannot read as CORRUPT', async () => {
    // Prepare: an AV1 image behind a HEIC brand; heic-decode has no AV1 codec
    const heic = await heicBrandedImage(32, 32);

    // Act
    const outcome = prepare('heic', heic);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'CorruptDocumentError',
      message: expect.stringMatching(/^CORRUPT: the HEIC image cannot be decoded/),
    });
  });

  it('rejects a decompression bomb from its header, before decoding it', async () => {
    // Prepare
    const bomb = pngClaimingSize(50_000, 50_000);

    // Act
    const started = performance.now();
    const outcome = await prepare('png', bomb).catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ name: 'DocumentTooLargeError' });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('rejects a truncated image as CORRUPT and a kind it cannot convert as UNSUPPORTED', async () => {
    // Prepare
    const jpeg = readFileSync('sample-docs/photo-exif-rotated.jpg');

    // Act
    const outcomes = await Promise.allSettled([
      prepare('jpeg', jpeg.subarray(0, jpeg.length / 2)),
      prepare('svg', Buffer.from('<svg/>')),
    ]);

    // Assess
    expect(
      outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name),
    ).toEqual(['CorruptDocumentError', 'UnsupportedDocumentError']);
  });
});
