import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentDetail } from '../../lambdas/api/schemas';
import { documentId } from '../../lambdas/shared/documents/document';
import type { ExpectedResult } from '../../scripts/sample-docs/expected-results';
import {
  documentOfExecution,
  enteredStates,
  executionHistory,
  getText,
  listDocuments,
  upload,
  useFreshCloudSession,
  waitForTerminal,
} from '../support/local-cloud-session';
import { processedRunStates, REJECTED_RUN_STATES } from '../support/pipeline-definition';
import { readExpectedResults, readSampleDocument } from '../support/sample-docs';

/**
 * The whole pipeline on the local cloud: every sample document is uploaded through the S3 API and
 * what the query API and the execution histories say is compared with sample-docs/expected-results.json.
 */

/** Uploaded under a key with spaces, `+`, accents and non-Latin characters: S3 form-encodes it in the event. */
const ODD_FILE = 'notes.txt';
const ODD_KEY = 'incoming/odd names/Rue Cler + café ☕ naïve 日本.txt';

/** How long all eight documents get, from the last upload; the first invocations compile TypeScript. */
const PROCESSING_BUDGET_MS = 160_000;
const THUMBNAIL_MAX_PX = 256;

/** The states an execution goes through for the expected outcome (the sample's rejection is Inspect's). */
const expectedPath = (expected: ExpectedResult): readonly string[] =>
  expected.status === 'PROCESSED' ? processedRunStates(expected.textStrategy) : REJECTED_RUN_STATES;

const keyOf = (file: string): string => (file === ODD_FILE ? ODD_KEY : `incoming/${file}`);

const normalized = (text: string): string => text.replace(/\s+/g, ' ').trim();

const EXPECTED_RESULTS = await readExpectedResults();

const session = useFreshCloudSession('pipeline');
let deadline: number;
const finished = new Map<string, Promise<DocumentDetail>>();

/** The document's terminal state, polled once per file however many tests ask. */
const terminal = (file: string): Promise<DocumentDetail> => {
  let pending = finished.get(file);
  if (!pending) {
    pending = waitForTerminal(session, documentId(session.uploadsBucket, keyOf(file)), { deadline });
    finished.set(file, pending);
  }
  return pending;
};

beforeAll(async () => {
  for (const expected of EXPECTED_RESULTS) {
    await upload(session, keyOf(expected.file), await readSampleDocument(expected.file));
  }
  deadline = Date.now() + PROCESSING_BUDGET_MS;
});

