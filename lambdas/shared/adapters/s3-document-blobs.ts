import { GetObjectCommand, HeadObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DocumentNotFoundError, DocumentTooLargeError } from '../documents/errors';
import type { BlobRef, BlobStart, DocumentBlobs } from '../ports/document-blobs';

/** S3 error names that mean "this key or version does not exist" (a HEAD has no body, so only `NotFound`). */
const MISSING_OBJECT_ERRORS = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

const describe = (ref: BlobRef): string =>
  `s3://${ref.bucket}/${ref.key}${ref.versionId === undefined ? '' : ` (version ${ref.versionId})`}`;

const isMissingObject = (error: unknown): boolean =>
  error instanceof S3ServiceException &&
  (MISSING_OBJECT_ERRORS.has(error.name) ||
    (error.$metadata.httpStatusCode === 404 && error.name !== 'NoSuchBucket'));

const isUnsatisfiableRange = (error: unknown): boolean =>
  error instanceof S3ServiceException &&
  (error.name === 'InvalidRange' || error.$metadata.httpStatusCode === 416);

/** The whole object's size from a ranged answer's `Content-Range: bytes 0-99/1234`; undefined without one. */
const wholeSize = (contentRange: string | undefined): number | undefined => {
  const total = contentRange === undefined ? undefined : /\/(\d+)$/.exec(contentRange)?.[1];
  return total === undefined ? undefined : Number(total);
};

/** Reads a response body into one buffer, cancelling the download once it exceeds `maxBytes`. */
const readCapped = async (
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  onTooLarge: () => Error,
): Promise<Buffer> => {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw onTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
};

/**
 * {@link DocumentBlobs} on S3. Reads pin the version when the ref has one, so a later upload to the same
 * key can never be inspected in this version's place.
 */
export class S3DocumentBlobs implements DocumentBlobs {
  constructor(private readonly s3: S3Client) {}

  async readStart(ref: BlobRef, length: number): Promise<BlobStart> {
    if (!Number.isSafeInteger(length) || length < 1) throw new RangeError(`invalid length ${length}`);
    try {
      const output = await this.s3.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          VersionId: ref.versionId,
          Range: `bytes=0-${length - 1}`,
        }),
      );
      const bytes = output.Body
        ? await readCapped(
            output.Body.transformToWebStream(),
            length,
            () => new Error(`S3 returned more than the ${length} bytes asked for`),
          )
        : Buffer.alloc(0);
      return { bytes, size: wholeSize(output.ContentRange) ?? bytes.length };
    } catch (error) {
      // An empty object has no byte 0 to start a range at: S3 answers 416 InvalidRange.
      if (isUnsatisfiableRange(error)) return { bytes: Buffer.alloc(0), size: 0 };
      throw this.mapError(ref, error);
    }
  }

  async read(ref: BlobRef, maxBytes: number): Promise<Buffer> {
    const tooLarge = (size?: number): DocumentTooLargeError =>
      new DocumentTooLargeError(
        `${describe(ref)} is ${size === undefined ? 'larger than' : `${size} bytes, over`} the limit of ${maxBytes} bytes`,
      );
    try {
      const output = await this.s3.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }),
      );
      if (!output.Body) return Buffer.alloc(0);
      const stream = output.Body.transformToWebStream();
      if (output.ContentLength !== undefined && output.ContentLength > maxBytes) {
        await stream.cancel();
        throw tooLarge(output.ContentLength);
      }
      return await readCapped(stream, maxBytes, () => tooLarge());
    } catch (error) {
      throw this.mapError(ref, error);
    }
  }

  async isCurrent(ref: BlobRef): Promise<boolean> {
    try {
      // No VersionId: the key's current version, or 404 when a delete marker is on top.
      const { VersionId } = await this.s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return ref.versionId === undefined || VersionId === ref.versionId;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw error;
    }
  }

  private mapError(ref: BlobRef, error: unknown): unknown {
    if (isMissingObject(error)) {
      return new DocumentNotFoundError(`${describe(ref)} does not exist`, { cause: error });
    }
    return error;
  }
}
