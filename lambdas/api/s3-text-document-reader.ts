import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { S3Pointer } from '../shared/documents/metadata-item';
import type { StoredTextDocument, TextDocumentReader } from './ports';
import { storedTextDocumentSchema } from './schemas';

/** Reads TextDocument JSON from the derivatives bucket. */
export class S3TextDocumentReader implements TextDocumentReader {
  constructor(private readonly s3: S3Client) {}

  async get(pointer: S3Pointer): Promise<StoredTextDocument | undefined> {
    let body: string;
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
      body = (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey'))
        return undefined;
      throw error;
    }
    // A malformed object is our fault, not the caller's: let it surface as a 500.
    return storedTextDocumentSchema.parse(JSON.parse(body));
  }
}
