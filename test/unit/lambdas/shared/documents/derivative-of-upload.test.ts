import { describe, expect, it } from 'vitest';
import { putDerivativeOf } from '../../../../../lambdas/shared/documents/derivative-of-upload';
import { DocumentNotFoundError } from '../../../../../lambdas/shared/documents/errors';
import { FakeDocumentBlobs } from '../../../../support/fake-document-blobs';
import { InMemoryDerivativeStore } from '../../../../support/in-memory-derivative-store';

const UPLOAD = { bucket: 'uploads', key: 'incoming/a.pdf', versionId: 'v-1' };
const DERIVATIVE = { key: 'thumbnails/a/0001-v-1.webp', body: 'webp', contentType: 'image/webp' };

const setup = () => {
  const uploads = new FakeDocumentBlobs().put(UPLOAD, Buffer.from('%PDF'));
  const derivatives = new InMemoryDerivativeStore();
  return { uploads, derivatives, ports: { uploads, derivatives } };
};

describe('putDerivativeOf', () => {
  it('keeps the derivative of an upload that is still current, and says where it is', async () => {
    // Prepare
    const { derivatives, ports } = setup();

    // Act
    const pointer = await putDerivativeOf(UPLOAD, DERIVATIVE, ports);

    // Assess
    expect(pointer).toEqual({ bucket: derivatives.bucket, key: DERIVATIVE.key });
    expect([...derivatives.objects.keys()]).toEqual([DERIVATIVE.key]);
  });

  it.each([
    { case: 'deleted', change: (uploads: FakeDocumentBlobs) => uploads.deleteKey(UPLOAD) },
    {
      case: 'replaced by a newer upload',
      change: (uploads: FakeDocumentBlobs) =>
        uploads.put({ ...UPLOAD, versionId: 'v-2' }, Buffer.from('%PDF-2')),
    },
  ])('takes the derivative back and refuses when the upload was $case meanwhile', async ({ change }) => {
    // Prepare: the change lands while the derivative is made, after any sweep listed the document.
    const { uploads, derivatives, ports } = setup();
    change(uploads);

    // Act
    const result = putDerivativeOf(UPLOAD, DERIVATIVE, ports);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect([...derivatives.objects.keys()]).toEqual([]);
  });
});
