// Native modules and pdf.js are loaded here, at the top, so a sandboxed process loads them before it is
// ready, outside any job's budget (see defineSandboxedTask): the handler imports this module for
// THUMBNAIL_TASK. Loaded on a first PDF instead, pdf.js counted against that document's budget and, as
// memory the job left behind, could retire the process after it (decisions 24).
import '@napi-rs/canvas';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { mapSharpError, sharpInputOptions } from '../inspect/image-probe';
import { withPdfDocument } from '../inspect/pdf-probe';
import { CorruptDocumentError, DocumentTooLargeError } from '../shared/documents/errors';
import { loadHeicDecoders } from '../shared/parsing/heic-decoder';
import { renderPdfPage } from '../shared/parsing/pdf-render';
import { defineSandboxedTask, sandboxPoolOf } from '../shared/sandbox/sandboxed-task';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 256;

/** The thumbnail's format: small, with alpha, and never active content (unlike the SVG it may show). */
export const THUMBNAIL_CONTENT_TYPE = 'image/webp';

/**
 * A PDF's first page is drawn at most this many pixels on its longest side (twice the thumbnail, for a
 * clean downscale), at most {@link PDF_RENDER_DPI}: the canvas stays small whatever the page size says.
 */
export const PDF_RENDER_MAX_SIDE = 2 * THUMBNAIL_SIDE;
export const PDF_RENDER_DPI = 72;

/** How a picture is decoded; `null` for documents without one. */
export type PictureKind = 'raster' | 'svg' | 'heic' | 'pdf';

/** One thumbnail to make. Plain data: it crosses into a sandboxed process. */
export interface ThumbnailJob {
  readonly kind: PictureKind;
  readonly bytes: Uint8Array;
  /** Largest width × height decoded (of the image, or of one embedded PDF image). */
  readonly maxPixels: number;
  /** Most pages a PDF may claim. */
  readonly maxPages: number;
  /** The job's time budget; the decoders' own timeouts are set from it. */
  readonly budgetMs: number;
}

export interface RenderedThumbnail {
  readonly webp: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Makes a WebP thumbnail out of bytes; the real one runs sandboxed (see {@link SandboxedThumbnailRenderer}). */
export interface ThumbnailRenderer {
  render(job: ThumbnailJob): Promise<RenderedThumbnail>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** libvips stops an operation after this many seconds, as well as the budget killing its process. */
const sharpTimeoutSeconds = (budgetMs: number): number => Math.max(1, Math.floor(budgetMs / 1000));

/** Fits inside the thumbnail square without enlarging, and encodes WebP (metadata stripped). */
const toThumbnail = async (image: Sharp, job: ThumbnailJob): Promise<RenderedThumbnail> => {
  try {
    const { data, info } = await image
      .timeout({ seconds: sharpTimeoutSeconds(job.budgetMs) })
      .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return {
      webp: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw mapSharpError(error, job.maxPixels);
  }
};

/**
 * Reads the header under the pixel limit before anything is decoded: sharp refuses a 50k×50k PNG from
 * its header in milliseconds, and the explicit check covers any loader that would not.
 */
const checkHeader = async (bytes: Uint8Array, options: SharpOptions, maxPixels: number): Promise<void> => {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes, options).metadata());
  } catch (error) {
    throw mapSharpError(error, maxPixels);
  }
  if (!width || !height) throw new CorruptDocumentError('the image header has no dimensions');
  if (width * height > maxPixels) {
    throw new DocumentTooLargeError(
      `the image is ${width}×${height} pixels, over the limit of ${maxPixels} pixels`,
    );
  }
};

/**
 * Raster images (JPEG, PNG, WebP, GIF, TIFF, AVIF) with sharp: EXIF orientation applied (else a portrait
 * photo comes out sideways), first page or frame only, truncated data an error (not a grey picture).
 */
const renderRaster = async (job: ThumbnailJob): Promise<RenderedThumbnail> => {
  const options = sharpInputOptions(job.maxPixels);
  await checkHeader(job.bytes, options, job.maxPixels);
  return toThumbnail(sharp(job.bytes, options).rotate(), job);
};

/**
 * SVG is only ever rasterized, by librsvg inside sharp, under the same pixel limit. librsvg runs no
 * script and, reading from a buffer, has no base location to load external files from.
 */
