import { DeleteObjectsCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { derivativeKeys } from '../documents/derivative-keys';
import type { StoredDerivatives } from '../ports/stored-derivatives';

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

/** Deletes keys of one bucket, a DeleteObjects request per thousand; a key already gone is not an error. */
export const deleteKeys = async (s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> => {
  for (let start = 0; start < keys.length; start += DELETE_BATCH) {
    const batch = keys.slice(start, start + DELETE_BATCH);
    const { Errors } = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    // DeleteObjects answers 200 and lists the keys it could not delete.
    const [failed] = Errors ?? [];
    if (failed) {
      throw new Error(
        `could not delete ${Errors?.length} derivative(s), first ${failed.Key}: ${failed.Code} ${failed.Message}`,
      );
    }
  }
};

/** {@link StoredDerivatives} on the derivatives bucket. */
export class S3StoredDerivatives implements StoredDerivatives {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async list(documentId: string): Promise<string[]> {
    const keys: string[] = [];
    for (const prefix of derivativeKeys.prefixesOf(documentId)) {
      for await (const page of paginateListObjectsV2(
        { client: this.s3 },
        { Bucket: this.bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      }
    }
    return keys;
  }

  remove(keys: readonly string[]): Promise<void> {
    return deleteKeys(this.s3, this.bucket, keys);
  }
}
