import type { S3Pointer } from '../documents/metadata-item';

/**
 * One object to write into the derivatives bucket. Each field becomes one attribute of the stored
 * object in one place (`S3DerivativeStore`); a new attribute is a new optional field there.
 */
export interface Derivative {
  /** Key in the derivatives bucket, from `derivativeKeys` (never under the uploads' `incoming/`). */
  readonly key: string;
  readonly body: Uint8Array | string;
  /** Stored as the object's Content-Type, which the API's presigned URLs serve. */
  readonly contentType: string;
}

/**
 * Write access to the derivatives bucket (thumbnails, extracted text). Keys are per document version,
 * so a retried step overwrites its own earlier write with the same bytes.
 */
export interface DerivativeStore {
  /** Writes (or overwrites) one derivative and returns where it is. */
  put(derivative: Derivative): Promise<S3Pointer>;
  /** Deletes these keys; a key that is already gone is not an error. */
  remove(keys: readonly string[]): Promise<void>;
}
