import { DocumentNotFoundError, DocumentTooLargeError } from '../../lambdas/shared/documents/errors';
import type { BlobHead, BlobRef, DocumentBlobs } from '../../lambdas/shared/ports/document-blobs';

/** One call made to the fake, so a test can check what was (not) read. */
export type BlobCall =
  | { readonly method: 'head'; readonly key: string }
  | { readonly method: 'readRange'; readonly key: string; readonly start: number; readonly end: number }
  | { readonly method: 'read'; readonly key: string; readonly maxBytes: number };

const slot = (ref: BlobRef): string => `${ref.bucket}/${ref.key}#${ref.versionId ?? ''}`;

/**
 * In-memory {@link DocumentBlobs} with the adapter's contract: versions are separate objects, a missing
 * object is `DocumentNotFoundError`, `read` refuses more than `maxBytes`. It records every call.
 */
export class FakeDocumentBlobs implements DocumentBlobs {
  readonly calls: BlobCall[] = [];
  private readonly objects = new Map<string, { bytes: Buffer; contentType?: string }>();

  /** Stores an object; with `versionId` it is found only by that version. */
  put(ref: BlobRef, bytes: Buffer, contentType?: string): this {
    this.objects.set(slot(ref), { bytes, ...(contentType === undefined ? {} : { contentType }) });
    return this;
  }

  async head(ref: BlobRef): Promise<BlobHead> {
    this.calls.push({ method: 'head', key: ref.key });
    const object = this.find(ref);
    return {
      size: object.bytes.length,
      ...(object.contentType === undefined ? {} : { contentType: object.contentType }),
    };
  }

  async readRange(ref: BlobRef, start: number, end: number): Promise<Buffer> {
    this.calls.push({ method: 'readRange', key: ref.key, start, end });
    return Buffer.from(this.find(ref).bytes.subarray(start, end));
  }

  async read(ref: BlobRef, maxBytes: number): Promise<Buffer> {
    this.calls.push({ method: 'read', key: ref.key, maxBytes });
    const { bytes } = this.find(ref);
    if (bytes.length > maxBytes) throw new DocumentTooLargeError(`${bytes.length} bytes, over ${maxBytes}`);
    return Buffer.from(bytes);
  }

  private find(ref: BlobRef): { bytes: Buffer; contentType?: string } {
    const object = this.objects.get(slot(ref));
    if (!object) throw new DocumentNotFoundError(`${slot(ref)} does not exist`);
    return object;
  }
}
