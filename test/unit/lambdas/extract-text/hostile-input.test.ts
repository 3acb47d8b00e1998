import { afterAll, describe, expect, it } from 'vitest';
import { extractText } from '../../../../lambdas/extract-text/extract-text';
import { SandboxedTextExtractor } from '../../../../lambdas/extract-text/local-extractors';
import { SandboxedOcrImagePreparer } from '../../../../lambdas/extract-text/ocr-image';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  EncryptedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import type { Inspection } from '../../../../lambdas/shared/documents/metadata-item';
import { anUploadOf } from '../../../fixtures/document-outcomes';
import { buildPdf } from '../../../support/documents';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';
import { FakeTextract, textStepPorts } from '../../../support/fake-text-pipeline';
import { hostileBudget, sampleDocument, timedOutcome } from '../../../support/hostile-budget';
import {
  pdfClaimingPages,
  pdfWithExplodingPage,
  pseudoRandomBytes,
} from '../../../support/hostile-documents';

const BUDGET_MS = 3_000;
const { limits: LIMITS, worstCaseMs: WORST_CASE_MS } = hostileBudget(BUDGET_MS);
const PDF = sampleDocument('report-text-layer.pdf');

/** The real sandboxed parsers, shared by the tests of this file as a warm Lambda container shares them. */
const extractor = new SandboxedTextExtractor({ memoryMb: LIMITS.parseMemoryMb });
const images = new SandboxedOcrImagePreparer({ memoryMb: LIMITS.parseMemoryMb });

/** Runs the local text strategy over hostile bytes that Inspect let through as a PDF. */
const localTextOf = async (bytes: Buffer, pages = 1) => {
  const key = 'incoming/report.pdf';
  const document = anUploadOf(key, bytes.length);
  const inspection: Inspection = {
    mimeType: 'application/pdf',
    type: 'pdf',
    size: bytes.length,
    sha256: 'a'.repeat(64),
    pages,
    hasTextLayer: true,
    textStrategy: 'local',
  };
  const textract = new FakeTextract();
  const deps = textStepPorts(
    { blobs: new FakeDocumentBlobs().put(document, bytes), extractor, images, limits: LIMITS },
    textract,
  );
  const outcome = await timedOutcome(() => extractText({ strategy: 'local', document, inspection }, deps));
  const stored = deps.texts.documents.get(derivativeKeys.text(document));
  return { ...outcome, stored, textract };
};

describe('local text extraction of hostile input: a typed answer within the budget, never a hang', {
  timeout: 30_000,
}, () => {
  afterAll(() => {
    extractor.close();
    images.close();
  });

  it.each([
    {
      name: 'a zero-byte object',
      bytes: () => Buffer.alloc(0),
      error: EmptyDocumentError,
      message: /^EMPTY: /,
    },
    {
      name: 'a truncated PDF',
      bytes: () => PDF.subarray(0, Math.floor(PDF.length / 2)),
      error: CorruptDocumentError,
      message: /^CORRUPT: not a valid PDF/,
    },
    {
      name: 'random bytes',
      bytes: () => pseudoRandomBytes(4096),
      error: CorruptDocumentError,
      message: /^CORRUPT: not a valid PDF/,
    },
    {
      name: 'a PDF with a user password',
      bytes: () => buildPdf({ pages: [{ text: 'secret' }], encrypted: true }),
      error: EncryptedDocumentError,
      message: /^ENCRYPTED: the PDF is password-protected/,
    },
    {
      name: 'a PDF that claims 5,000 pages',
      bytes: () => pdfClaimingPages(5_000),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the PDF has 5000 pages, over the limit of 500/,
    },
  ])('rejects $name, storing no text and calling no Textract', async ({ bytes, error, message }) => {
    // Act
    const outcome = await localTextOf(bytes());

    // Assess
    expect(outcome.error).toBeInstanceOf(error);
    expect(outcome.error?.message).toMatch(message);
    expect(outcome.stored).toBeUndefined();
    expect(outcome.textract.detected).toEqual([]);
    expect(outcome.elapsedMs).toBeLessThan(WORST_CASE_MS);
  });

  it.each([
    { where: 'between two plain pages', pages: 3, explodingPage: 2 },
    { where: 'past the pages Inspect samples', pages: 5, explodingPage: 5 },
  ])(
    'stops pdf.js spinning on a page of 10⁹ text runs $where at the budget: the whole PDF is CORRUPT',
    async ({ pages, explodingPage }) => {
      // Act
      const outcome = await localTextOf(pdfWithExplodingPage({ pages, explodingPage }), pages);

      // Assess
      expect(outcome.error).toBeInstanceOf(CorruptDocumentError);
      expect(outcome.error?.message).toMatch(
        new RegExp(
          `^CORRUPT: (extract-text\\.local exceeded its|parsing the PDF timed out after) ${BUDGET_MS} ms`,
        ),
      );
      expect(outcome.stored).toBeUndefined();
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(BUDGET_MS);
      expect(outcome.elapsedMs).toBeLessThan(WORST_CASE_MS);
    },
  );

  it('extracts the next document normally after one was killed at its budget', async () => {
    // Prepare
    await localTextOf(pdfWithExplodingPage());

    // Act
    const outcome = await localTextOf(PDF, 2);

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ text: { source: 'pdf-text-layer' } });
    expect(outcome.stored?.pages[0]?.text.length).toBeGreaterThan(0);
  });
});
