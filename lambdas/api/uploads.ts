import { randomUUID } from 'node:crypto';
import { documentId } from '../shared/documents/document';
import type { UploadSigner } from './ports';
import { InvalidParameterError } from './problems';
import { parseJsonBody } from './request-body';
import type { ApiRequest, ApiResponse, Route } from './router';
import { uploadKey } from './upload-keys';
import { type UploadTicket, uploadRequestSchema } from './upload-schemas';

export interface UploadsApiConfig {
  /** The uploads bucket. */
  readonly bucket: string;
  /** Largest upload, in bytes (MAX_DOCUMENT_BYTES): a larger one would only be rejected as TOO_LARGE. */
  readonly maxDocumentBytes: number;
  /** Lifetime of a minted POST. */
  readonly expiresInSeconds: number;
  readonly now?: () => Date;
  /** The random segment of each key. */
  readonly newId?: () => string;
}

/** A media type's type and subtype are case-insensitive (RFC 9110 §8.3.1); its parameters stay as given. */
const normalizeMediaType = (mediaType: string): string => {
  const separator = mediaType.indexOf(';');
  return separator < 0
    ? mediaType.toLowerCase()
    : `${mediaType.slice(0, separator).trimEnd().toLowerCase()}${mediaType.slice(separator)}`;
};

/**
 * `POST /uploads`: mints an S3 presigned POST for one file into the uploads bucket, under a key the
 * server chooses, bounded to the declared type and exact size, so a browser uploads straight to S3
 * without ever holding bucket credentials. The upload then starts the pipeline like any other.
 */
export const uploadRoutes = (signer: UploadSigner, config: UploadsApiConfig): Route[] => {
  const now = config.now ?? (() => new Date());
  const newId = config.newId ?? randomUUID;

  const createUpload = async (request: ApiRequest): Promise<ApiResponse> => {
    const upload = parseJsonBody(uploadRequestSchema, request);
    if (upload.size > config.maxDocumentBytes)
      throw new InvalidParameterError([
        {
          parameter: 'size',
          message: `must be at most ${config.maxDocumentBytes} bytes (this deployment's MAX_DOCUMENT_BYTES)`,
        },
      ]);
    const key = uploadKey(upload.filename, newId(), now());
    const post = await signer.presignPost({
      bucket: config.bucket,
      key,
      contentType: normalizeMediaType(upload.contentType),
      size: upload.size,
      expiresInSeconds: config.expiresInSeconds,
    });
    const body: UploadTicket = {
      url: post.url,
      fields: post.fields,
      key,
      documentId: documentId(config.bucket, key),
      expiresAt: post.expiresAt,
    };
    return { status: 200, body };
  };

  return [{ method: 'POST', path: '/uploads', handle: createUpload }];
};
