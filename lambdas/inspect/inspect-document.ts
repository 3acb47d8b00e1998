import { createHash } from 'node:crypto';
import type { TextStrategy } from '../shared/documents/document';
import { DocumentTooLargeError, EmptyDocumentError } from '../shared/documents/errors';
import type { Limits } from '../shared/documents/limits';
import type { Inspection } from '../shared/documents/metadata-item';
import type { BlobRef, DocumentBlobs } from '../shared/ports/document-blobs';
import { SNIFF_BYTES, textMimeType } from './detect-type';
import type { DocumentProber, ProbeFindings } from './document-prober';

/** Ports and configuration of {@link inspectDocument}. */
export interface InspectDependencies {
  readonly blobs: DocumentBlobs;
  /** Parses the bytes; the real one sandboxed, killed at its budget or heap cap. */
  readonly prober: DocumentProber;
  /** `parseTimeoutMs` is the budget of all the parsing of one inspection (detection and probe). */
  readonly limits: Limits;
}

/**
 * Share of the parse budget, at most, that the detection of the type from the first bytes may use; the
 * probe of the whole bytes has the rest. Detection reads at most {@link SNIFF_BYTES} and takes
 * milliseconds; a sample that holds it longer is hostile. Split, not shared, so that the two steps
 * together never outlast the budget, whatever a thread start in between costs.
 */
export const DETECT_BUDGET_MAX_MS = 2_000;

/** The detection's part of a parse budget (see {@link DETECT_BUDGET_MAX_MS}): at most a quarter of it. */
export const detectBudget = (parseTimeoutMs: number): number =>
  Math.max(1, Math.min(DETECT_BUDGET_MAX_MS, Math.floor(parseTimeoutMs / 4)));

/**
 * Largest file Textract's synchronous API accepts (10 MB). A one-page scan above it goes to the
 * asynchronous API, which takes up to 500 MB.
 */
export const TEXTRACT_SYNC_MAX_BYTES = 10_000_000;

/** What the probe found, as stored; Inspect adds the size and digest of the bytes. */
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

/**
 * What the probe found, with the text strategy that follows from it. A text document's MIME type is
 * refined by its name (`text/csv`, `text/markdown`, `application/json`; see `textMimeType`).
 */
const stored = (findings: ProbeFindings, size: number, key: string): Findings => {
  switch (findings.family) {
    case 'pdf': {
      const { family: _, ...pdf } = findings;
      return { ...pdf, textStrategy: pdfTextStrategy(pdf, size) };
    }
    case 'raster':
    case 'svg': {
      const { family, mimeType, type, width, height, pages } = findings;
      // An SVG is drawn, never read: its text is markup, not a document's text.
      const textStrategy = family === 'svg' ? 'none' : imageTextStrategy(pages);
      return { mimeType, type, width, height, pages, textStrategy };
    }
    case 'text': {
      const { family: _, ...text } = findings;
      return { ...text, mimeType: textMimeType(key), textStrategy: 'local' };
    }
    case 'docx': {
      const { family: _, ...document } = findings;
      return { ...document, textStrategy: 'local' };
    }
  }
};

/**
 * Inspects one stored document from its bytes alone: type, size, digest, pages or dimensions, title
 * and author, and the text strategy. Cheap checks come first: one ranged read of the first
 * {@link SNIFF_BYTES} gives the size and the type before the whole object is read. Every parser runs behind the
 * `prober` (sandboxed, in the function), within `limits.parseTimeoutMs` for both of its steps together.
 * Rejections are typed errors (EMPTY, UNSUPPORTED_TYPE, CORRUPT, ENCRYPTED, TOO_LARGE, NOT_FOUND).
 */
export const inspectDocument = async (
  ref: BlobRef,
  { blobs, prober, limits }: InspectDependencies,
): Promise<Inspection> => {
  const { bytes: sample, size } = await blobs.readStart(ref, SNIFF_BYTES);
  if (size === 0) throw new EmptyDocumentError();
  if (size > limits.maxDocumentBytes) {
    throw new DocumentTooLargeError(
      `the object is ${size} bytes, over the limit of ${limits.maxDocumentBytes} bytes`,
    );
  }
  if (sample.length === 0) throw new EmptyDocumentError();
  const complete = sample.length >= size;
  const detectBudgetMs = detectBudget(limits.parseTimeoutMs);
  const detected = await prober.detect({ sample, complete, budgetMs: detectBudgetMs });

  // A small object is whole in its sample already; a second GET would fetch the same bytes.
  const bytes = complete ? sample : await blobs.read(ref, limits.maxDocumentBytes);
  if (bytes.length === 0) throw new EmptyDocumentError();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const findings = await prober.probe({
    detected,
    bytes,
    limits: { maxPixels: limits.maxImagePixels, maxPages: limits.maxPages },
    budgetMs: Math.max(1, limits.parseTimeoutMs - detectBudgetMs),
  });
  return { ...stored(findings, bytes.length, ref.key), size: bytes.length, sha256 };
};
