import { createReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { DocumentUploader, UploadedObject, UploadRequest } from '../ports';

/**
 * Part size of multipart uploads. Files up to this size go in one PutObject; larger ones in parts.
 * S3's minimum part is 5 MiB; 8 MiB is the AWS CLI's and boto3's default threshold and part size.
 */
export const PART_SIZE = 8 * 1024 * 1024;

/** Parts of one file in flight at once (memory: PART_SIZE × this, per file). */
const PARTS_IN_FLIGHT = 4;

/** Uploads files with lib-storage's `Upload`: one PUT when small, multipart (aborted on error) when large. */
export class S3Uploader implements DocumentUploader {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async upload(file: UploadRequest, onProgress: (sentBytes: number) => void): Promise<UploadedObject> {
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: this.bucket,
        Key: file.key,
        Body: createReadStream(file.path),
        ContentLength: file.size,
      },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', (progress) => {
      if (progress.loaded !== undefined) onProgress(progress.loaded);
    });
    const result = await upload.done();
    if (!result.ETag) throw new Error(`S3 returned no ETag for ${file.key}`);
    return {
      bucket: this.bucket,
      key: file.key,
      eTag: result.ETag,
      ...(result.VersionId && result.VersionId !== 'null' ? { versionId: result.VersionId } : {}),
    };
  }
}
