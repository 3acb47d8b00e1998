import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptDocumentError } from '../../../../lambdas/shared/documents/errors';
import { PdfRenderPool } from '../../../../local/textract/pdf-render-pool';
import { pdfWithExplodingPage, pdfWithImageClaiming } from '../../../support/hostile-documents';

const PAGE_TIMEOUT_MS = 4_000;
const OCR_RENDERING = { dpi: 200, maxSidePixels: 10_000 };

const pool = new PdfRenderPool({ size: 1, pageTimeoutMs: PAGE_TIMEOUT_MS, maxHeapMb: 512 });

describe('the local Textract’s PDF renderer on hostile PDFs', { timeout: 30_000 }, () => {
  afterAll(() => pool.stop());

  it('draws a page whose image claims 50,000 × 50,000 without decoding the image', async () => {
    // Prepare: unbounded, pdf.js allocates the 2.5-gigapixel bitmap (a process reached 3.7 GB)
    const pdf = await pool.open(pdfWithImageClaiming(50_000, 50_000));

    // Act
    const started = performance.now();
    const page = await pdf.render(1, OCR_RENDERING);
    const elapsedMs = performance.now() - started;
    await pdf.close();

    // Assess
    expect({ width: page.width, height: page.height }).toEqual({ width: 1700, height: 2200 });
    const { data } = await sharp(page.png)
      .extract({ left: 850, top: 1100, width: 1, height: 1 })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([255, 255, 255]);
    expect(elapsedMs).toBeLessThan(PAGE_TIMEOUT_MS);
  });

  it('gives up on a page that spins at the page budget and still renders the pages after it', async () => {
    // Prepare
    const pdf = await pool.open(pdfWithExplodingPage({ pages: 3, explodingPage: 2 }));

    // Act
    const first = await pdf.render(1, OCR_RENDERING);
    const started = performance.now();
    const second = await pdf.render(2, OCR_RENDERING).catch((error: unknown) => error as Error);
    const secondMs = performance.now() - started;
    const third = await pdf.render(3, OCR_RENDERING);
    await pdf.close();

    // Assess
    expect(first.width).toBe(1700);
    expect(second).toBeInstanceOf(CorruptDocumentError);
    expect((second as Error).message).toBe(
      `CORRUPT: rendering page 2 took over ${PAGE_TIMEOUT_MS} ms; the PDF may be malformed or hostile`,
    );
    expect(secondMs).toBeGreaterThanOrEqual(PAGE_TIMEOUT_MS);
    expect(secondMs).toBeLessThan(PAGE_TIMEOUT_MS + 2_000);
    expect(third.width).toBe(1700);
  });
});
