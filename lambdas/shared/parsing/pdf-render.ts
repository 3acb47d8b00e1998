import type { Canvas } from '@napi-rs/canvas';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocumentTooLargeError } from '../documents/errors';

/** One rendered PDF page. */
export interface RenderedPdfPage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** The resolution actually used (lower than asked when the page is big). */
  readonly dpi: number;
}

export interface PdfRenderOptions {
  /** Wanted resolution; 150–200 suits OCR, far less suits a thumbnail. */
  readonly dpi: number;
  /** Longest side of the bitmap in pixels: big pages are rendered at a lower resolution instead. */
  readonly maxSidePixels: number;
  /** Pages larger than this, in points on either side, are refused. @default no limit */
  readonly maxPagePoints?: number;
}

/** The canvas factory pdf.js creates for Node (backed by @napi-rs/canvas); its own type is `object`. */
interface NodeCanvasFactory {
  create(width: number, height: number): { canvas: Canvas | null; context: unknown };
  destroy(canvasAndContext: { canvas: Canvas | null; context: unknown }): void;
}

/** Page size in PDF points (1/72 inch), rotation applied. */
export const pdfPageSize = (page: PDFPageProxy): { width: number; height: number } => {
  const { width, height } = page.getViewport({ scale: 1 });
  return { width, height };
};

/**
 * Renders one page of an open document to PNG on a white background, drawing on a canvas from the
 * document's own `canvasFactory` (pdf.js draws only on canvases of the implementation it loaded).
 * pdf.js errors propagate unchanged; the caller maps them (and bounds the time this takes).
 */
export const renderPdfPage = async (
  doc: PDFDocumentProxy,
  pageNumber: number,
  options: PdfRenderOptions,
): Promise<RenderedPdfPage> => {
  const page = await doc.getPage(pageNumber);
  try {
    const size = pdfPageSize(page);
    if (options.maxPagePoints !== undefined && Math.max(size.width, size.height) > options.maxPagePoints) {
      throw new DocumentTooLargeError(
        `page ${pageNumber} is ${Math.round(size.width)}×${Math.round(size.height)} points, over the limit of ${options.maxPagePoints}`,
      );
    }
    const scale = Math.min(options.dpi / 72, options.maxSidePixels / Math.max(size.width, size.height, 1));
    const viewport = page.getViewport({ scale });
    const width = Math.max(1, Math.round(viewport.width));
    const height = Math.max(1, Math.round(viewport.height));
    const factory = doc.canvasFactory as NodeCanvasFactory;
    const target = factory.create(width, height);
    try {
      await page.render({ canvas: target.canvas, viewport }).promise;
      if (!target.canvas) throw new Error('pdf.js released the canvas before it was read');
      const png = await target.canvas.encode('png');
      return { png, width, height, dpi: Math.round(scale * 72) };
    } finally {
      factory.destroy(target);
    }
  } finally {
    page.cleanup();
  }
};