const renderSvg = async (job: ThumbnailJob): Promise<RenderedThumbnail> => {
  const options = sharpInputOptions(job.maxPixels);
  await checkHeader(job.bytes, options, job.maxPixels);
  return toThumbnail(sharp(job.bytes, options), job);
};

/**
 * HEIC with heic-decode (libheif in WebAssembly; sharp's prebuilt libvips has no HEVC decoder). Every
 * image's size is read before any is decoded, so the pixel limit holds for the one that is; libheif
 * applies the HEIF rotation and mirroring itself.
 */
const renderHeic = async (job: ThumbnailJob): Promise<RenderedThumbnail> => {
  // Loaded on first use: a process that never sees a HEIC never compiles libheif.
  const decodeHeic = await loadHeicDecoders();
  let images: Awaited<ReturnType<typeof decodeHeic.all>>;
  try {
    images = await decodeHeic.all({ buffer: job.bytes });
  } catch (error) {
    throw new CorruptDocumentError(`the HEIC image cannot be read: ${messageOf(error)}`, { cause: error });
  }
  try {
    const primary = images[0];
    if (!primary) throw new CorruptDocumentError('the HEIC file holds no image');
    if (primary.width * primary.height > job.maxPixels) {
      throw new DocumentTooLargeError(
        `the HEIC image is ${primary.width}×${primary.height} pixels, over the limit of ${job.maxPixels} pixels`,
      );
    }
    let decoded: Awaited<ReturnType<typeof primary.decode>>;
    try {
      decoded = await primary.decode();
    } catch (error) {
      throw new CorruptDocumentError(`the HEIC image cannot be decoded: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const { width, height, data } = decoded;
    const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return await toThumbnail(
      sharp(raw, { ...sharpInputOptions(job.maxPixels), raw: { width, height, channels: 4 } }),
      job,
    );
  } finally {
    images.dispose();
  }
};

/**
 * A PDF's first page with pdf.js and @napi-rs/canvas, at a low resolution on a bounded canvas, then
 * resized with sharp. Embedded images above the pixel limit are skipped by pdf.js (`maxImageSize`)
 * instead of decoded.
 */
const renderPdf = async (job: ThumbnailJob): Promise<RenderedThumbnail> =>
  withPdfDocument(
    job.bytes,
    job.budgetMs,
    async (doc) => {
      if (doc.numPages < 1) throw new CorruptDocumentError('the PDF has no pages');
      if (doc.numPages > job.maxPages) {
        throw new DocumentTooLargeError(
          `the PDF has ${doc.numPages} pages, over the limit of ${job.maxPages}`,
        );
      }
      const page = await renderPdfPage(doc, 1, { dpi: PDF_RENDER_DPI, maxSidePixels: PDF_RENDER_MAX_SIDE });
      return toThumbnail(sharp(page.png, sharpInputOptions(job.maxPixels)), job);
    },
    { maxImageSize: job.maxPixels },
  );

/**
 * Makes one thumbnail in the calling thread. Every failure of the bytes is a typed rejection; anything
 * else (a fault of this code or of the machine) keeps its own error, so it is retried, not blamed on the
 * document.
 */
export const renderThumbnail = async (job: ThumbnailJob): Promise<RenderedThumbnail> => {
  switch (job.kind) {
    case 'raster':
      return renderRaster(job);
    case 'svg':
      return renderSvg(job);
    case 'heic':
      return renderHeic(job);
    case 'pdf':
      return renderPdf(job);
    default:
      throw new Error(`no thumbnail renderer for ${String(job.kind)}`);
  }
};

/** The thumbnail job as a sandboxed task: decoders and pdf.js meet hostile bytes. */
export const THUMBNAIL_TASK = defineSandboxedTask(import.meta.url, 'thumbnail.render', renderThumbnail);

/** {@link ThumbnailRenderer} in the calling thread: for tests and tools. */
export const inProcessThumbnailRenderer: ThumbnailRenderer = { render: renderThumbnail };

/**
 * {@link ThumbnailRenderer} in sandboxed processes, each job killed at its budget or at a memory cap:
 * a decoder that spins or balloons on a hostile file costs its process and the document is rejected;
 * the function lives on. A process is reused after jobs that succeed (see {@link SandboxPool}).
 */
export class SandboxedThumbnailRenderer extends sandboxPoolOf(THUMBNAIL_TASK) implements ThumbnailRenderer {
  render(job: ThumbnailJob): Promise<RenderedThumbnail> {
    return this.run(job, job.budgetMs);
  }
}