describe('every sample document through the local cloud', () => {
  it.each(EXPECTED_RESULTS)('$file ends $status with the expected metadata', async (expected) => {
    // Act
    const document = await terminal(expected.file);

    // Assess
    expect(document).toMatchObject({
      id: documentId(session.uploadsBucket, keyOf(expected.file)),
      bucket: session.uploadsBucket,
      key: keyOf(expected.file),
      status: expected.status,
    });
    expect(document.pages ?? null).toBe(expected.pages);
    expect(document.reason).toBe(expected.reason);
    expect(document.failure).toBeUndefined();
    // The rejected file never gets a strategy; the others record the one Inspect chose from the bytes.
    expect(document.textStrategy ?? 'none').toBe(expected.textStrategy);
    expect(document.thumbnail !== null).toBe(expected.thumbnail);
  });

  it.each(EXPECTED_RESULTS.filter((expected) => expected.status === 'PROCESSED'))(
    '$file is recognised from its bytes as $type ($mimeType)',
    async (expected) => {
      // Act
      const document = await terminal(expected.file);

      // Assess
      expect({ type: document.type, mimeType: document.mimeType }).toEqual({
        type: expected.type,
        mimeType: expected.mimeType,
      });
    },
  );

  it.each(EXPECTED_RESULTS.filter((expected) => expected.thumbnail))(
    '$file has a presigned WebP thumbnail of at most 256 px',
    async (expected) => {
      // Prepare
      const document = await terminal(expected.file);
      if (!document.thumbnail) throw new Error(`${expected.file} has no thumbnail`);

      // Act
      const response = await fetch(document.thumbnail.url);
      const bytes = Buffer.from(await response.arrayBuffer());
      const image = await sharp(bytes).metadata();

      // Assess
      expect(response.status).toBe(200);
      expect(document.thumbnail.contentType).toBe('image/webp');
      expect(image.format).toBe('webp');
      expect({ width: image.width, height: image.height }).toEqual({
        width: document.thumbnail.width,
        height: document.thumbnail.height,
      });
      expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(THUMBNAIL_MAX_PX);
      if (expected.file === 'photo-exif-rotated.jpg') {
        // Stored 640×360 with EXIF Orientation 6: shown upright, and so thumbnailed, it is portrait.
        expect(image.height).toBeGreaterThan(image.width);
      }
    },
  );

  it.each(EXPECTED_RESULTS.filter((expected) => expected.phrase !== null))(
    '$file: the text endpoint contains "$phrase"',
    async (expected) => {
      // Prepare
      const document = await terminal(expected.file);

      // Act
      const { status, text } = await getText(session, document.id);

      // Assess
      expect(status).toBe(200);
      expect(text?.nextPage).toBeNull();
      expect(normalized(text?.pages.map((page) => page.text).join('\n') ?? '')).toContain(expected.phrase);
    },
  );

  it.each(EXPECTED_RESULTS.filter((expected) => expected.status === 'REJECTED'))(
    '$file: the text endpoint answers 404, there is no text',
    async (expected) => {
      // Prepare
      const document = await terminal(expected.file);

      // Act
      const { status } = await getText(session, document.id);

      // Assess
      expect(document.text).toBeNull();
      expect(status).toBe(404);
    },
  );

  it.each(EXPECTED_RESULTS)('$file: its one execution went through the expected states', async (expected) => {
    // Prepare
    const document = await terminal(expected.file);
    const executionArn = document.execution?.arn;
    if (!executionArn) throw new Error(`${expected.file} names no execution`);

    // Act
    const events = await executionHistory(session, executionArn);
    const input = await documentOfExecution(session, executionArn);
    const states = enteredStates(events);

    // Assess
    expect(input).toMatchObject({ id: document.id, bucket: document.bucket, key: document.key });
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(states.slice(0, 2)).toEqual(['RouteEvent', 'MarkProcessing']);
    expect(states.at(-1)).toBe(expected.status === 'PROCESSED' ? 'Processed' : 'Rejected');
    expect(new Set(states)).toEqual(new Set(expectedPath(expected)));
  });
});

describe('the query API over the processed documents', () => {
  it('keeps a key with spaces, + and unicode exactly as uploaded', async () => {
    // Act
    const document = await terminal(ODD_FILE);

    // Assess
    expect(document.key).toBe(ODD_KEY);
    expect(document.id).toBe(documentId(session.uploadsBucket, ODD_KEY));
    expect(document.original?.filename).toBe('Rue Cler + café ☕ naïve 日本.txt');
  });

  it('lists exactly the PROCESSED documents under ?status=PROCESSED, paging with the cursor', async () => {
    // Prepare
    const documents = await Promise.all(EXPECTED_RESULTS.map((expected) => terminal(expected.file)));
    const processed = documents.filter((_, index) => EXPECTED_RESULTS[index]?.status === 'PROCESSED');

    // Act
    const listed = await listDocuments(session, { status: 'PROCESSED', limit: '3' });

    // Assess
    expect(listed.map((item) => item.id).sort()).toEqual(processed.map((document) => document.id).sort());
    expect(listed.every((item) => item.status === 'PROCESSED')).toBe(true);
  });

  it('lists the rejected document under ?status=REJECTED with its reason', async () => {
    // Prepare
    await Promise.all(EXPECTED_RESULTS.map((expected) => terminal(expected.file)));
    const rejected = EXPECTED_RESULTS.filter((expected) => expected.status === 'REJECTED');

    // Act
    const listed = await listDocuments(session, { status: 'REJECTED' });

    // Assess
    expect(listed.map((item) => ({ key: item.key, reason: item.reason }))).toEqual(
      rejected.map((expected) => ({ key: keyOf(expected.file), reason: expected.reason })),
    );
  });
});
