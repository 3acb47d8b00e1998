import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { extractText } from '../../../lambdas/extract-text/extract-text';
import { SandboxedTextExtractor } from '../../../lambdas/extract-text/local-extractors';
import { SandboxedOcrImagePreparer } from '../../../lambdas/extract-text/ocr-image';
import { indexEventSchema } from '../../../lambdas/index-metadata/index-event';
import { SandboxedDocumentProber } from '../../../lambdas/inspect/document-prober';
import { inspectDocument } from '../../../lambdas/inspect/inspect-document';
import type { DocumentRef, TextStrategy } from '../../../lambdas/shared/documents/document';
import { DocumentRejectedError } from '../../../lambdas/shared/documents/errors';
import type { Inspection, TextInfo, ThumbnailInfo } from '../../../lambdas/shared/documents/metadata-item';
import type { TextDetectionJobStarter, TextDetector } from '../../../lambdas/shared/ports/text-detection';
import { makeThumbnail } from '../../../lambdas/thumbnail/make-thumbnail';
import { SandboxedThumbnailRenderer } from '../../../lambdas/thumbnail/render-thumbnail';
import { anUploadOf } from '../../fixtures/document-outcomes';
import { FakeDocumentBlobs } from '../../support/fake-document-blobs';
import { textStepPorts } from '../../support/fake-text-pipeline';
import { hostileBudget } from '../../support/hostile-budget';
import * as hostileDocuments from '../../support/hostile-documents';
import { HOSTILE_SAMPLES, type HostileOutcome, type HostileSample } from '../../support/hostile-documents';
import { InMemoryDerivativeStore } from '../../support/in-memory-derivative-store';

/**
 * Every hostile sample of test/support/hostile-documents through the three steps that parse documents,
 * each with its real sandboxed parsers: Inspect, then Thumbnail and the text step as the state machine
 * runs them. Where Inspect refuses the bytes, the two later steps still get them, labelled as the bytes
 * claim to be, so each step holds on its own. Every step must end in a typed rejection or in a result
 * the IndexMetadata step accepts, within its budget.
 */

/** Each step is held to the containment's worst case on its own. */
const { limits: LIMITS, worstCaseMs: STEP_BOUND_MS } = hostileBudget(3_000);

const memory = { memoryMb: LIMITS.parseMemoryMb };
const prober = new SandboxedDocumentProber(memory);
const renderer = new SandboxedThumbnailRenderer(memory);
const extractor = new SandboxedTextExtractor(memory);
const images = new SandboxedOcrImagePreparer(memory);

/**
 * Textract, which reads nothing in the function: it answers every page with no text. The text step's
 * own parsing (the local strategy, and converting images Textract does not take) is what is tested.
 */
const textract: TextDetector & TextDetectionJobStarter = {
  detect: async () => ({ pages: 1, blocks: [] }),
  start: async () => ({ jobId: 'job-1' }),
};

type StepOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly elapsedMs: number }
  | { readonly ok: false; readonly error: Error; readonly elapsedMs: number };

const timed = async <T>(work: () => Promise<T>): Promise<StepOutcome<T>> => {
  const started = performance.now();
  return work().then(
    (value) => ({ ok: true as const, value, elapsedMs: performance.now() - started }),
    (error: unknown) => ({
      ok: false as const,
      error: error as Error,
      elapsedMs: performance.now() - started,
    }),
  );
};

/** The inspection a step would get had Inspect believed what the bytes claim. */
const labelledAs = (sample: HostileSample, bytes: Buffer): Inspection => {
  const textStrategy: TextStrategy =
    sample.claims === 'pdf' ? 'local' : sample.claims === 'svg' ? 'none' : 'textract-sync';
  return {
    mimeType: 'application/octet-stream',
    type: sample.claims,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    pages: 1,
    width: 1_000,
    height: 1_000,
    textStrategy,
  };
};

const documentFor = (sample: HostileSample, bytes: Buffer): DocumentRef =>
  anUploadOf(`incoming/hostile/${sample.key}`, bytes.length);

