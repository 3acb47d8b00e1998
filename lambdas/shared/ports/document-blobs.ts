/**
 * An object to read: bucket, key and, on a versioned bucket, the exact version. A {@link DocumentRef}
 * is one, so a handler passes its document straight through.
 *
 * @see DocumentRef in ./document
 */
export interface BlobRef {
  readonly bucket: string;
  readonly key: string;
  /** Read this version; the current one when absent (unversioned buckets). */
  readonly versionId?: string;
}

/** The start of an object and its whole size, as one ranged read answers them. */
export interface BlobStart {
  /** The first bytes asked for, fewer when the object is shorter; empty for an empty object. */
  readonly bytes: Buffer;
  /** The whole object's size in bytes. */
  readonly size: number;
}

/**
 * Read access to stored documents. Every method throws `DocumentNotFoundError` when the object (or the
 * requested version) does not exist, because retrying cannot bring a deleted upload back.
 */
export interface DocumentBlobs {
  /**
   * The first `length` bytes of the object and its whole size, in one request (a ranged GET's
   * Content-Range carries the size): enough to refuse an empty or oversized object, and to tell its
   * type, before its body is read.
   */
  readStart(ref: BlobRef, length: number): Promise<BlobStart>;
  /**
   * The whole object, refusing to hold more than `maxBytes`: it throws `DocumentTooLargeError` as soon as
   * the object is known or seen to be larger, without buffering the rest.
   */
  read(ref: BlobRef, maxBytes: number): Promise<Buffer>;
  /**
   * Whether this object is still the one its key names: not deleted (no delete marker on top) and, on
   * a versioned bucket, not followed by a newer upload. Never throws `DocumentNotFoundError`.
   */
  isCurrent(ref: BlobRef): Promise<boolean>;
}
