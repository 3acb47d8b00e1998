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

/** What a HEAD tells about an object. The content type is the uploader's claim: log it, never trust it. */
export interface BlobHead {
  readonly size: number;
  readonly contentType?: string;
  readonly eTag?: string;
  readonly versionId?: string;
}

/**
 * Read access to stored documents. Every method throws `DocumentNotFoundError` when the object (or the
 * requested version) does not exist, because retrying cannot bring a deleted upload back.
 */
export interface DocumentBlobs {
  /** Size and headers of the object, without reading its body. */
  head(ref: BlobRef): Promise<BlobHead>;
  /**
   * Bytes `[start, end)` of the object: `end` is exclusive, as in `Buffer.subarray`. A range that runs
   * past the end of the object is cut short; one that starts at or past it yields an empty buffer.
   */
  readRange(ref: BlobRef, start: number, end: number): Promise<Buffer>;
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
