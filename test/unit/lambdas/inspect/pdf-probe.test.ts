import { describe, expect, it } from 'vitest';
import { mapPdfError, probePdf, withPdfDocument } from '../../../../lambdas/inspect/pdf-probe';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import { TimeBudgetExceededError } from '../../../../lambdas/shared/runtime/time-budget';
import { buildPdf, pdfFromObjects } from '../../../support/documents';

describe('pdf-probe', () => {
  it('rejects a PDF whose parsing outlasts the time budget as CORRUPT, saying it timed out', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ text: 'A perfectly fine page of text.' }] });
    const neverSettles = () => new Promise<never>(() => undefined);

    // Act
    const result = withPdfDocument(bytes, 50, neverSettles);

    // Assess
    await expect(result).rejects.toThrow(CorruptDocumentError);
    await expect(result).rejects.toThrow('CORRUPT: parsing the PDF timed out after 50 ms');
  });

  it('leaves the caller its bytes: pdf.js gets a copy to detach', async () => {
    // Prepare
    const bytes = buildPdf({ pages: [{ text: 'Copy me, do not detach me, thank you.' }] });
    const length = bytes.length;

    // Act
    const probe = await probePdf(bytes, { maxPages: 10, maxPixels: 50_000_000, timeoutMs: 5_000 });

    // Assess
    expect(probe.pages).toBe(1);
    expect(bytes.length).toBe(length);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('reads title and author from the XMP-free info dictionary, cleaned of control characters', async () => {
    // Prepare
    const bytes = buildPdf({
      pages: [{ image: true }],
      title: '  Annual\treport\n2026  ',
      author: 'Finance',
    });

    // Act
    const probe = await probePdf(bytes, { maxPages: 10, maxPixels: 50_000_000, timeoutMs: 5_000 });

    // Assess
    expect(probe).toEqual({ pages: 1, hasTextLayer: false, title: 'Annual report 2026', author: 'Finance' });
  });

  it('rejects a PDF none of whose sampled pages loads as CORRUPT: every later step would fail on it', async () => {
    // Prepare: a page tree that lists itself as its only kid
    const bytes = pdfFromObjects([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [2 0 R] /Count 1 >>',
    ]);

    // Act
    const probe = probePdf(bytes, { maxPages: 10, maxPixels: 50_000_000, timeoutMs: 5_000 });

    // Assess
    await expect(probe).rejects.toThrow(CorruptDocumentError);
    await expect(probe).rejects.toThrow(
      "CORRUPT: the PDF's page tree is broken: no page among the first 1 loads",
    );
  });

  it('keeps a PDF whose page loads but whose content stream is broken: OCR may still read it', async () => {
    // Prepare
    const bytes = pdfFromObjects([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
      '<< /Length 20 /Filter /FlateDecode >>\nstream\nnot deflated at all\nendstream',
    ]);

    // Act
    const probe = await probePdf(bytes, { maxPages: 10, maxPixels: 50_000_000, timeoutMs: 5_000 });

    // Assess
    expect(probe).toEqual({ pages: 1, hasTextLayer: false });
  });

  it.each([
    [Object.assign(new Error('No password given'), { name: 'PasswordException' }), EncryptedDocumentError],
    [
      Object.assign(new Error('Invalid PDF structure.'), { name: 'InvalidPDFException' }),
      CorruptDocumentError,
    ],
    [new Error('Bad FCHECK in flate stream'), CorruptDocumentError],
    [new TimeBudgetExceededError('parsing the PDF', 10), CorruptDocumentError],
  ])('maps %s to a rejection', (error, expected) => {
    // Act
    const mapped = mapPdfError(error);

    // Assess
    expect(mapped).toBeInstanceOf(expected);
    expect(mapped.cause).toBe(error);
  });

  it('passes its own rejections through unchanged', () => {
    // Prepare
    const tooLarge = new DocumentTooLargeError('the PDF has 9 pages, over the limit of 2');

    // Act
    const mapped = mapPdfError(tooLarge);

    // Assess
    expect(mapped).toBe(tooLarge);
  });
});
