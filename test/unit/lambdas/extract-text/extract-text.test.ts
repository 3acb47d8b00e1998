import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ExtractTextDependencies,
  extractText,
  readableByReference,
  type TextTask,
} from '../../../../lambdas/extract-text/extract-text';
import type {
  ExtractedText,
  LocalExtractionInput,
  TextExtractor,
} from '../../../../lambdas/extract-text/local-extractors';
import type { OcrImageInput, OcrImagePreparer } from '../../../../lambdas/extract-text/ocr-image';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import {
  CorruptDocumentError,
  DocumentNotFoundError,
  TextractThrottledError,
  UnsupportedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import { DEFAULT_LIMITS } from '../../../../lambdas/shared/documents/limits';
import type { Inspection } from '../../../../lambdas/shared/documents/metadata-item';
import { TEXTRACT_JOB_RECORD_TTL_SECONDS } from '../../../../lambdas/shared/ports/textract-jobs';
import { aDocument } from '../../../fixtures/document-outcomes';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';
import {
  type EventLog,
  FakeTextract,
  InMemoryTextDocumentStore,
  InMemoryTextractJobs,
  lineBlock,
} from '../../../support/fake-text-pipeline';

const BUCKET = 'uploads';
const NOW = new Date('2026-11-23T12:00:00.000Z');

const documentRef = (key: string, size: number, versionId?: string): DocumentRef =>
  aDocument(key, '0065A1B2C3D4E5F601', {
    bucket: BUCKET,
    size,
    uploadedAt: NOW.toISOString(),
    ...(versionId === undefined ? {} : { version: versionId, versionId }),
  });

const inspection = (fields: Partial<Inspection> & Pick<Inspection, 'type' | 'textStrategy'>): Inspection => ({
  mimeType: 'application/octet-stream',
  size: 1_000,
  sha256: 'a'.repeat(64),
  ...fields,
});

class FakeExtractor implements TextExtractor {
  readonly inputs: LocalExtractionInput[] = [];
  constructor(private readonly answer: ExtractedText | Error) {}
  async extract(input: LocalExtractionInput): Promise<ExtractedText> {
    this.inputs.push(input);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

class FakeImages implements OcrImagePreparer {
  readonly inputs: OcrImageInput[] = [];
  async prepare(input: OcrImageInput) {
    this.inputs.push(input);
    return { bytes: new Uint8Array([1, 2, 3]), format: 'png' as const, width: 10, height: 10 };
  }
}

const setUp = (options: { extracted?: ExtractedText | Error } = {}) => {
  const events: EventLog = [];
  const blobs = new FakeDocumentBlobs();
  const extractor = new FakeExtractor(options.extracted ?? { source: 'plain-text', pages: [] });
  const images = new FakeImages();
  const textract = new FakeTextract(events);
  const jobs = new InMemoryTextractJobs(events);
  const texts = new InMemoryTextDocumentStore('derivatives', events);
  const deps: ExtractTextDependencies = {
    blobs,
    extractor,
    images,
    detector: textract,
    jobStarter: textract,
    jobs,
    texts,
    limits: DEFAULT_LIMITS,
    now: () => NOW,
  };
  return { events, blobs, extractor, images, textract, jobs, texts, deps };
};

const upload = (blobs: FakeDocumentBlobs, key: string, bytes: Buffer, versionId?: string): DocumentRef => {
  const document = documentRef(key, bytes.length, versionId);
  blobs.put({ bucket: BUCKET, key, ...(versionId === undefined ? {} : { versionId }) }, bytes);
  return document;
};

describe('extractText, local', () => {
  it('reads the bytes, extracts them, stores one text document and returns only a pointer and counts', async () => {
    // Prepare
    const { blobs, extractor, texts, deps } = setUp({
      extracted: {
        source: 'pdf-text-layer',
        pages: [
          { number: 1, text: 'Quarterly report' },
          { number: 2, text: '', error: 'the page cannot be read: bad' },
          { number: 3, text: 'Harbour crane seven' },
        ],
      },
    });
    const document = upload(blobs, 'incoming/report.pdf', Buffer.from('%PDF-1.7 …'), 'v1');
    const task: TextTask = {
      document,
      inspection: inspection({ type: 'pdf', textStrategy: 'local', pages: 3 }),
    };

    // Act
    const result = await extractText({ strategy: 'local', ...task }, deps);

    // Assess
    const key = derivativeKeys.text(document);
    expect(result).toEqual({
      text: { bucket: 'derivatives', key, pages: 3, characters: 35, words: 5, source: 'pdf-text-layer' },
    });
    expect(extractor.inputs).toEqual([
      {
        type: 'pdf',
        bytes: Buffer.from('%PDF-1.7 …'),
        limits: { maxPages: DEFAULT_LIMITS.maxPages, parseTimeoutMs: DEFAULT_LIMITS.parseTimeoutMs },
      },
    ]);
    expect(texts.documents.get(key)).toEqual({
      documentId: document.id,
      version: 'v1',
      sequencer: document.sequencer,
      source: 'pdf-text-layer',
      pages: [
        { number: 1, text: 'Quarterly report' },
        { number: 2, text: '', error: 'the page cannot be read: bad' },
        { number: 3, text: 'Harbour crane seven' },
      ],
    });
    expect(blobs.calls).toEqual([
      { method: 'read', key: 'incoming/report.pdf', maxBytes: DEFAULT_LIMITS.maxDocumentBytes },
    ]);
  });

  it('lets rejections through and stores nothing', async () => {
    // Prepare
    const { blobs, texts, deps } = setUp({ extracted: new CorruptDocumentError('not a valid PDF') });
    const document = upload(blobs, 'incoming/bad.pdf', Buffer.from('%PDF-'));

    // Act
    const outcome = extractText(
      { strategy: 'local', document, inspection: inspection({ type: 'pdf', textStrategy: 'local' }) },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(CorruptDocumentError);
    expect(texts.documents.size).toBe(0);
  });

  it('refuses a type it has no local reader for, before reading anything', async () => {
    // Prepare
    const { blobs, deps } = setUp();
    const document = upload(blobs, 'incoming/photo.png', Buffer.from('png'));

    // Act
    const outcome = extractText(
      { strategy: 'local', document, inspection: inspection({ type: 'png', textStrategy: 'local' }) },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(UnsupportedDocumentError);
    expect(blobs.calls).toEqual([]);
  });

  it('reports a deleted version as NOT_FOUND', async () => {
    // Prepare
    const { deps } = setUp();
    const document = documentRef('incoming/gone.txt', 10, 'v-gone');

    // Act
    const outcome = extractText(
      { strategy: 'local', document, inspection: inspection({ type: 'text', textStrategy: 'local' }) },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(DocumentNotFoundError);
  });
});

describe('extractText, textract-sync', () => {
  it('sends a JPEG or PNG within the limits by reference, with its version, and stores the lines', async () => {
    // Prepare
    const { blobs, textract, texts, deps } = setUp();
    const document = upload(blobs, 'incoming/scan.png', Buffer.from('png bytes'), 'v-3');
    textract.detectAnswers.push({
      pages: 1,
      blocks: [lineBlock('The quick brown fox'), lineBlock('jumps over the lazy dog')],
    });

    // Act
    const result = await extractText(
      {
        strategy: 'textract-sync',
        document,
        inspection: inspection({
          type: 'png',
          textStrategy: 'textract-sync',
          width: 1200,
          height: 800,
          pages: 1,
        }),
      },
      deps,
    );

    // Assess
    expect(textract.detected).toEqual([
      { s3Object: { bucket: BUCKET, key: 'incoming/scan.png', versionId: 'v-3' } },
    ]);
    expect(blobs.calls).toEqual([]);
    expect(result).toEqual({
      text: expect.objectContaining({ pages: 1, words: 9, characters: 43, source: 'textract' }),
    });
    const stored = texts.documents.get(derivativeKeys.text(document));
    expect(stored?.pages).toEqual([
      {
        number: 1,
        text: 'The quick brown fox\njumps over the lazy dog',
        lines: [
          {
            text: 'The quick brown fox',
            confidence: 99,
            box: { left: 0.1, top: 0.1, width: 0.5, height: 0.05 },
          },
          {
            text: 'jumps over the lazy dog',
            confidence: 99,
            box: { left: 0.1, top: 0.1, width: 0.5, height: 0.05 },
          },
        ],
      },
    ]);
  });

  it('converts a WebP and sends the converted bytes inline', async () => {
    // Prepare
    const { blobs, images, textract, deps } = setUp();
    const document = upload(blobs, 'incoming/diagram.webp', Buffer.from('webp bytes'));
    textract.detectAnswers.push({ pages: 1, blocks: [] });

    // Act
    const result = await extractText(
      {
        strategy: 'textract-sync',
        document,
        inspection: inspection({ type: 'webp', textStrategy: 'textract-sync', width: 480, height: 320 }),
      },
      deps,
    );

    // Assess
    expect(images.inputs).toEqual([
      {
        type: 'webp',
        bytes: Buffer.from('webp bytes'),
        maxPixels: DEFAULT_LIMITS.maxImagePixels,
        budgetMs: DEFAULT_LIMITS.parseTimeoutMs,
      },
    ]);
    expect(textract.detected).toEqual([{ bytes: new Uint8Array([1, 2, 3]) }]);
    expect(result).toEqual({ text: expect.objectContaining({ pages: 1, characters: 0, words: 0 }) });
  });

  it('gives an image Textract refuses as it is one more chance, converted', async () => {
    // Prepare
    const { blobs, images, textract, deps } = setUp();
    const document = upload(blobs, 'incoming/cmyk.jpg', Buffer.from('jpeg bytes'));
    textract.detectAnswers.push(
      new UnsupportedDocumentError('Textract does not support the document: CMYK'),
      {
        pages: 1,
        blocks: [lineBlock('converted')],
      },
    );

    // Act
    const result = await extractText(
      {
        strategy: 'textract-sync',
        document,
        inspection: inspection({ type: 'jpeg', textStrategy: 'textract-sync', width: 100, height: 100 }),
      },
      deps,
    );

    // Assess
    expect(textract.detected.map((sent) => ('s3Object' in sent ? 'reference' : 'bytes'))).toEqual([
      'reference',
      'bytes',
    ]);
    expect(images.inputs).toHaveLength(1);
    expect(result).toEqual({ text: expect.objectContaining({ words: 1 }) });
  });

  it('lets Textract throttling through, for the state machine to retry', async () => {
    // Prepare
    const { blobs, textract, texts, deps } = setUp();
    const document = upload(blobs, 'incoming/scan.jpg', Buffer.from('jpeg'));
    textract.detectAnswers.push(new TextractThrottledError('ThrottlingException: Rate exceeded'));

    // Act
    const outcome = extractText(
      {
        strategy: 'textract-sync',
        document,
        inspection: inspection({ type: 'jpeg', textStrategy: 'textract-sync' }),
      },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TextractThrottledError);
    expect(texts.documents.size).toBe(0);
  });

  it('refuses a PDF outside the synchronous limits as a wiring fault, not as a verdict on the document', async () => {
    // Prepare
    const { blobs, textract, deps } = setUp();
    const document = upload(blobs, 'incoming/scan.pdf', Buffer.from('%PDF-'));

    // Act
    const outcome = extractText(
      {
        strategy: 'textract-sync',
        document,
        inspection: inspection({ type: 'pdf', textStrategy: 'textract-sync', pages: 2 }),
      },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toSatisfy(
      (error: Error) => error.name === 'Error' && /outside Textract's synchronous limits/.test(error.message),
    );
    expect(textract.detected).toEqual([]);
  });
});

describe('readableByReference', () => {
  it.each([
    { fields: { type: 'jpeg', width: 4000, height: 3000 }, expected: true },
    { fields: { type: 'png', width: 10_000, height: 10_000 }, expected: true },
    { fields: { type: 'png', width: 10_001, height: 100 }, expected: false },
    { fields: { type: 'png', size: 10_000_000 }, expected: false },
    { fields: { type: 'pdf', pages: 1 }, expected: true },
    { fields: { type: 'tiff', pages: 1 }, expected: true },
    { fields: { type: 'tiff', pages: 2 }, expected: false },
    { fields: { type: 'webp' }, expected: false },
    { fields: { type: 'heic' }, expected: false },
    { fields: { type: 'gif' }, expected: false },
  ])('$fields → $expected', ({ fields, expected }) => {
    // Act
    const readable = readableByReference(inspection({ textStrategy: 'textract-sync', ...fields }));

    // Assess
    expect(readable).toBe(expected);
  });
});

describe('extractText, textract-async', () => {
  const taskToken = `AQCEAAAAKgAAAA${'x'.repeat(600)}+/=`;
  const jobTag = createHash('sha256').update(taskToken).digest('hex');

  it('stores the task token under a job tag derived from it BEFORE it starts the job', async () => {
    // Prepare
    const { blobs, textract, jobs, events, deps } = setUp();
    const document = upload(blobs, 'incoming/scanned.pdf', Buffer.from('%PDF-'), 'v-9');
    textract.startAnswers.push(() => {
      // The notification may arrive before start returns: the record must already be there.
      expect(jobs.records.get(jobTag)?.taskToken).toBe(taskToken);
      return { jobId: 'job-1' };
    });

    // Act
    const result = await extractText(
      {
        strategy: 'textract-async',
        taskToken,
        document,
        inspection: inspection({ type: 'pdf', textStrategy: 'textract-async', pages: 2 }),
      },
      deps,
    );

    // Assess
    expect(result).toEqual({ jobId: 'job-1', jobTag });
    expect(events).toEqual([`jobs.save ${jobTag}`, `textract.start ${jobTag}`]);
    expect(jobTag).toMatch(/^[a-zA-Z0-9_.\-:]{1,64}$/);
    expect(textract.started).toEqual([
      {
        document: { bucket: BUCKET, key: 'incoming/scanned.pdf', versionId: 'v-9' },
        jobTag,
        clientRequestToken: jobTag,
      },
    ]);
    expect(jobs.records.get(jobTag)).toEqual({
      jobTag,
      taskToken,
      documentId: document.id,
      version: 'v-9',
      sequencer: document.sequencer,
      document: { bucket: BUCKET, key: 'incoming/scanned.pdf', versionId: 'v-9' },
      createdAt: NOW.toISOString(),
      expiresAt: NOW.getTime() / 1000 + TEXTRACT_JOB_RECORD_TTL_SECONDS,
    });
  });

  it('uses the same tag and request token on a retried invocation, so Textract starts one job', async () => {
    // Prepare
    const { blobs, textract, deps } = setUp();
    const document = upload(blobs, 'incoming/scanned.pdf', Buffer.from('%PDF-'));
    textract.startAnswers.push({ jobId: 'job-1' }, { jobId: 'job-1' });
    const request = {
      strategy: 'textract-async' as const,
      taskToken,
      document,
      inspection: inspection({ type: 'pdf', textStrategy: 'textract-async', pages: 2 }),
    };

    // Act
    await extractText(request, deps);
    await extractText(request, deps);

    // Assess
    expect(new Set(textract.started.map((started) => started.clientRequestToken))).toEqual(new Set([jobTag]));
  });

  it('lets a failed start through, typed, for the state machine to retry or reject', async () => {
    // Prepare
    const { blobs, textract, deps } = setUp();
    const document = upload(blobs, 'incoming/scanned.tiff', Buffer.from('II*\u0000'));
    textract.startAnswers.push(new TextractThrottledError('LimitExceededException: too many jobs'));

    // Act
    const outcome = extractText(
      {
        strategy: 'textract-async',
        taskToken,
        document,
        inspection: inspection({ type: 'tiff', textStrategy: 'textract-async', pages: 4 }),
      },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TextractThrottledError);
  });

  it('refuses a kind Textract jobs cannot read, before storing anything', async () => {
    // Prepare
    const { blobs, jobs, textract, deps } = setUp();
    const document = upload(blobs, 'incoming/notes.txt', Buffer.from('hello'));

    // Act
    const outcome = extractText(
      {
        strategy: 'textract-async',
        taskToken,
        document,
        inspection: inspection({ type: 'text', textStrategy: 'textract-async' }),
      },
      deps,
    );

    // Assess
    await expect(outcome).rejects.toThrow(/Textract jobs read PDF, TIFF, JPEG and PNG/);
    expect(jobs.records.size).toBe(0);
    expect(textract.started).toEqual([]);
  });
});
