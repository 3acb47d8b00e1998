import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { processTree } from '../../../../bench/proc';
import { extractLocalText, SandboxedTextExtractor } from '../../../../lambdas/extract-text/local-extractors';
import { SandboxedOcrImagePreparer } from '../../../../lambdas/extract-text/ocr-image';
import { DocumentTooLargeError, EncryptedDocumentError } from '../../../../lambdas/shared/documents/errors';
import type { SandboxLimits } from '../../../../lambdas/shared/sandbox/sandboxed-task';
import { buildPdf } from '../../../support/documents';
import { pdfClaimingPages } from '../../../support/hostile-documents';

const CONTAINMENT: SandboxLimits = { budgetMs: 8_000, memoryMb: 256 };
const LIMITS = { maxPages: 500, parseTimeoutMs: 5_000 };

/** The parsers in their real setting: a sandboxed process with a heap cap and a time budget. */
describe('sandboxed extraction', () => {
  it('extracts in a sandboxed process exactly what it extracts in the calling thread', async () => {
    // Prepare
    const input = {
      type: 'pdf' as const,
      bytes: readFileSync('sample-docs/report-text-layer.pdf'),
      limits: LIMITS,
    };

    // Act
    const contained = await new SandboxedTextExtractor(CONTAINMENT).extract(input);

    // Assess
    expect(contained).toEqual(await extractLocalText(input));
  });

  it('brings typed rejections back across the process boundary as their class', async () => {
    // Prepare
    const extractor = new SandboxedTextExtractor(CONTAINMENT);

    // Act
    const outcomes = await Promise.allSettled([
      extractor.extract({ type: 'pdf', bytes: pdfClaimingPages(10_000), limits: LIMITS }),
      extractor.extract({
        type: 'pdf',
        bytes: buildPdf({ pages: [{ text: 'x' }], encrypted: true }),
        limits: LIMITS,
      }),
    ]);

    // Assess
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason)).toEqual([
      expect.any(DocumentTooLargeError),
      expect.any(EncryptedDocumentError),
    ]);
  });

  it('converts an image for OCR in a sandboxed process', async () => {
    // Act
    const image = await new SandboxedOcrImagePreparer(CONTAINMENT).prepare({
      type: 'webp',
      bytes: readFileSync('sample-docs/diagram.webp'),
      maxPixels: 50_000_000,
      budgetMs: CONTAINMENT.budgetMs,
    });

    // Assess
    expect(image).toMatchObject({ format: 'png', width: 480, height: 320 });
    expect(image.bytes).toBeInstanceOf(Uint8Array);
  });

  it('starts a text process with a Lambda environment, and the OCR image process with its first image', async () => {
    // Prepare: in a Lambda execution environment, pools start their processes in the Init phase
    const earlier = new Set(processTree(process.pid));
    const started = (): number => processTree(process.pid).filter((pid) => !earlier.has(pid)).length;
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'extract-text');
    const extractor = new SandboxedTextExtractor(CONTAINMENT);
    const images = new SandboxedOcrImagePreparer(CONTAINMENT);
    vi.unstubAllEnvs();
    try {
      const atInit = started();

      // Act
      await images.prepare({
        type: 'webp',
        bytes: readFileSync('sample-docs/diagram.webp'),
        maxPixels: 50_000_000,
        budgetMs: CONTAINMENT.budgetMs,
      });

      // Assess
      expect(atInit).toBe(1);
      expect(started()).toBe(2);
    } finally {
      extractor.close();
      images.close();
    }
  });
});
