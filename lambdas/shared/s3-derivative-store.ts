import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Derivative, DerivativeStore } from './derivative-store';
import type { S3Pointer } from './metadata-item';

/** {@link DerivativeStore} on one S3 bucket (the function's DERIVATIVES_BUCKET_NAME). */
export class S3DerivativeStore implements DerivativeStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(derivative: Derivative): Promise<S3Pointer> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: derivative.key,
        Body: derivative.body,
        ContentType: derivative.contentType,
      }),
    );
    return { bucket: this.bucket, key: derivative.key };
  }
}
