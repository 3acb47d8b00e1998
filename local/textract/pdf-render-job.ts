import type { PdfRenderOptions } from '../../lambdas/shared/parsing/pdf-render';

/**
 * What crosses between {@link PdfRenderPool} and its render processes. Apart from the task's module, so
 * that `up` loads none of pdf.js, which only the render processes run.
 */

/** The render task's name, by which a render process finds it. */
export const PDF_RENDER_TASK_NAME = 'textract.pdf-render';

/** What one job does. `ping` only starts the process (pdf.js loaded), ahead of the first document. */
export type PdfRenderJob =
  | { readonly op: 'ping' }
  | { readonly op: 'count'; readonly data: Uint8Array; readonly budgetMs: number }
  | {
      readonly op: 'render';
      readonly data: Uint8Array;
      readonly page: number;
      readonly options: PdfRenderOptions;
      readonly budgetMs: number;
    };

/** A rendered page as it crosses the process boundary (a Buffer arrives as a Uint8Array). */
export interface RenderedPagePayload {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
}
