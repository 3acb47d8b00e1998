import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Pointer } from '../documents/metadata-item';
import type { Derivative, DerivativeStore } from '../ports/derivative-store';
import { deleteKeys } from './s3-stored-derivatives';

/**
 * Derivatives up to this size are written with one PutObject; larger ones in parts of this size, as
 * the AWS CLI and boto3 do by default (8 MiB). A part that fails is retried alone instead of the whole
 * object, and parts go up in parallel.
 */
export const MULTIPART_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** Parts in flight at once: memory is the body itself (parts are views of it), time is what this saves. */
const PARTS_IN_FLIGHT = 4;

/** The object a derivative becomes: every field of {@link Derivative} maps here, and only here. */
const objectOf = (bucket: string, derivative: Derivative): PutObjectCommandInput => ({
  Bucket: bucket,
  Key: derivative.key,
  Body: derivative.body,
  ContentType: derivative.contentType,
});

/**
 * {@link DerivativeStore} on one S3 bucket (the function's DERIVATIVES_BUCKET_NAME), written with
 * lib-storage's `Upload`: one PutObject up to {@link MULTIPART_THRESHOLD_BYTES}, a multipart upload
 * above it, aborted if it fails (the role needs `s3:PutObject` and `s3:AbortMultipartUpload`, and
 * `s3:DeleteObject` to take a derivative back).
 */
export class S3DerivativeStore implements DerivativeStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(derivative: Derivative): Promise<S3Pointer> {
    await new Upload({
      client: this.s3,
      params: objectOf(this.bucket, derivative),
      partSize: MULTIPART_THRESHOLD_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    }).done();
    return { bucket: this.bucket, key: derivative.key };
  }

  remove(keys: readonly string[]): Promise<void> {
    return deleteKeys(this.s3, this.bucket, keys);
  }
}
