import { afterAll, describe, expect, it } from 'vitest';
import { SandboxedDocumentProber } from '../../../../lambdas/inspect/document-prober';
import { detectBudget, inspectDocument } from '../../../../lambdas/inspect/inspect-document';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  EncryptedDocumentError,
  UnsupportedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import type { Limits } from '../../../../lambdas/shared/documents/limits';
import type { BlobRef } from '../../../../lambdas/shared/ports/document-blobs';
import { SANDBOX_START_TIMEOUT_MS } from '../../../../lambdas/shared/sandbox/sandboxed-task';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';
import { hostileBudget, timedOutcome } from '../../../support/hostile-budget';
import {
  gifHtmlZipPolyglot,
  HOSTILE_SAMPLES,
  type HostileSample,
  pdfWithExplodingPage,
  pdfWithImageClaiming,
  pdfWithLyingCount,
  svgReferencingFile,
  svgWithScript,
} from '../../../support/hostile-documents';
import { misbehavingProbe } from '../../../support/hostile-probe-tasks';

const { limits: LIMITS, worstCaseMs: WORST_CASE_MS } = hostileBudget(6_000);

/** The real prober, shared by the tests of this file as a warm Lambda container shares it. */
const prober = new SandboxedDocumentProber({ memoryMb: LIMITS.parseMemoryMb });
/** The same containment around a probe that spins or balloons on cue (see misbehavingProbe). */
// Its heap cap leaves room to load pdf.js and sharp: a thread that cannot even start fails untyped.
const misbehaving = new SandboxedDocumentProber({ memoryMb: LIMITS.parseMemoryMb, task: misbehavingProbe });

/** The shared hostile sample of that name: the bytes and key every step is tested with. */
const sampleNamed = (name: string): HostileSample => {
  const sample = HOSTILE_SAMPLES.find((candidate) => candidate.name === name);
  if (!sample) throw new Error(`no hostile sample named ${name}`);
  return sample;
};

/** Runs the Inspect core over hostile bytes uploaded under `key`, timing it. */
const inspectionOf = async (
  bytes: Buffer,
  key = 'incoming/upload',
  deps: { prober?: SandboxedDocumentProber; limits?: Limits } = {},
) => {
  const ref: BlobRef = { bucket: 'uploads', key };
  const blobs = new FakeDocumentBlobs().put(ref, bytes);
  const { result: inspection, ...outcome } = await timedOutcome(() =>
    inspectDocument(ref, { blobs, prober: deps.prober ?? prober, limits: deps.limits ?? LIMITS }),
  );
  return { ...outcome, inspection };
};

