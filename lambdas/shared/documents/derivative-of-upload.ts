import type { Derivative, DerivativeStore } from '../ports/derivative-store';
import type { BlobRef, DocumentBlobs } from '../ports/document-blobs';
import { DocumentNotFoundError } from './errors';
import type { S3Pointer } from './metadata-item';

/** What {@link putDerivativeOf} writes with and checks against. */
export interface DerivativeOfUploadPorts {
  readonly derivatives: DerivativeStore;
  readonly uploads: Pick<DocumentBlobs, 'isCurrent'>;
}

/**
 * Writes a derivative of an upload, then checks that the upload is still the object its key names, and
 * takes the derivative back if it is not.
 *
 * A deletion (or a newer upload's run) removes the derivatives of the versions before it that it finds.
 * A step still running then writes after that sweep: the other branch of MakeDerivatives, which Step
 * Functions stops waiting for once one branch fails (a text step that finds the object deleted), or a
 * Textract job's callback. Writing first and checking after closes the gap: a derivative written before
 * the sweep listed the document is found by it; one written after it finds the upload gone here.
 * @throws DocumentNotFoundError when the upload was deleted or replaced meanwhile (the derivative removed)
 */
export const putDerivativeOf = async (
  upload: BlobRef,
  derivative: Derivative,
  { derivatives, uploads }: DerivativeOfUploadPorts,
): Promise<S3Pointer> => {
  const pointer = await derivatives.put(derivative);
  if (!(await uploads.isCurrent(upload))) {
    await derivatives.remove([derivative.key]);
    throw new DocumentNotFoundError(
      `s3://${upload.bucket}/${upload.key} was deleted or replaced while ${derivative.key} was written`,
    );
  }
  return pointer;
};
