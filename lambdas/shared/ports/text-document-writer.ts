import type { S3Pointer } from '../documents/metadata-item';
import type { TextDocument } from '../documents/text-document';

/** Where extracted text is kept: one JSON document per document version. */
export interface TextDocumentWriter {
  /** Writes (or overwrites: a retry writes the same bytes) the text of one version; returns where it is. */
  save(document: TextDocument): Promise<S3Pointer>;
}
