import mammoth from 'mammoth';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DOCX_MAIN_PART, inflatesWithin, loadZip } from '../inspect/docx-probe';
import { withPdfDocument } from '../inspect/pdf-probe';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  UnsupportedDocumentError,
} from '../shared/documents/errors';
import type { TextInfo } from '../shared/documents/metadata-item';
import type { TextPage } from '../shared/documents/text-document';
import { decodeText, type TextEncoding } from '../shared/documents/text-encoding';
import { defineSandboxedTask, sandboxPoolOf } from '../shared/sandbox/sandboxed-task';
import { splitIntoPages } from './text-pages';

/** The kinds of document whose text is read without OCR (Inspect's `type`). */
export const LOCAL_TEXT_TYPES = ['pdf', 'docx', 'text'] as const;
export type LocalTextType = (typeof LOCAL_TEXT_TYPES)[number];

export const isLocalTextType = (type: string): type is LocalTextType =>
  (LOCAL_TEXT_TYPES as readonly string[]).includes(type);

/** Bounds of one local extraction. Plain data, so they cross into a sandboxed process. */
export interface LocalExtractionLimits {
  readonly maxPages: number;
  /** Budget for parsing the whole document. */
  readonly parseTimeoutMs: number;
}

/** One extraction's input: the bytes and what Inspect found them to be. */
export interface LocalExtractionInput {
  readonly type: LocalTextType;
  readonly bytes: Uint8Array;
  /** Plain text only: the encoding Inspect found (absent for documents inspected before it was recorded). */
  readonly encoding?: TextEncoding;
  readonly limits: LocalExtractionLimits;
}

/**
 * Text read from a document, page by page. DOCX and plain text have no fixed pages: theirs are text
 * pages of bounded size (see `splitIntoPages`), so a 50 MB text file reads back page by page.
 */
export interface ExtractedText {
  readonly source: TextInfo['source'];
  readonly pages: TextPage[];
}

/** Reads the text of a PDF with a text layer, a DOCX or a plain-text file, without OCR. */
export interface TextExtractor {
  extract(input: LocalExtractionInput): Promise<ExtractedText>;
}

/**
 * Largest `word/document.xml` inflated. The XML of a 300-page report is a few MiB; mammoth parses the
 * whole part into a tree, so a bigger one is a zip bomb or more than this function should hold.
 */
export const MAX_DOCX_XML_BYTES = 64 * 1024 * 1024;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface TextContentItem {
  readonly str?: string;
  readonly hasEOL?: boolean;
}

/**
 * The text of one page: pdf.js's items in content order, with a newline where pdf.js saw a line end.
 * A page that cannot be read records its error, and the document's other pages are still read.
 */
const readPdfPage = async (doc: PDFDocumentProxy, number: number): Promise<TextPage> => {
  try {
    const page = await doc.getPage(number);
    try {
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items as readonly TextContentItem[]) {
        if (item.str !== undefined) text += item.str;
        if (item.hasEOL) text += '\n';
      }
      return { number, text: text.replace(/[ \t]+\n/g, '\n').trim() };
    } finally {
      page.cleanup();
    }
  } catch (error) {
    return { number, text: '', error: `the page cannot be read: ${messageOf(error)}` };
  }
};

/**
 * The text layer of a PDF, page by page. Opening failures are typed rejections (ENCRYPTED, CORRUPT); a
 * broken page is recorded on that page only. A PDF none of whose pages can be read is CORRUPT.
 */
export const extractPdfText = (bytes: Uint8Array, limits: LocalExtractionLimits): Promise<ExtractedText> =>
  withPdfDocument(bytes, limits.parseTimeoutMs, async (doc) => {
    if (doc.numPages < 1) throw new CorruptDocumentError('the PDF has no pages');
    if (doc.numPages > limits.maxPages) {
      throw new DocumentTooLargeError(
        `the PDF has ${doc.numPages} pages, over the limit of ${limits.maxPages}`,
      );
    }
    const pages: TextPage[] = [];
    for (let number = 1; number <= doc.numPages; number++) pages.push(await readPdfPage(doc, number));
    const firstError = pages.find((page) => page.error !== undefined)?.error;
    if (firstError !== undefined && pages.every((page) => page.error !== undefined)) {
      throw new CorruptDocumentError(`no page of the PDF can be read (page 1: ${firstError})`);
    }
    return { source: 'pdf-text-layer', pages };
  });

/**
 * The text of a Word document with mammoth (paragraphs separated by a blank line). Title and author
 * come from Inspect. The main part's inflated size is checked first: mammoth inflates it whole.
 */
export const extractDocxText = async (
  bytes: Uint8Array,
  maxXmlBytes = MAX_DOCX_XML_BYTES,
): Promise<ExtractedText> => {
  const zip = await loadZip(bytes);
  const main = zip.file(DOCX_MAIN_PART);
  if (!main) throw new CorruptDocumentError(`the Word package has no ${DOCX_MAIN_PART}`);
  let within: boolean;
  try {
    within = await inflatesWithin(main, maxXmlBytes);
  } catch (error) {
    throw new CorruptDocumentError(`the Word package's ${DOCX_MAIN_PART} cannot be inflated`, {
      cause: error,
    });
  }
  if (!within) {
    throw new DocumentTooLargeError(
      `the Word document's text is over the limit of ${maxXmlBytes} bytes of XML`,
    );
  }
  let text: string;
  try {
    ({ value: text } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) }));
  } catch (error) {
    throw new CorruptDocumentError(`the Word document cannot be read: ${messageOf(error)}`, { cause: error });
  }
  return { source: 'docx', pages: splitIntoPages(text.trim()) };
};

/**
 * A plain-text file, decoded whole in the encoding Inspect found from its bytes (a BOM dropped). Nothing
 * is guessed here: bytes that do not decode in that encoding are CORRUPT, never text with U+FFFD in it.
 * A document inspected before encodings were recorded is read as its BOM says, else as UTF-8.
 */
export const extractPlainText = (bytes: Uint8Array, encoding?: TextEncoding): ExtractedText => ({
  source: 'plain-text',
  pages: splitIntoPages(decodeText(bytes, encoding)),
});

/** One local extraction, by type. Runs in the calling thread; see {@link LOCAL_TEXT_TASK}. */
export const extractLocalText = async (input: LocalExtractionInput): Promise<ExtractedText> => {
  switch (input.type) {
    case 'pdf':
      return extractPdfText(input.bytes, input.limits);
    case 'docx':
      return extractDocxText(input.bytes);
    case 'text':
      return extractPlainText(input.bytes, input.encoding);
    default:
      throw new UnsupportedDocumentError(`no local text extraction for ${String(input.type)}`);
  }
};

/** The local extraction as a sandboxed task: pdf.js and mammoth parse hostile bytes. */
export const LOCAL_TEXT_TASK = defineSandboxedTask(import.meta.url, 'extract-text.local', extractLocalText);

/**
 * {@link TextExtractor} in sandboxed processes, each extraction killed at its budget
 * (`limits.parseTimeoutMs`) or at the heap cap: a parser that spins or balloons on a hostile file is
 * killed and the document rejected, the function lives on. A warm thread is reused after extractions
 * that succeed (see {@link SandboxPool}), so an invocation does not pay a thread start.
 */
export class SandboxedTextExtractor extends sandboxPoolOf(LOCAL_TEXT_TASK) implements TextExtractor {
  extract(input: LocalExtractionInput): Promise<ExtractedText> {
    return this.run(input, input.limits.parseTimeoutMs);
  }
}
