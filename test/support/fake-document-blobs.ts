import { DocumentNotFoundError, DocumentTooLargeError } from '../../lambdas/shared/documents/errors';
import type { BlobRef, BlobStart, DocumentBlobs } from '../../lambdas/shared/ports/document-blobs';

/** One call made to the fake, so a test can check what was (not) read. */
export type BlobCall =
  | { readonly method: 'readStart'; readonly key: string; readonly length: number }
  | { readonly method: 'read'; readonly key: string; readonly maxBytes: number }
  | { readonly method: 'isCurrent'; readonly key: string };

const slot = (ref: BlobRef): string => `${ref.bucket}/${ref.key}#${ref.versionId ?? ''}`;

/**
 * In-memory {@link DocumentBlobs} with the adapter's contract: versions are separate objects, a missing
 * object is `DocumentNotFoundError`, `read` refuses more than `maxBytes`. It records every call.
 */
export class FakeDocumentBlobs implements DocumentBlobs {
  readonly calls: BlobCall[] = [];
  private readonly objects = new Map<string, { bytes: Buffer }>();
  /** Per bucket and key, the version the key names now (`''` unversioned); absent once deleted. */
  private readonly current = new Map<string, string>();

  /** Stores an object, which becomes its key's current one; with `versionId` it is found only by that version. */
  put(ref: BlobRef, bytes: Buffer): this {
    this.objects.set(slot(ref), { bytes });
    this.current.set(`${ref.bucket}/${ref.key}`, ref.versionId ?? '');
    return this;
  }

  /** Deletes the key as a delete marker does: its versions stay readable, none is current. */
  deleteKey(ref: Pick<BlobRef, 'bucket' | 'key'>): this {
    this.current.delete(`${ref.bucket}/${ref.key}`);
    return this;
  }

  async readStart(ref: BlobRef, length: number): Promise<BlobStart> {
    this.calls.push({ method: 'readStart', key: ref.key, length });
    const { bytes } = this.find(ref);
    return { bytes: Buffer.from(bytes.subarray(0, length)), size: bytes.length };
  }

  async read(ref: BlobRef, maxBytes: number): Promise<Buffer> {
    this.calls.push({ method: 'read', key: ref.key, maxBytes });
    const { bytes } = this.find(ref);
    if (bytes.length > maxBytes) throw new DocumentTooLargeError(`${bytes.length} bytes, over ${maxBytes}`);
    return Buffer.from(bytes);
  }

  async isCurrent(ref: BlobRef): Promise<boolean> {
    this.calls.push({ method: 'isCurrent', key: ref.key });
    const version = this.current.get(`${ref.bucket}/${ref.key}`);
    return version !== undefined && (ref.versionId === undefined || version === ref.versionId);
  }

  private find(ref: BlobRef): { bytes: Buffer } {
    const object = this.objects.get(slot(ref));
    if (!object) throw new DocumentNotFoundError(`${slot(ref)} does not exist`);
    return object;
  }
}
