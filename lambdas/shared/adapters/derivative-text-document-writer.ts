import { derivativeKeys } from '../documents/derivative-keys';
import { putDerivativeOf } from '../documents/derivative-of-upload';
import type { S3Pointer } from '../documents/metadata-item';
import type { TextDocument } from '../documents/text-document';
import type { DerivativeStore } from '../ports/derivative-store';
import type { BlobRef, DocumentBlobs } from '../ports/document-blobs';
import type { TextDocumentWriter } from '../ports/text-document-writer';

/** {@link TextDocumentWriter} among the derivatives, at `derivativeKeys.text`, kept only while its upload is. */
export class DerivativeTextDocumentWriter implements TextDocumentWriter {
  constructor(
    private readonly derivatives: DerivativeStore,
    private readonly uploads: Pick<DocumentBlobs, 'isCurrent'>,
  ) {}

  save(document: TextDocument, upload: BlobRef): Promise<S3Pointer> {
    return putDerivativeOf(
      upload,
      {
        key: derivativeKeys.text({
          id: document.documentId,
          version: document.version,
          sequencer: document.sequencer,
        }),
        body: JSON.stringify(document),
        contentType: 'application/json; charset=utf-8',
      },
      { derivatives: this.derivatives, uploads: this.uploads },
    );
  }
}
