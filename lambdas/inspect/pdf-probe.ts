import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { getDocument, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import {
  CorruptDocumentError,
  DocumentRejectedError,
  DocumentTooLargeError,
  EncryptedDocumentError,
} from '../shared/documents/errors';
import { LIMIT_SETTINGS } from '../shared/documents/limits';
import { TimeBudgetExceededError, withTimeBudget } from '../shared/runtime/time-budget';
import { SANDBOX_TASK_ENV } from '../shared/sandbox/sandbox-process';
import { cleanMetadataText } from './metadata-text';

/** What Inspect learns from a PDF. */
export interface PdfProbe {
  readonly pages: number;
  readonly hasTextLayer: boolean;
  readonly title?: string;
  readonly author?: string;
}

export interface PdfProbeOptions {
  readonly maxPages: number;
  /** Largest image inside the PDF, in pixels, that pdf.js decodes (`maxImageSize`); bigger ones are skipped. */
  readonly maxPixels: number;
  /** Budget for the whole probe; over it the PDF is rejected as CORRUPT. */
  readonly timeoutMs: number;
}

/** Pages whose text decides whether a PDF has a text layer: a scanned PDF shows it on its first pages. */
export const TEXT_LAYER_SAMPLE_PAGES = 3;

/**
 * Non-whitespace characters per sampled page, on average, that make a text layer. A page number or a
 * scanner's stamp stays below it; a mixed document (a typed cover, scanned pages) goes to OCR, which also
 * reads the typed pages, whereas local extraction would lose the scanned ones.
 */
export const MIN_TEXT_CHARACTERS_PER_PAGE = 16;

type DocumentInitParameters = NonNullable<Parameters<typeof getDocument>[0]>;

// In Node, pdf.js runs its worker in-process and imports it on the first document. A sandboxed process
// exists to parse documents: loading the worker with this module moves that cost (seconds under a loaded
// CPU) into the process start, out of the first document's time budget.
if (process.env[SANDBOX_TASK_ENV] !== undefined) {
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = await import(
    'pdfjs-dist/legacy/build/pdf.worker.mjs'
  );
}

const packageRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const packageFolder = (name: string): string => `${join(packageRoot, name)}${sep}`;

/**
 * pdf.js options for Node: data folders as plain paths inside the installed package (pdf.js reads them
 * from disk; URLs fail), no system fonts (nothing a Lambda has), errors only on the console. Images are
 * bounded by default (pdf.js decodes any size it is told, outside the V8 heap: a 4 KB PDF claiming a
 * 50,000 × 50,000 image costs gigabytes); callers pass their configured limit over this one.
 */
export const PDFJS_OPTIONS = {
  standardFontDataUrl: packageFolder('standard_fonts'),
  cMapUrl: packageFolder('cmaps'),
  cMapPacked: true,
  wasmUrl: packageFolder('wasm'),
  useSystemFonts: false,
  maxImageSize: LIMIT_SETTINGS.maxImagePixels.default,
  verbosity: 0,
} as const satisfies DocumentInitParameters;

/** Maps what pdf.js throws while opening or reading a document to a rejection. */
export const mapPdfError = (error: unknown): Error => {
  if (error instanceof DocumentRejectedError) return error;
  if (error instanceof TimeBudgetExceededError) {
    return new CorruptDocumentError(`${error.message}; the PDF may be malformed or hostile`, {
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') {
    return new EncryptedDocumentError('the PDF is password-protected', { cause: error });
  }
  if (name === 'InvalidPDFException') {
    return new CorruptDocumentError(`not a valid PDF: ${message}`, { cause: error });
  }
  return new CorruptDocumentError(`the PDF cannot be parsed: ${message}`, { cause: error });
};

/** pdf.js options a caller may add to {@link PDFJS_OPTIONS}: renderers bound the images they decode. */
export type PdfOpenOptions = Pick<DocumentInitParameters, 'maxImageSize'>;

/**
 * Opens a PDF with {@link PDFJS_OPTIONS} (plus `options`) and runs `use` on it within a time budget,
 * always destroying the document afterwards (also on timeout). Every failure comes out as a typed
 * rejection.
 */
export const withPdfDocument = async <T>(
  bytes: Uint8Array,
  timeoutMs: number,
  use: (doc: PDFDocumentProxy) => Promise<T>,
  options: PdfOpenOptions = {},
): Promise<T> => {
  // pdf.js transfers (detaches) the buffer it is given and refuses a Node Buffer: hand it a private copy.
  const task = getDocument({ ...PDFJS_OPTIONS, ...options, data: new Uint8Array(bytes) });
  const destroy = (): void => {
    task.destroy().catch(() => undefined);
  };
  try {
    return await withTimeBudget('parsing the PDF', timeoutMs, async () => use(await task.promise), destroy);
  } catch (error) {
    throw mapPdfError(error);
  } finally {
    await task.destroy();
  }
};

const countNonWhitespace = (text: string): number => text.replace(/\s+/g, '').length;

/**
 * Non-whitespace characters in the text layer of one page; 0 when its content cannot be read, and
 * `undefined` when the page itself cannot be loaded (a broken page tree, a missing page object).
 */
const pageTextCharacters = async (doc: PDFDocumentProxy, pageNumber: number): Promise<number | undefined> => {
  let page: PDFPageProxy;
  try {
    page = await doc.getPage(pageNumber);
  } catch {
    return undefined;
  }
  try {
    const content = await page.getTextContent();
    return content.items.reduce((sum, item) => sum + ('str' in item ? countNonWhitespace(item.str) : 0), 0);
  } catch {
    // A broken content stream on one page says nothing about the others; the text step reports it.
    return 0;
  } finally {
    page.cleanup();
  }
};

interface XmpMetadata {
  get(name: string): unknown;
}

const xmpValue = (metadata: XmpMetadata | null | undefined, name: string): unknown => {
  const value = metadata?.get(name);
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Page count, title and author, and whether the first pages carry a text layer. Rejects encrypted PDFs
 * (ENCRYPTED), unparseable ones and ones that exhaust the time budget (CORRUPT), and documents with more
 * than `maxPages` pages (TOO_LARGE).
 */
export const probePdf = (bytes: Uint8Array, options: PdfProbeOptions): Promise<PdfProbe> =>
  withPdfDocument(
    bytes,
    options.timeoutMs,
    async (doc) => {
      const pages = doc.numPages;
      if (pages < 1) throw new CorruptDocumentError('the PDF has no pages');
      if (pages > options.maxPages) {
        throw new DocumentTooLargeError(`the PDF has ${pages} pages, over the limit of ${options.maxPages}`);
      }
      const { info, metadata } = await doc.getMetadata();
      const infoDictionary = info as Record<string, unknown>;
      const title =
        cleanMetadataText(infoDictionary.Title) ?? cleanMetadataText(xmpValue(metadata, 'dc:title'));
      const author =
        cleanMetadataText(infoDictionary.Author) ?? cleanMetadataText(xmpValue(metadata, 'dc:creator'));
      const sampled = Math.min(pages, TEXT_LAYER_SAMPLE_PAGES);
      let characters = 0;
      let loaded = 0;
      for (let pageNumber = 1; pageNumber <= sampled; pageNumber++) {
        const counted = await pageTextCharacters(doc, pageNumber);
        if (counted !== undefined) loaded += 1;
        characters += counted ?? 0;
      }
      // Nothing downstream could read such a PDF either (thumbnail, text layer, OCR): say so now.
      if (loaded === 0) {
        throw new CorruptDocumentError(
          `the PDF's page tree is broken: no page among the first ${sampled} loads`,
        );
      }
      return {
        pages,
        hasTextLayer: characters >= sampled * MIN_TEXT_CHARACTERS_PER_PAGE,
        ...(title === undefined ? {} : { title }),
        ...(author === undefined ? {} : { author }),
      };
    },
    { maxImageSize: options.maxPixels },
  );
