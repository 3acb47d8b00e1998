import type { S3Pointer } from '../documents/metadata-item';
import type { TextDocument } from '../documents/text-document';
import type { BlobRef } from './document-blobs';

/** Where extracted text is kept: one JSON document per document version. */
export interface TextDocumentWriter {
  /**
   * Writes (or overwrites: a retry writes the same bytes) the text of one version of `upload`; returns
   * where it is.
   * @throws DocumentNotFoundError when the upload was deleted or replaced meanwhile (nothing is kept)
   */
  save(document: TextDocument, upload: BlobRef): Promise<S3Pointer>;
}
