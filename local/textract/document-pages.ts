import sharp from 'sharp';
import { CorruptDocumentError, DocumentTooLargeError } from '../../lambdas/shared/documents/errors';
import type { PageImage } from './ocr-engine';
import type { PdfRenderPool } from './pdf-render-pool';

/** The formats Textract reads. Anything else is an `UnsupportedDocumentException`. */
export type DocumentFormat = 'PDF' | 'PNG' | 'JPEG' | 'TIFF';

const startsWith = (bytes: Uint8Array, signature: readonly number[]): boolean =>
  signature.every((byte, index) => bytes[index] === byte);

const PDF_MARKER = Buffer.from('%PDF-', 'latin1');

/**
 * The format from the first bytes, never from a name or content type. PDF readers accept the header
 * anywhere in the first 1024 bytes, so this does too.
 */
export const sniffFormat = (bytes: Uint8Array): DocumentFormat | undefined => {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'TIFF';
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).includes(PDF_MARKER)) {
    return 'PDF';
  }
  return undefined;
};

/** A document opened for reading page by page. */
export interface PagedDocument {
  readonly format: DocumentFormat;
  readonly pageCount: number;
  /** The image of one page (1-based), ready for OCR. Rejects with a typed document error. */
  page(pageNumber: number): Promise<PageImage>;
  close(): Promise<void>;
}

/** Port: opens document bytes of a known format as pages. */
export interface DocumentOpener {
  open(bytes: Uint8Array, format: DocumentFormat): Promise<PagedDocument>;
}

export interface PageLimits {
  /** Textract reads images up to 10,000 px on each side. @default 10_000 */
  readonly maxImageSidePixels?: number;
  /** Resolution PDF pages are rendered at for OCR. @default 200 */
  readonly pdfDpi?: number;
  /** Longest side of a rendered PDF page; big pages get a lower resolution. @default 5_000 */
  readonly maxRenderSidePixels?: number;
  /** Textract's largest PDF page, in points on either side. @default 9_000 */
  readonly maxPdfPagePoints?: number;
}

const imageError = (error: unknown): Error => {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return new DocumentTooLargeError(`the image is too large: ${message}`);
  return new CorruptDocumentError(`the image cannot be decoded: ${message}`, { cause: error });
};

/**
 * Opens PDFs (pages rendered by pdf.js in the render pool) and images (PNG, JPEG, TIFF pages decoded by
 * sharp) as pages for OCR. Images are normalized to greyscale PNG: EXIF rotation applied (so boxes match
 * what a viewer shows), transparency flattened on white, and truncated files refused rather than read
 * half grey.
 */
export class DocumentPages implements DocumentOpener {
  readonly #pdf: PdfRenderPool;
  readonly #maxSide: number;
  readonly #dpi: number;
  readonly #maxRenderSide: number;
  readonly #maxPagePoints: number;

  constructor(pdf: PdfRenderPool, limits: PageLimits = {}) {
    this.#pdf = pdf;
    this.#maxSide = limits.maxImageSidePixels ?? 10_000;
    this.#dpi = limits.pdfDpi ?? 200;
    this.#maxRenderSide = limits.maxRenderSidePixels ?? 5_000;
    this.#maxPagePoints = limits.maxPdfPagePoints ?? 9_000;
  }

  open(bytes: Uint8Array, format: DocumentFormat): Promise<PagedDocument> {
    return format === 'PDF' ? this.#openPdf(bytes) : this.#openImage(bytes, format);
  }

  async #openPdf(bytes: Uint8Array): Promise<PagedDocument> {
    const pdf = await this.#pdf.open(bytes);
    const options = {
      dpi: this.#dpi,
      maxSidePixels: this.#maxRenderSide,
      maxPagePoints: this.#maxPagePoints,
    };
    return {
      format: 'PDF',
      pageCount: pdf.pageCount,
      page: async (pageNumber) => {
        const rendered = await pdf.render(pageNumber, options);
        return { bytes: rendered.png, width: rendered.width, height: rendered.height, dpi: rendered.dpi };
      },
      close: () => pdf.close(),
    };
  }

  async #openImage(bytes: Uint8Array, format: Exclude<DocumentFormat, 'PDF'>): Promise<PagedDocument> {
    // Every image of at most maxSide × maxSide fits under this, so a larger one fails from its header.
    const limitInputPixels = this.#maxSide * this.#maxSide;
    const metadata = await sharp(bytes, { limitInputPixels })
      .metadata()
      .catch((error: unknown) => {
        throw imageError(error);
      });
    this.#checkSides(metadata.width, metadata.height);
    const pageCount = format === 'TIFF' ? (metadata.pages ?? 1) : 1;
    return {
      format,
      pageCount,
      page: async (pageNumber) => {
        const { data, info } = await sharp(bytes, {
          limitInputPixels,
          failOn: 'truncated',
          page: pageNumber - 1,
        })
          .rotate()
          .flatten({ background: '#ffffff' })
          .greyscale()
          .png({ compressionLevel: 1 })
          .toBuffer({ resolveWithObject: true })
          .catch((error: unknown) => {
            throw imageError(error);
          });
        this.#checkSides(info.width, info.height);
        return { bytes: data, width: info.width, height: info.height };
      },
      close: async () => {},
    };
  }

  #checkSides(width: number | undefined, height: number | undefined): void {
    if (!width || !height) throw new CorruptDocumentError('the image has no dimensions');
    if (Math.max(width, height) > this.#maxSide) {
      throw new DocumentTooLargeError(
        `the image is ${width}×${height} px, over ${this.#maxSide} px on a side`,
      );
    }
  }
}
