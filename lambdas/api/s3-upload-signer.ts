import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { PresignedPost, PresignedPostRequest, UploadSigner } from './ports';

/**
 * Mints S3 presigned POSTs with the function's own credentials (a session's token goes into the form
 * as `X-Amz-Security-Token`, so the form dies with the session). The policy pins the bucket, the exact
 * key, the content type and the exact size; S3 checks every form field against it.
 */
export class S3UploadSigner implements UploadSigner {
  constructor(private readonly s3: S3Client) {}

  async presignPost(request: PresignedPostRequest): Promise<PresignedPost> {
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: request.bucket,
      Key: request.key,
      Conditions: [['content-length-range', request.size, request.size]],
      Fields: { 'Content-Type': request.contentType },
      Expires: request.expiresInSeconds,
    });
    return { url, fields, expiresAt: policyExpiration(fields.Policy) };
  }
}

/** The expiration the policy itself states: what S3 enforces, not a second clock reading. */
const policyExpiration = (policy: string | undefined): string => {
  const document = JSON.parse(Buffer.from(policy ?? '', 'base64').toString('utf8')) as {
    expiration?: unknown;
  };
  if (typeof document.expiration !== 'string') throw new Error('the presigned POST policy has no expiration');
  return new Date(document.expiration).toISOString();
};
