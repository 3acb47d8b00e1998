import type { DecodedHeicImage, HeicImage } from 'heic-decode';
import sharp, { type Sharp } from 'sharp';
import { mapSharpError, sharpInputOptions } from '../inspect/image-probe';
import {
  CorruptDocumentError,
  DocumentRejectedError,
  DocumentTooLargeError,
  UnsupportedDocumentError,
} from '../shared/documents/errors';
import { loadHeicDecoders } from '../shared/parsing/heic-decoder';
import { defineSandboxedTask, sandboxPoolOf } from '../shared/sandbox/sandboxed-task';

/**
 * Textract's synchronous limits for inline images: JPEG or PNG, at most 10,000 pixels a side and 10 MB.
 * Kept just under both (10 MB, not 10 MiB) so the same bytes pass in every Textract.
 */
export const TEXTRACT_SYNC_LIMITS = { maxSidePixels: 10_000, maxBytes: 10_000_000 } as const;

/** Image kinds (Inspect's `type`) that can be converted for OCR. */
export const CONVERTIBLE_IMAGE_TYPES = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heic'] as const;

/** An image ready for Textract's synchronous API. */
export interface OcrImage {
  readonly bytes: Uint8Array;
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
}

export interface OcrImageInput {
  /** Inspect's type of the bytes. */
  readonly type: string;
  readonly bytes: Uint8Array;
  /** Largest width × height decoded (checked from the header, before decoding). */
  readonly maxPixels: number;
  /**
   * Time budget of the conversion. Every sharp pipeline is also given it as its own timeout, so libvips
   * stops on its own, as well as with its sandboxed process.
   */
  readonly budgetMs: number;
}

/** Turns an image Textract cannot take as it is into one it can. */
export interface OcrImagePreparer {
  prepare(input: OcrImageInput): Promise<OcrImage>;
}

/** A HEIC file's top-level images, measured but not decoded; `dispose` frees them. */
export type HeicImages = readonly HeicImage[] & { readonly dispose: () => void };

/** Lists the images of a HEIC file without decoding any (heic-decode's `all`). */
export type HeicDecoder = (input: { readonly buffer: Uint8Array }) => Promise<HeicImages>;

/** heic-decode's `all`, with libheif loaded on the first HEIC. */
const listHeicImages: HeicDecoder = async (input) => (await loadHeicDecoders()).all(input);

export interface PrepareOcrImageOptions {
  /** @default heic-decode's `all` */
  readonly heicDecoder?: HeicDecoder;
  /** @default {@link TEXTRACT_SYNC_LIMITS} */
  readonly limits?: { readonly maxSidePixels: number; readonly maxBytes: number };
}

/** Tries before giving up on fitting the size limit; each shrinks the image by the size overshoot. */
const MAX_ENCODE_ATTEMPTS = 6;
const JPEG_QUALITY = 90;

/** Decoded pixels and how to start a pipeline on them again (each encoding attempt starts over). */
interface SourceImage {
  readonly width: number;
  readonly height: number;
  readonly open: () => Sharp;
}