/** Runs one sample through the three steps; the later two with Inspect's answer, or with the claim. */
const runSample = async (sample: HostileSample) => {
  const bytes = await sample.bytes();
  const document = documentFor(sample, bytes);
  const blobs = new FakeDocumentBlobs().put(document, bytes);
  const textDeps = textStepPorts({ blobs, extractor, images, limits: LIMITS }, textract);

  const inspect = await timed(() => inspectDocument(document, { blobs, prober, limits: LIMITS }));
  const inspection = inspect.ok ? inspect.value : labelledAs(sample, bytes);
  const thumbnail = await timed(() =>
    makeThumbnail(document, inspection, {
      blobs,
      derivatives: new InMemoryDerivativeStore(),
      renderer,
      limits: LIMITS,
    }),
  );
  const text = await timed(async (): Promise<TextInfo | null> => {
    if (inspection.textStrategy === 'none') return null;
    const request =
      inspection.textStrategy === 'textract-async'
        ? { strategy: inspection.textStrategy, document, inspection, taskToken: 'token' }
        : { strategy: inspection.textStrategy, document, inspection };
    const result = await extractText(request, textDeps);
    // An asynchronous job's text arrives later, through the Textract callback.
    return 'text' in result ? result.text : null;
  });
  return { document, inspect, inspection, thumbnail, text };
};

const reasonOf = (outcome: StepOutcome<unknown>): HostileOutcome | undefined =>
  !outcome.ok && outcome.error instanceof DocumentRejectedError ? outcome.error.reason : undefined;

describe('every hostile sample through Inspect, Thumbnail and the text step, contained', () => {
  afterAll(() => {
    prober.close();
    renderer.close();
    extractor.close();
    images.close();
  });

  it('has a sample for every builder of hostile documents', () => {
    // Prepare
    const exports: Record<string, unknown> = hostileDocuments;
    const builders = Object.entries(exports).filter(([, value]) => typeof value === 'function');

    // Act
    const withoutSample = builders
      .filter(
        ([, builder]) => !HOSTILE_SAMPLES.some((sample) => sample.builders.some((used) => used === builder)),
      )
      .map(([name]) => name);

    // Assess
    expect(builders.length).toBeGreaterThan(5);
    expect(withoutSample).toEqual([]);
  });

  it.each(HOSTILE_SAMPLES.map((sample) => ({ ...sample, expectedOutcome: sample.expected })))(
    '$name: every step ends typed or usable in time; the pipeline records $expectedOutcome',
    { timeout: 3 * STEP_BOUND_MS },
    async (sample) => {
      // Act
      const { document, inspect, inspection, thumbnail, text } = await runSample(sample);

      // Assess: no step fails untyped (a fault, retried, then FAILED), none outlasts its bound
      for (const [step, outcome] of Object.entries({ inspect, thumbnail, text })) {
        if (!outcome.ok) {
          expect(outcome.error, `${step}: ${outcome.error.message}`).toBeInstanceOf(DocumentRejectedError);
        }
        expect(outcome.elapsedMs, step).toBeLessThan(STEP_BOUND_MS);
      }
      // Assess: what the state machine would record (Inspect first, then the parallel branches)
      const rejected = reasonOf(inspect) ?? reasonOf(thumbnail) ?? reasonOf(text);
      expect(rejected ?? 'PROCESSED').toBe(sample.expected);
      if (rejected === undefined && thumbnail.ok && text.ok) {
        const thumbnailInfo: ThumbnailInfo | null = thumbnail.value.thumbnail;
        const indexed = indexEventSchema.safeParse({
          outcome: 'PROCESSED',
          document,
          inspection,
          thumbnail: thumbnailInfo,
          text: text.value,
          execution: {
            arn: 'arn:aws:states:us-east-1:123456789012:execution:pipeline:x',
            startedAt: document.uploadedAt,
          },
        });
        expect(indexed.error).toBeUndefined();
      }
    },
  );
});
