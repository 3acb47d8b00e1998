import { parentPort } from 'node:worker_threads';
import {
  getDocument,
  type PDFDocumentLoadingTask,
  type PDFDocumentProxy,
} from 'pdfjs-dist/legacy/build/pdf.mjs';
import { mapPdfError, PDFJS_OPTIONS } from '../../lambdas/inspect/pdf-probe';
import { type PdfRenderOptions, renderPdfPage } from '../../lambdas/shared/parsing/pdf-render';

/**
 * Worker-thread entry of {@link PdfRenderPool}: holds at most one open PDF and renders its pages on
 * request. It runs apart from the service's event loop so a hostile PDF that makes pdf.js spin can be
 * stopped by terminating the thread.
 */

export type PdfWorkerRequest =
  | { readonly id: number; readonly op: 'open'; readonly data: Uint8Array }
  | { readonly id: number; readonly op: 'render'; readonly page: number; readonly options: PdfRenderOptions }
  | { readonly id: number; readonly op: 'close' };

export type PdfWorkerResponse =
  | {
      readonly id: number;
      readonly ok: true;
      readonly pageCount?: number;
      readonly page?: RenderedPagePayload;
    }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string };
    };

export interface RenderedPagePayload {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
}

const MAX_IMAGE_PIXELS = 10_000 * 10_000;

let task: PDFDocumentLoadingTask | undefined;
let doc: PDFDocumentProxy | undefined;

const close = async (): Promise<void> => {
  const closing = task;
  task = undefined;
  doc = undefined;
  await closing?.destroy();
};

const handle = async (request: PdfWorkerRequest): Promise<PdfWorkerResponse> => {
  switch (request.op) {
    case 'open': {
      await close();
      // An image inside a PDF is decoded outside the V8 heap cap: images over Textract's 10,000 × 10,000
      // pixels are skipped instead of being allocated.
      task = getDocument({ ...PDFJS_OPTIONS, maxImageSize: MAX_IMAGE_PIXELS, data: request.data });
      doc = await task.promise;
      return { id: request.id, ok: true, pageCount: doc.numPages };
    }
    case 'render': {
      if (!doc) throw new Error('no PDF is open');
      const rendered = await renderPdfPage(doc, request.page, request.options);
      const png = new Uint8Array(rendered.png.buffer, rendered.png.byteOffset, rendered.png.byteLength);
      return { id: request.id, ok: true, page: { ...rendered, png } };
    }
    case 'close':
      await close();
      return { id: request.id, ok: true };
  }
};

parentPort?.on('message', (request: PdfWorkerRequest) => {
  handle(request).then(
    (response) => parentPort?.postMessage(response),
    (error: unknown) => {
      const mapped = mapPdfError(error);
      parentPort?.postMessage({
        id: request.id,
        ok: false,
        error: { name: mapped.name, message: mapped.message },
      } satisfies PdfWorkerResponse);
    },
  );
});
