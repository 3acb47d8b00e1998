import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { uniquePrefix, uploadDocument } from '../../../support/aws';
import { buildDocx } from '../../../support/documents';
import { useHandlerOnLocalS3 } from '../../../support/local-s3-handler';
import { readSampleDocument } from '../../../support/sample-docs';

const UPLOADS = 'uploads-thumbnail-test';
const DERIVATIVES = 'derivatives-thumbnail-test';

const local = useHandlerOnLocalS3({
  buckets: [UPLOADS, DERIVATIVES],
  environment: { DERIVATIVES_BUCKET_NAME: DERIVATIVES },
  load: async () => (await import('../../../../lambdas/thumbnail/handler')).handler,
});

describe('thumbnail handler against the local S3', () => {
  const upload = (name: string, body: Buffer): Promise<DocumentRef> =>
    uploadDocument(local.s3, UPLOADS, `incoming/${uniquePrefix('thumb')}/${name}`, body);

  const derivativesOf = async (document: DocumentRef): Promise<string[]> => {
    const listed = await local.s3.send(
      new ListObjectsV2Command({ Bucket: DERIVATIVES, Prefix: `thumbnails/${document.id}/` }),
    );
    return (listed.Contents ?? []).map((object) => object.Key ?? '');
  };

  it('puts a WebP thumbnail in the derivatives bucket and returns the pointer', async () => {
    // Prepare
    const document = await upload('photo.jpg', await readSampleDocument('photo-exif-rotated.jpg'));

    // Act
    const result = await local.handler(
      { document, inspection: { type: 'jpeg', mimeType: 'image/jpeg', textStrategy: 'textract-sync' } },
      lambdaContext('docflow-thumbnail'),
    );

    // Assess
    const key = derivativeKeys.thumbnail(document);
    expect(result).toEqual({
      thumbnail: { bucket: DERIVATIVES, key, width: 144, height: 256, contentType: 'image/webp' },
    });
    const stored = await local.s3.send(new GetObjectCommand({ Bucket: DERIVATIVES, Key: key }));
    expect(stored.ContentType).toBe('image/webp');
    const body = Buffer.from((await stored.Body?.transformToByteArray()) ?? []);
    expect(await sharp(body).metadata()).toMatchObject({ format: 'webp', width: 144, height: 256 });
  });

  it('renders the first page of a PDF', async () => {
    // Prepare
    const document = await upload('report.pdf', await readSampleDocument('report-text-layer.pdf'));

    // Act
    const result = await local.handler({ document, inspection: { type: 'pdf' } }, lambdaContext());

    // Assess
    expect(result.thumbnail).toMatchObject({ bucket: DERIVATIVES, width: 198, height: 256 });
    expect(await derivativesOf(document)).toEqual([derivativeKeys.thumbnail(document)]);
  });

  it('returns null for a Word document and writes nothing', async () => {
    // Prepare
    const document = await upload('memo.docx', await buildDocx({ paragraphs: ['Hello'] }));

    // Act
    const result = await local.handler({ document, inspection: { type: 'docx' } }, lambdaContext());

    // Assess
    expect(result).toEqual({ thumbnail: null });
    expect(await derivativesOf(document)).toEqual([]);
  });

  it('rejects a truncated JPEG by name, writing nothing', async () => {
    // Prepare
    const jpeg = await readSampleDocument('photo-exif-rotated.jpg');
    const document = await upload('cut.jpg', jpeg.subarray(0, jpeg.length / 2));

    // Act
    const result = local.handler({ document, inspection: { type: 'jpeg' } }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CorruptDocumentError',
      message: expect.stringMatching(/^CORRUPT: /),
    });
    expect(await derivativesOf(document)).toEqual([]);
  });

  it('rejects a deleted object as DocumentNotFoundError', async () => {
    // Prepare
    const document = { ...(await upload('gone.png', Buffer.from('x'))), key: 'incoming/never-uploaded.png' };

    // Act
    const result = local.handler({ document, inspection: { type: 'png' } }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'DocumentNotFoundError' });
  });

  it('refuses an event without a document (a wiring fault: a plain validation error, not a rejection)', async () => {
    // Act
    const result = local.handler({ inspection: { type: 'png' } }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: '$ZodError' });
  });
});
