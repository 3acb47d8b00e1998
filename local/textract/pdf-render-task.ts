import { withPdfDocument } from '../../lambdas/inspect/pdf-probe';
import { renderPdfPage } from '../../lambdas/shared/parsing/pdf-render';
import { defineSandboxedTask } from '../../lambdas/shared/sandbox/sandboxed-task';
import { PDF_RENDER_TASK_NAME, type PdfRenderJob, type RenderedPagePayload } from './pdf-render-job';

/**
 * The sandboxed job of {@link PdfRenderPool}: count a PDF's pages, or render one of them, each from the
 * document's bytes, in a killable process of the same sandbox the Lambda functions parse in. Jobs hold
 * no state between them, so a page that hangs or crashes its process costs that page only.
 */

/** An image inside a PDF is decoded outside the V8 heap: over Textract's 10,000 × 10,000 pixels it is skipped. */
const MAX_IMAGE_PIXELS = 10_000 * 10_000;

const runJob = async (job: PdfRenderJob): Promise<number | RenderedPagePayload> => {
  if (job.op === 'ping') return 0;
  const options = { maxImageSize: MAX_IMAGE_PIXELS };
  if (job.op === 'count')
    return withPdfDocument(job.data, job.budgetMs, async (doc) => doc.numPages, options);
  return withPdfDocument(
    job.data,
    job.budgetMs,
    async (doc) => {
      const rendered = await renderPdfPage(doc, job.page, job.options);
      return {
        ...rendered,
        png: new Uint8Array(rendered.png.buffer, rendered.png.byteOffset, rendered.png.byteLength),
      };
    },
    options,
  );
};

export const PDF_RENDER_TASK = defineSandboxedTask(import.meta.url, PDF_RENDER_TASK_NAME, runJob);
