import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3DocumentBlobs } from '../../../../../lambdas/shared/adapters/s3-document-blobs';
import { DocumentNotFoundError, DocumentTooLargeError } from '../../../../../lambdas/shared/documents/errors';

const s3Mock = mockClient(S3Client);
const REF = { bucket: 'uploads', key: 'incoming/a.pdf', versionId: 'v-42' };

/** A response body as the SDK hands it over, streaming the given chunks; records whether it was cancelled. */
const streamingBody = (chunks: readonly Uint8Array[]) => {
  const state = { cancelled: false, delivered: 0 };
  const body = {
    transformToWebStream: () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = chunks[state.delivered++];
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
        cancel() {
          state.cancelled = true;
        },
      }),
  };
  return { body: body as unknown as GetObjectCommandOutput['Body'], state };
};

const s3Error = (name: string, httpStatusCode: number): S3ServiceException =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });

describe('S3DocumentBlobs', () => {
  afterEach(() => {
    s3Mock.reset();
  });

  it("reads the pinned version's first bytes with an inclusive range, and its whole size from Content-Range", async () => {
    // Prepare
    const { body } = streamingBody([Buffer.from('abcde')]);
    s3Mock.on(GetObjectCommand).resolves({ Body: body, ContentRange: 'bytes 0-4/1234' });
    const blobs = new S3DocumentBlobs(new S3Client({}));

    // Act
    const start = await blobs.readStart(REF, 5);

    // Assess
    expect(start.bytes.toString()).toBe('abcde');
    expect(start.size).toBe(1234);
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'uploads',
      Key: 'incoming/a.pdf',
      VersionId: 'v-42',
      Range: 'bytes=0-4',
    });
  });

  it('reads the start of an empty object, which S3 answers 416 for, as no bytes of no size', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(s3Error('InvalidRange', 416));
    const blobs = new S3DocumentBlobs(new S3Client({}));

    // Act
    const start = await blobs.readStart(REF, 5);

    // Assess
    expect(start).toEqual({ bytes: Buffer.alloc(0), size: 0 });
  });

  it('maps NoSuchVersion (the version was deleted) to DocumentNotFoundError', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchVersion', 404));
    const blobs = new S3DocumentBlobs(new S3Client({}));

    // Act
    const result = blobs.read(REF, 100);

    // Assess
    await expect(result).rejects.toThrow(DocumentNotFoundError);
    await expect(result).rejects.toThrow(
      'NOT_FOUND: s3://uploads/incoming/a.pdf (version v-42) does not exist',
    );
  });

  it('passes other S3 errors through unchanged (the state machine retries them)', async () => {
    // Prepare
    const throttled = s3Error('SlowDown', 503);
    s3Mock.on(GetObjectCommand).rejects(throttled);
    const blobs = new S3DocumentBlobs(new S3Client({}));

    // Act
    const result = blobs.readStart(REF, 100);

    // Assess
    await expect(result).rejects.toBe(throttled);
  });

  it('stops downloading once a body without Content-Length passes maxBytes', async () => {
    // Prepare
    const { body, state } = streamingBody([new Uint8Array(600), new Uint8Array(600), new Uint8Array(600)]);
    s3Mock.on(GetObjectCommand).resolves({ Body: body });
    const blobs = new S3DocumentBlobs(new S3Client({}));

    // Act
    const result = blobs.read(REF, 1_000);

    // Assess
    await expect(result).rejects.toThrow(DocumentTooLargeError);
    expect(state.cancelled).toBe(true);
    expect(state.delivered).toBe(2);
  });

  // The local S3 keeps no versions: what a versioned bucket answers is played by the SDK mock here; the
  // unversioned cases run against the local S3 (test/integration/lambdas/shared/adapters).
  describe('isCurrent', () => {
    it.each([
      { case: 'the key still names this version', head: { VersionId: 'v-42' }, current: true },
      { case: 'a newer upload took the key', head: { VersionId: 'v-43' }, current: false },
    ])('is $current when $case, asking for the key, not the version', async ({ head, current }) => {
      // Prepare
      s3Mock.on(HeadObjectCommand).resolves(head);
      const blobs = new S3DocumentBlobs(new S3Client({}));

      // Act
      const actual = await blobs.isCurrent(REF);

      // Assess
      expect(actual).toBe(current);
      expect(s3Mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: 'uploads',
        Key: 'incoming/a.pdf',
      });
    });

    it('is false when a delete marker is on top (S3 answers the key with 404)', async () => {
      // Prepare
      s3Mock.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
      const blobs = new S3DocumentBlobs(new S3Client({}));

      // Act
      const actual = await blobs.isCurrent(REF);

      // Assess
      expect(actual).toBe(false);
    });

    it('lets other errors through: a refusal is not an answer', async () => {
      // Prepare
      s3Mock.on(HeadObjectCommand).rejects(s3Error('AccessDenied', 403));
      const blobs = new S3DocumentBlobs(new S3Client({}));

      // Act
      const result = blobs.isCurrent(REF);

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'AccessDenied' });
    });
  });
});
