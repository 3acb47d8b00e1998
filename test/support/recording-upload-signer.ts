import type { PresignedPost, PresignedPostRequest, UploadSigner } from '../../lambdas/api/ports';
import type { UploadsApi } from '../../lambdas/api/routes';

/** An upload signer that records what it was asked and answers a recognizable, unsigned form. */
export class RecordingUploadSigner implements UploadSigner {
  readonly requests: PresignedPostRequest[] = [];

  async presignPost(request: PresignedPostRequest): Promise<PresignedPost> {
    this.requests.push(request);
    return {
      url: `https://s3.example/${request.bucket}`,
      fields: { 'Content-Type': request.contentType, key: request.key, Policy: 'recorded' },
      expiresAt: new Date(Date.UTC(2026, 10, 23, 12) + request.expiresInSeconds * 1000).toISOString(),
    };
  }
}

/** The upload route's part of `apiRoutes`, over a recording signer, for tests of other routes. */
export const recordingUploads = (signer: UploadSigner = new RecordingUploadSigner()): UploadsApi => ({
  signer,
  config: { bucket: 'uploads-bucket', maxDocumentBytes: 50 * 1024 * 1024, expiresInSeconds: 900 },
});
