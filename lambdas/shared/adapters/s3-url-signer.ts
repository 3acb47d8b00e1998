import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A presigned GET of one object (version). */
export interface PresignedGetRequest {
  readonly bucket: string;
  readonly key: string;
  /** A specific S3 version; the current one when absent. */
  readonly versionId?: string;
  /** Overrides the response's Content-Disposition (S3 `response-content-disposition`). */
  readonly contentDisposition?: string;
  readonly expiresInSeconds: number;
}

/** Hands out short-lived URLs for objects, so clients read bytes from S3, not through the API. */
export interface UrlSigner {
  presignGet(request: PresignedGetRequest): Promise<string>;
}

/**
 * Presigns with the function's own credentials: the URL can do no more than the role may, and a
 * URL signed with session credentials dies with the session even before `expiresInSeconds`.
 */
export class S3UrlSigner implements UrlSigner {
  constructor(private readonly s3: S3Client) {}

  presignGet(request: PresignedGetRequest): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        ...(request.versionId ? { VersionId: request.versionId } : {}),
        ...(request.contentDisposition ? { ResponseContentDisposition: request.contentDisposition } : {}),
      }),
      { expiresIn: request.expiresInSeconds },
    );
  }
}
