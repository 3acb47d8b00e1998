import { derivativeKeys } from '../documents/derivative-keys';
import type { S3Pointer } from '../documents/metadata-item';
import type { TextDocument } from '../documents/text-document';
import type { DerivativeStore } from '../ports/derivative-store';
import type { TextDocumentWriter } from '../ports/text-document-writer';

/** {@link TextDocumentWriter} among the derivatives, at `derivativeKeys.text`. */
export class DerivativeTextDocumentWriter implements TextDocumentWriter {
  constructor(private readonly derivatives: DerivativeStore) {}

  save(document: TextDocument): Promise<S3Pointer> {
    return this.derivatives.put({
      key: derivativeKeys.text({
        id: document.documentId,
        version: document.version,
        sequencer: document.sequencer,
      }),
      body: JSON.stringify(document),
      contentType: 'application/json; charset=utf-8',
    });
  }
}
