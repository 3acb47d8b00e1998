import { derivativeKeys } from './derivative-keys';
import type { DerivativeStore } from './derivative-store';
import type { S3Pointer } from './metadata-item';
import type { TextDocument } from './text-document';

/** Where extracted text is kept: one JSON document per document version. */
export interface TextDocumentStore {
  /** Writes (or overwrites: a retry writes the same bytes) the text of one version; returns where it is. */
  save(document: TextDocument): Promise<S3Pointer>;
}

/** {@link TextDocumentStore} among the derivatives, at `derivativeKeys.text`. */
export class DerivativeTextDocumentStore implements TextDocumentStore {
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