const openWithSharp = async (bytes: Uint8Array, maxPixels: number): Promise<SourceImage> => {
  const options = sharpInputOptions(maxPixels);
  try {
    // `autoOrient` applies the EXIF orientation: the conversion drops the tag, so the pixels must turn.
    const metadata = await sharp(bytes, options).metadata();
    const width = metadata.autoOrient?.width ?? metadata.width;
    const height = metadata.autoOrient?.height ?? metadata.height;
    if (!width || !height) throw new CorruptDocumentError('the image header has no dimensions');
    return { width, height, open: () => sharp(bytes, options).rotate() };
  } catch (error) {
    if (error instanceof DocumentRejectedError) throw error;
    throw mapSharpError(error, maxPixels);
  }
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * HEIC through heic-decode (the runtime's libvips has no HEVC decoder). Every image's size is read
 * before any is decoded, so the pixel limit holds before the decoder allocates width × height × 4 bytes
 * (outside the V8 heap: in WebAssembly memory and a typed array). The first image is the one decoded,
 * and it need not be the one a header reader calls primary: every image is checked, not one.
 */
const openHeic = async (
  bytes: Uint8Array,
  maxPixels: number,
  listImages: HeicDecoder,
): Promise<SourceImage> => {
  let images: HeicImages;
  try {
    images = await listImages({ buffer: bytes });
  } catch (error) {
    throw new CorruptDocumentError(`the HEIC image cannot be read: ${messageOf(error)}`, { cause: error });
  }
  let decoded: DecodedHeicImage;
  try {
    const first = images[0];
    if (!first) throw new CorruptDocumentError('the HEIC file holds no image');
    const oversized = images.find((image) => image.width * image.height > maxPixels);
    if (oversized) {
      throw new DocumentTooLargeError(
        `the HEIC file holds an image of ${oversized.width}×${oversized.height} pixels, over the limit of ${maxPixels} pixels`,
      );
    }
    try {
      decoded = await first.decode();
    } catch (error) {
      throw new CorruptDocumentError(`the HEIC image cannot be decoded: ${messageOf(error)}`, {
        cause: error,
      });
    }
  } finally {
    images.dispose();
  }
  const { width, height, data } = decoded;
  const pixels = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    width,
    height,
    open: () => sharp(pixels, { raw: { width, height, channels: 4 }, limitInputPixels: maxPixels }),
  };
};

const encode = async (
  source: SourceImage,
  side: number,
  format: OcrImage['format'],
  budgetMs: number,
): Promise<OcrImage> => {
  const pipeline = source
    .open()
    .timeout({ seconds: Math.max(1, Math.floor(budgetMs / 1000)) })
    // Transparent pixels would turn black in a JPEG, and black text on them would vanish.
    .flatten({ background: '#ffffff' })
    .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
  const { data, info } = await (format === 'png'
    ? pipeline.png({ compressionLevel: 6 })
    : pipeline.jpeg({ quality: JPEG_QUALITY })
  ).toBuffer({ resolveWithObject: true });
  return { bytes: data, format, width: info.width, height: info.height };
};

/**
 * Converts an image for `DetectDocumentText`: EXIF orientation applied, transparency on white, longest
 * side at most 10,000 px, then PNG (lossless, best for text) or, when that is too big, JPEG, shrinking
 * further until it is under 10 MB. GIF and multi-frame images give their first frame.
 */
export const prepareOcrImage = async (
  input: OcrImageInput,
  { heicDecoder = listHeicImages, limits = TEXTRACT_SYNC_LIMITS }: PrepareOcrImageOptions = {},
): Promise<OcrImage> => {
  if (!(CONVERTIBLE_IMAGE_TYPES as readonly string[]).includes(input.type)) {
    throw new UnsupportedDocumentError(`a ${input.type} image cannot be prepared for OCR`);
  }
  const source =
    input.type === 'heic'
      ? await openHeic(input.bytes, input.maxPixels, heicDecoder)
      : await openWithSharp(input.bytes, input.maxPixels);
  let side = Math.min(limits.maxSidePixels, Math.max(source.width, source.height));
  try {
    let image = await encode(source, side, 'png', input.budgetMs);
    for (let attempt = 0; image.bytes.byteLength >= limits.maxBytes; attempt++) {
      if (attempt === MAX_ENCODE_ATTEMPTS) {
        throw new DocumentTooLargeError(`the image cannot be brought under ${limits.maxBytes} bytes for OCR`);
      }
      if (image.format === 'jpeg') {
        // Bytes grow roughly with the area: shrink the sides by the square root of the overshoot.
        side = Math.max(1, Math.floor(side * Math.sqrt(limits.maxBytes / image.bytes.byteLength) * 0.9));
      }
      image = await encode(source, side, 'jpeg', input.budgetMs);
    }
    return image;
  } catch (error) {
    if (error instanceof DocumentRejectedError) throw error;
    throw mapSharpError(error, input.maxPixels);
  }
};

/** The conversion as a sandboxed task: decoders read hostile bytes. */
export const OCR_IMAGE_TASK = defineSandboxedTask(
  import.meta.url,
  'extract-text.ocr-image',
  (input: OcrImageInput) => prepareOcrImage(input),
);

/**
 * {@link OcrImagePreparer} in sandboxed processes, each conversion killed at its budget (`budgetMs`)
 * or at a memory cap. A warm process is reused after conversions that succeed (see
 * {@link SandboxPool}), so an invocation does not pay a process start.
 *
 * Its first process starts with the first conversion, not with the environment: only images Textract
 * cannot read as stored (WebP, GIF, AVIF, HEIC, oversized) need one, and a process started ahead in
 * every extract-text environment costs a start (~0.4 s of CPU) and ~110 MiB resident that a burst of text
 * documents never uses (decisions 66).
 */
export class SandboxedOcrImagePreparer
  extends sandboxPoolOf(OCR_IMAGE_TASK, { prestart: false })
  implements OcrImagePreparer
{
  prepare(input: OcrImageInput): Promise<OcrImage> {
    return this.run(input, input.budgetMs);
  }
}