describe('inspection of hostile input: a typed answer within the budget, never a hang', {
  timeout: 30_000,
}, () => {
  afterAll(() => {
    prober.close();
    misbehaving.close();
  });

  it.each([
    { sample: sampleNamed('a zero-byte object'), error: EmptyDocumentError, message: /^EMPTY: / },
    {
      sample: sampleNamed('a truncated JPEG'),
      error: CorruptDocumentError,
      message: /^CORRUPT: the image cannot be read: .*premature end of JPEG image/,
    },
    {
      sample: sampleNamed('a truncated PDF'),
      error: CorruptDocumentError,
      message: /^CORRUPT: not a valid PDF/,
    },
    {
      sample: sampleNamed('random bytes named .jpg'),
      error: UnsupportedDocumentError,
      message: /^UNSUPPORTED_TYPE: not a known binary type/,
    },
    {
      sample: sampleNamed('random bytes named .pdf'),
      error: UnsupportedDocumentError,
      message: /^UNSUPPORTED_TYPE: not a known binary type/,
    },
    {
      sample: sampleNamed('a PNG decompression bomb (50,000 × 50,000)'),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the image exceeds the limit of 50000000 pixels/,
    },
    {
      sample: sampleNamed('a PDF with a user password'),
      error: EncryptedDocumentError,
      message: /^ENCRYPTED: the PDF is password-protected/,
    },
    {
      sample: sampleNamed('a PDF that claims 5,000 pages'),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the PDF has 5000 pages, over the limit of 500/,
    },
    {
      sample: sampleNamed('an HTML/ZIP polyglot behind a JPEG header'),
      error: CorruptDocumentError,
      message: /^CORRUPT: the image cannot be read/,
    },
    {
      sample: sampleNamed('a HEIC whose header claims 50,000 × 50,000'),
      error: DocumentTooLargeError,
      message: /^TOO_LARGE: the image exceeds the limit of 50000000 pixels/,
    },
  ])('rejects $sample.name', async ({ sample, error, message }) => {
    // Act
    const outcome = await inspectionOf(await sample.bytes(), `incoming/${sample.key}`);

    // Assess
    expect(outcome.error).toBeInstanceOf(error);
    expect(outcome.error?.message).toMatch(message);
    expect(outcome.elapsedMs).toBeLessThan(WORST_CASE_MS);
  });

  it('takes a GIF/HTML/ZIP polyglot for the GIF it also is', async () => {
    // Act
    const outcome = await inspectionOf(await gifHtmlZipPolyglot(), 'incoming/polyglot.html');

    // Assess
    expect(outcome.error).toBeUndefined();
    expect(outcome.inspection).toMatchObject({ type: 'gif', mimeType: 'image/gif', width: 32, height: 24 });
  });

  it.each([
    { name: 'a script', bytes: () => svgWithScript(), width: 120, height: 80 },
    {
      name: 'a reference to a local file',
      bytes: () => svgReferencingFile('/etc/passwd'),
      width: 100,
      height: 100,
    },
  ])(
    'accepts an SVG with $name as a picture without text, for the thumbnail step to rasterize',
    async ({ bytes, width, height }) => {
      // Act
      const outcome = await inspectionOf(bytes(), 'incoming/drawing.svg');

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(outcome.inspection).toMatchObject({ type: 'svg', width, height, textStrategy: 'none' });
    },
  );

  it('counts the one real page of a PDF whose page count lies, and of one drawing a 50,000 × 50,000 image', async () => {
    // Act
    const lying = await inspectionOf(pdfWithLyingCount(5_000), 'incoming/count.pdf');
    const imageBomb = await inspectionOf(pdfWithImageClaiming(50_000, 50_000), 'incoming/image-bomb.pdf');

    // Assess
    expect(lying.inspection).toMatchObject({ type: 'pdf', pages: 1 });
    expect(imageBomb.inspection).toMatchObject({ type: 'pdf', pages: 1 });
    expect(imageBomb.elapsedMs).toBeLessThan(WORST_CASE_MS);
  });

  it('stops pdf.js spinning on a page of 10⁹ text runs at the probe budget: CORRUPT', async () => {
    // Prepare
    const limits: Limits = { ...LIMITS, parseTimeoutMs: 3_000 };
    const probeBudgetMs = limits.parseTimeoutMs - detectBudget(limits.parseTimeoutMs);

    // Act
    const outcome = await inspectionOf(pdfWithExplodingPage(), 'incoming/exploding.pdf', { limits });

    // Assess
    expect(outcome.error).toBeInstanceOf(CorruptDocumentError);
    expect(outcome.error?.message).toMatch(
      new RegExp(
        `^CORRUPT: (inspect\\.probe exceeded its|parsing the PDF timed out after) ${probeBudgetMs} ms`,
      ),
    );
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(probeBudgetMs);
    expect(outcome.elapsedMs).toBeLessThan(SANDBOX_START_TIMEOUT_MS + limits.parseTimeoutMs);
  });

  it.each([
    { step: 'detect', budget: detectBudget },
    { step: 'probe', budget: (parseTimeoutMs: number) => parseTimeoutMs - detectBudget(parseTimeoutMs) },
  ])('kills a task spinning in the $step step at that step’s budget: CORRUPT', async ({ step, budget }) => {
    // Prepare
    const limits: Limits = { ...LIMITS, parseTimeoutMs: 2_000 };
    const budgetMs = budget(limits.parseTimeoutMs);

    // Act
    const outcome = await inspectionOf(Buffer.from(`spin:${step}\n`), 'incoming/notes.txt', {
      prober: misbehaving,
      limits,
    });

    // Assess
    expect(outcome.error).toBeInstanceOf(CorruptDocumentError);
    expect(outcome.error?.message).toBe(
      `CORRUPT: test.misbehaving-probe exceeded its ${budgetMs} ms budget; the document may be malformed or hostile`,
    );
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(budgetMs);
    expect(outcome.elapsedMs).toBeLessThan(SANDBOX_START_TIMEOUT_MS + limits.parseTimeoutMs);
  });

  it('kills a task that allocates without bound at the heap cap: TOO_LARGE, well within the budget', async () => {
    // Act
    const outcome = await inspectionOf(Buffer.from('balloon:probe\n'), 'incoming/balloon.txt', {
      prober: misbehaving,
    });

    // Assess
    expect(outcome.error).toBeInstanceOf(DocumentTooLargeError);
    expect(outcome.error?.message).toBe(
      'TOO_LARGE: test.misbehaving-probe needed more than its 256 MiB of memory; the document may be hostile',
    );
    expect(outcome.elapsedMs).toBeLessThan(WORST_CASE_MS);
  });
});
