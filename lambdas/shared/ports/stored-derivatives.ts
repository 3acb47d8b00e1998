/**
 * The derivatives of documents as they lie in the derivatives bucket: what a deletion, or a run that
 * lost its version race, needs to remove them.
 */
export interface StoredDerivatives {
  /** Every derivative key of one document (thumbnails and text of all its versions). */
  list(documentId: string): Promise<string[]>;
  /** Deletes these keys; a key that is already gone is not an error. */
  remove(keys: readonly string[]): Promise<void>;
}
