import { createHash } from 'node:crypto';
import type { TextStrategy } from '../shared/document';
import type { BlobRef, DocumentBlobs } from '../shared/document-blobs';
import { DocumentTooLargeError, EmptyDocumentError } from '../shared/errors';
import type { Limits } from '../shared/limits';
import type { Inspection } from '../shared/metadata-item';
import { confirmDocx, confirmType, type DetectedType, detectType, SNIFF_BYTES } from './detect-type';
import { probeDocx, rejectCompoundFile } from './docx-probe';
import { probeImage } from './image-probe';
import { probePdf } from './pdf-probe';
import { verifyText } from './text-probe';

/** Ports and configuration of {@link inspectDocument}. */
export interface InspectDependencies {
  readonly blobs: DocumentBlobs;
  readonly limits: Limits;
}

/**
 * Largest file Textract's synchronous API accepts (10 MB). A one-page scan above it goes to the
 * asynchronous API, which takes up to 500 MB.
 */
export const TEXTRACT_SYNC_MAX_BYTES = 10_000_000;

/** What the probes found; Inspect adds the size and digest of the bytes. */
type Findings = Omit<Inspection, 'size' | 'sha256'>;

/**
 * How a PDF's text is obtained: its own text layer when it has one (free, exact), otherwise OCR —
 * synchronous for one page within Textract's sync size limit, asynchronous for the rest.
 */
export const pdfTextStrategy = (
  pdf: { pages: number; hasTextLayer: boolean },
  size: number,
): TextStrategy => {
  if (pdf.hasTextLayer) return 'local';
  return pdf.pages === 1 && size <= TEXTRACT_SYNC_MAX_BYTES ? 'textract-sync' : 'textract-async';
};

/**
 * Every raster image is OCR'd synchronously, one page at a time; only a multi-page TIFF needs the
 * asynchronous API. Images Textract cannot take as they are (WebP, GIF, AVIF, HEIC; over 10 MB or
 * 10,000 px a side) are still `textract-sync`: the text step converts and downscales them first, so
 * they are not rejected here.
 */
export const imageTextStrategy = (pages: number): TextStrategy =>
  pages > 1 ? 'textract-async' : 'textract-sync';

const probe = async (detected: DetectedType, bytes: Buffer, limits: Limits): Promise<Findings> => {
  switch (detected.family) {
    case 'pdf': {
      const pdf = await probePdf(bytes, { maxPages: limits.maxPages, timeoutMs: limits.parseTimeoutMs });
      return {
        mimeType: detected.mimeType,
        type: detected.type,
        ...pdf,
        textStrategy: pdfTextStrategy(pdf, bytes.length),
      };
    }
    case 'raster': {
      const image = await probeImage(bytes, {
        maxPixels: limits.maxImagePixels,
        maxPages: limits.maxPages,
        // The runtime's libvips reads HEIC headers but has no HEVC decoder to prove the data with.
        verifyDecode: detected.type !== 'heic',
      });
      return {
        mimeType: detected.mimeType,
        type: detected.type,
        width: image.width,
        height: image.height,
        pages: image.pages,
        textStrategy: imageTextStrategy(image.pages),
      };
    }
    case 'svg': {
      // Parsing the SVG for its size proves it well-formed; rendering it is the thumbnail step's work.
      const image = await probeImage(bytes, {
        maxPixels: limits.maxImagePixels,
        maxPages: limits.maxPages,
        verifyDecode: false,
      });
      return {
        mimeType: detected.mimeType,
        type: detected.type,
        width: image.width,
        height: image.height,
        pages: 1,
        textStrategy: 'none',
      };
    }
    case 'text':
      verifyText(bytes, detected.encoding);
      return { mimeType: detected.mimeType, type: detected.type, textStrategy: 'local' };
    case 'zip': {
      const mimeType = await confirmDocx(bytes);
      const docx = await probeDocx(bytes);
      return { mimeType, type: 'docx', ...docx, textStrategy: 'local' };
    }
    case 'compound-file':
      return rejectCompoundFile(bytes);
  }
};

/**
 * Inspects one stored document from its bytes alone: type, size, digest, pages or dimensions, title
 * and author, and the text strategy. Cheap checks come first: the size (HEAD) before any byte is read,
 * the type (first {@link SNIFF_BYTES}) before the whole object is. Rejections are typed errors
 * (EMPTY, UNSUPPORTED_TYPE, CORRUPT, ENCRYPTED, TOO_LARGE, NOT_FOUND).
 */
export const inspectDocument = async (
  ref: BlobRef,
  { blobs, limits }: InspectDependencies,
): Promise<Inspection> => {
  const { size } = await blobs.head(ref);
  if (size === 0) throw new EmptyDocumentError();
  if (size > limits.maxDocumentBytes) {
    throw new DocumentTooLargeError(
      `the object is ${size} bytes, over the limit of ${limits.maxDocumentBytes} bytes`,
    );
  }
  const sample = await blobs.readRange(ref, 0, Math.min(size, SNIFF_BYTES));
  if (sample.length === 0) throw new EmptyDocumentError();
  const complete = sample.length >= size;
  const sniffed = await detectType(sample, complete);

  // A small object is whole in its sample already; a second GET would fetch the same bytes.
  const bytes = complete ? sample : await blobs.read(ref, limits.maxDocumentBytes);
  if (bytes.length === 0) throw new EmptyDocumentError();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const findings = await probe(await confirmType(sniffed, bytes), bytes, limits);
  return { ...findings, size: bytes.length, sha256 };
};
