import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { DocumentRejectedError } from '../../../../lambdas/shared/documents/errors';
import { DEFAULT_LIMITS, type Limits } from '../../../../lambdas/shared/documents/limits';
import { makeThumbnail, pictureKindOf } from '../../../../lambdas/thumbnail/make-thumbnail';
import {
  type RenderedThumbnail,
  SandboxedThumbnailRenderer,
  type ThumbnailJob,
  type ThumbnailRenderer,
} from '../../../../lambdas/thumbnail/render-thumbnail';
import { aDocument } from '../../../fixtures/document-outcomes';
import { buildDocx, buildPdf } from '../../../support/documents';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';
import { InMemoryDerivativeStore } from '../../../support/in-memory-derivative-store';

const BUCKET = 'uploads-test';
const LIMITS: Limits = { ...DEFAULT_LIMITS, parseTimeoutMs: 8_000, parseMemoryMb: 256 };
const sampleDoc = (name: string): Buffer =>
  readFileSync(new URL(`../../../../sample-docs/${name}`, import.meta.url));

const documentRef = (key: string, versionId?: string): DocumentRef =>
  aDocument(key, '0055AED6DCD90281E5', {
    bucket: BUCKET,
    size: 0,
    ...(versionId === undefined ? {} : { version: versionId, versionId }),
  });

/** The real renderer, shared by the tests of this file as a warm Lambda container shares it. */
const contained = new SandboxedThumbnailRenderer({ memoryMb: LIMITS.parseMemoryMb });

/** A renderer that records its jobs and hands them to the contained one. */
class RecordingRenderer implements ThumbnailRenderer {
  readonly jobs: ThumbnailJob[] = [];

  render(job: ThumbnailJob): Promise<RenderedThumbnail> {
    this.jobs.push(job);
    return contained.render(job);
  }
}

const setup = (key: string, bytes: Buffer, versionId?: string) => {
  const document = documentRef(key, versionId);
  const blobs = new FakeDocumentBlobs().put(document, bytes);
  const derivatives = new InMemoryDerivativeStore();
  const renderer = new RecordingRenderer();
  return { document, blobs, derivatives, renderer, deps: { blobs, derivatives, renderer, limits: LIMITS } };
};

/** RGB of one pixel of a stored WebP. */
const pixelAt = async (webp: Buffer, x: number, y: number): Promise<[number, number, number]> => {
  const { data, info } = await sharp(webp).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [data[offset] ?? -1, data[offset + 1] ?? -1, data[offset + 2] ?? -1];
};

const isRed = ([r, g, b]: [number, number, number]): boolean => r > 170 && g < 90 && b < 90;

