import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { CorruptDocumentError, DocumentTooLargeError } from '../shared/documents/errors';

/** What the image header says, after EXIF orientation (a portrait photo stored sideways is portrait). */
export interface ImageProbe {
  readonly width: number;
  readonly height: number;
  /** Pages of a multi-page TIFF; 1 for every other image (animation frames are not pages). */
  readonly pages: number;
  /** sharp's name for the format: `jpeg`, `png`, `webp`, `gif`, `tiff`, `heif`, `svg`. */
  readonly format: string;
}

export interface ImageProbeOptions {
  /** Largest width × height of one page. */
  readonly maxPixels: number;
  /** Most pages a multi-page image may have. */
  readonly maxPages: number;
  /**
   * Decode a small version of the image to prove the data is complete (a truncated file has an intact
   * header). Off for formats the runtime can read but not decode (HEIC).
   */
  readonly verifyDecode: boolean;
}

/** Edge, in pixels, of the throwaway image decoded to prove the data is complete. */
const VERIFY_SIDE = 32;

/**
 * Options for every sharp input in docflow: the pixel limit (sharp checks it from the header, before any
 * decode, so a decompression bomb fails in milliseconds) and failing on truncated data rather than
 * returning a half-grey picture.
 */
export const sharpInputOptions = (maxPixels: number): SharpOptions => ({
  limitInputPixels: maxPixels,
  failOn: 'truncated',
});

/** Maps a sharp error: over the pixel limit is TOO_LARGE, anything else about the input is CORRUPT. */
export const mapSharpError = (error: unknown, maxPixels: number): Error => {
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit/i.test(message)) {
    return new DocumentTooLargeError(`the image exceeds the limit of ${maxPixels} pixels`, { cause: error });
  }
  return new CorruptDocumentError(`the image cannot be read: ${message.split('\n')[0]}`, { cause: error });
};

/**
 * Reads an image's dimensions and page count from its header under the pixel limit, then (optionally)
 * decodes a tiny version to catch truncated or damaged data.
 */
export const probeImage = async (bytes: Uint8Array, options: ImageProbeOptions): Promise<ImageProbe> => {
  const input = sharpInputOptions(options.maxPixels);
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, input).metadata();
  } catch (error) {
    throw mapSharpError(error, options.maxPixels);
  }
  const { width, height, format } = metadata;
  if (!width || !height) throw new CorruptDocumentError('the image header has no dimensions');
  // sharp enforces the limit for the formats it decodes; checking again covers any loader that does not.
  if (width * height > options.maxPixels) {
    throw new DocumentTooLargeError(
      `the image is ${width}×${height} pixels, over the limit of ${options.maxPixels} pixels`,
    );
  }
  const pages = format === 'tiff' ? (metadata.pages ?? 1) : 1;
  if (pages > options.maxPages) {
    throw new DocumentTooLargeError(`the image has ${pages} pages, over the limit of ${options.maxPages}`);
  }
  if (options.verifyDecode) {
    try {
      await sharp(bytes, input).resize(VERIFY_SIDE, VERIFY_SIDE, { fit: 'inside' }).raw().toBuffer();
    } catch (error) {
      throw mapSharpError(error, options.maxPixels);
    }
  }
  return {
    width: metadata.autoOrient?.width ?? width,
    height: metadata.autoOrient?.height ?? height,
    pages,
    format,
  };
};