// A job may need a fresh thread: its start (slow under load) plus the job's budget.
describe('makeThumbnail', { timeout: 30_000 }, () => {
  afterAll(() => contained.close());

  it('applies EXIF orientation: the sideways-stored photo comes out portrait, marker top-right', async () => {
    // Prepare
    const { document, derivatives, deps } = setup(
      'incoming/photo-exif-rotated.jpg',
      sampleDoc('photo-exif-rotated.jpg'),
    );

    // Act
    const result = await makeThumbnail(document, { type: 'jpeg' }, deps);

    // Assess
    const key = derivativeKeys.thumbnail(document);
    expect(result).toEqual({
      thumbnail: { bucket: derivatives.bucket, key, width: 144, height: 256, contentType: 'image/webp' },
    });
    const stored = derivatives.objects.get(key);
    expect(stored?.contentType).toBe('image/webp');
    const body = stored?.body ?? Buffer.alloc(0);
    expect(await sharp(body).metadata()).toMatchObject({ format: 'webp', width: 144, height: 256 });
    // Upright, the red marker sits 16–80 px from the top-right corner of 360×640 (× 0.4 here).
    expect(isRed(await pixelAt(body, 115, 10))).toBe(true);
    expect(isRed(await pixelAt(body, 135, 30))).toBe(true);
    expect(isRed(await pixelAt(body, 15, 15))).toBe(false);
    expect(isRed(await pixelAt(body, 30, 30))).toBe(false);
  });

  it.each([
    { file: 'printed-text.png', type: 'png', width: 256, height: 84 },
    { file: 'diagram.webp', type: 'webp', width: 256, height: 171 },
    { file: 'report-text-layer.pdf', type: 'pdf', width: 198, height: 256 },
    { file: 'scanned-two-pages.pdf', type: 'pdf', width: 181, height: 256 },
  ])('fits $file inside 256×256, keeping its aspect ratio', async ({ file, type, width, height }) => {
    // Prepare
    const { document, derivatives, deps } = setup(`incoming/${file}`, sampleDoc(file));

    // Act
    const result = await makeThumbnail(document, { type }, deps);

    // Assess
    expect(result.thumbnail).toMatchObject({ width, height, contentType: 'image/webp' });
    const body = derivatives.objects.get(derivativeKeys.thumbnail(document))?.body;
    expect(await sharp(body).metadata()).toMatchObject({ format: 'webp', width, height });
  });

  it('draws the first page of a PDF: its text shows as dark pixels on white', async () => {
    // Prepare
    const pdf = buildPdf({ pages: [{ text: 'MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM' }, { image: true }] });
    const { document, derivatives, deps } = setup('incoming/one.pdf', pdf);

    // Act
    await makeThumbnail(document, { type: 'pdf' }, deps);

    // Assess
    const body = derivatives.objects.get(derivativeKeys.thumbnail(document))?.body;
    const { data } = await sharp(body).greyscale().raw().toBuffer({ resolveWithObject: true });
    const dark = data.filter((value) => value < 128).length;
    const white = data.filter((value) => value > 240).length;
    expect(dark).toBeGreaterThan(50);
    expect(white / data.length).toBeGreaterThan(0.8);
  });

  it('never enlarges a small image', async () => {
    // Prepare
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c0ffee' } })
      .png()
      .toBuffer();
    const { document, deps } = setup('incoming/tiny.png', png);

    // Act
    const result = await makeThumbnail(document, { type: 'png' }, deps);

    // Assess
    expect(result.thumbnail).toMatchObject({ width: 40, height: 30 });
  });

  it('rasterizes an SVG and never stores the SVG itself', async () => {
    // Prepare
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="256"><rect width="512" height="256" fill="#0a0"/></svg>',
    );
    const { document, derivatives, deps } = setup('incoming/drawing.svg', svg);

    // Act
    const result = await makeThumbnail(document, { type: 'svg' }, deps);

    // Assess
    expect(result.thumbnail).toMatchObject({ width: 256, height: 128, contentType: 'image/webp' });
    expect([...derivatives.objects.keys()]).toEqual([derivativeKeys.thumbnail(document)]);
    const body = derivatives.objects.get(derivativeKeys.thumbnail(document))?.body;
    expect(body?.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(body?.includes('<svg')).toBe(false);
  });

  it.each([
    { type: 'docx', bytes: () => buildDocx({ paragraphs: ['Hello'] }) },
    { type: 'text', bytes: async () => Buffer.from('plain text') },
  ])('answers null for $type without reading the object', async ({ type, bytes }) => {
    // Prepare
    const { document, blobs, derivatives, renderer, deps } = setup('incoming/file', await bytes());

    // Act
    const result = await makeThumbnail(document, { type }, deps);

    // Assess
    expect(result).toEqual({ thumbnail: null });
    expect(blobs.calls).toEqual([]);
    expect(renderer.jobs).toEqual([]);
    expect(derivatives.objects.size).toBe(0);
  });

  it('fails untyped on a type it does not know (a wiring fault, not a verdict on the document)', async () => {
    // Prepare
    const { document, blobs, deps } = setup('incoming/file.bin', Buffer.from('x'));

    // Act
    const result = makeThumbnail(document, { type: 'mp4' }, deps);

    // Assess
    await expect(result).rejects.toThrow('the thumbnail step does not know the document type "mp4"');
    await expect(result).rejects.not.toBeInstanceOf(DocumentRejectedError);
    expect(blobs.calls).toEqual([]);
  });

  it('reads the exact object version it was given, within the size limit, and passes the limits on', async () => {
    // Prepare
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const { document, blobs, renderer, deps } = setup('incoming/v.png', png, 'version-2');

    // Act
    await makeThumbnail(document, { type: 'png' }, deps);

    // Assess
    expect(blobs.calls).toEqual([
      { method: 'read', key: 'incoming/v.png', maxBytes: LIMITS.maxDocumentBytes },
      { method: 'isCurrent', key: 'incoming/v.png' },
    ]);
    expect(renderer.jobs.map(({ bytes, ...job }) => ({ ...job, size: bytes.length }))).toEqual([
      {
        kind: 'raster',
        maxPixels: LIMITS.maxImagePixels,
        maxPages: LIMITS.maxPages,
        budgetMs: LIMITS.parseTimeoutMs,
        size: png.length,
      },
    ]);
  });
});

describe('pictureKindOf', () => {
  it.each([
    ['jpeg', 'raster'],
    ['png', 'raster'],
    ['webp', 'raster'],
    ['gif', 'raster'],
    ['tiff', 'raster'],
    ['avif', 'raster'],
    ['heic', 'heic'],
    ['svg', 'svg'],
    ['pdf', 'pdf'],
    ['docx', null],
    ['text', null],
  ])('decodes %s as %s', (type, kind) => {
    // Act
    const actual = pictureKindOf(type);

    // Assess
    expect(actual).toBe(kind);
  });
});
