import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  type DocumentRef,
  documentId,
  normalizeSequencer,
  shardOf,
} from '../../../../lambdas/shared/documents/document';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { uniquePrefix } from '../../../support/aws';
import { buildPdf, noisyImage } from '../../../support/documents';
import { useHandlerOnLocalS3 } from '../../../support/local-s3-handler';

const BUCKET = 'uploads-inspect-test';

const documentRef = (key: string, size: number, sequencer = '0055AED6DCD90281E5'): DocumentRef => {
  const id = documentId(BUCKET, key);
  return {
    id,
    bucket: BUCKET,
    key,
    version: normalizeSequencer(sequencer),
    sequencer: normalizeSequencer(sequencer),
    size,
    eTag: 'd41d8cd98f00b204e9800998ecf8427e',
    uploadedAt: '2026-11-23T10:00:00.000Z',
    shard: shardOf(id),
  };
};

const local = useHandlerOnLocalS3({
  buckets: [BUCKET],
  environment: { MAX_PAGES: '2' },
  load: async () => (await import('../../../../lambdas/inspect/handler')).handler,
});

describe('inspect handler against the local S3', () => {
  const upload = async (key: string, body: Buffer, contentType?: string): Promise<DocumentRef> => {
    await local.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }),
    );
    return documentRef(key, body.length);
  };

  it('inspects an uploaded PNG from its bytes, ignoring a wrong Content-Type', async () => {
    // Prepare
    const png = await noisyImage(640, 480).png().toBuffer();
    const document = await upload(
      `incoming/${uniquePrefix('png')}/holiday photo.pdf`,
      png,
      'application/pdf',
    );

    // Act
    const inspection = await local.handler({ document }, lambdaContext());

    // Assess
    expect(inspection).toEqual({
      mimeType: 'image/png',
      type: 'png',
      size: png.length,
      sha256: createHash('sha256').update(png).digest('hex'),
      width: 640,
      height: 480,
      pages: 1,
      textStrategy: 'textract-sync',
    });
  });

  it('inspects an uploaded text PDF', async () => {
    // Prepare
    const pdf = buildPdf({
      pages: [{ text: 'Minutes of the docflow design review, page one.' }],
      title: 'Minutes',
    });
    const document = await upload(`incoming/${uniquePrefix('pdf')}/minutes.pdf`, pdf);

    // Act
    const inspection = await local.handler({ document }, lambdaContext());

    // Assess
    expect(inspection).toMatchObject({
      mimeType: 'application/pdf',
      type: 'pdf',
      pages: 1,
      hasTextLayer: true,
      title: 'Minutes',
      textStrategy: 'local',
    });
  });

  it('applies the limits from its environment (MAX_PAGES=2)', async () => {
    // Prepare
    const pdf = buildPdf({ pages: [{ image: true }, { image: true }, { image: true }] });
    const document = await upload(`incoming/${uniquePrefix('pages')}/scan.pdf`, pdf);

    // Act
    const result = local.handler({ document }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'DocumentTooLargeError',
      message: 'TOO_LARGE: the PDF has 3 pages, over the limit of 2',
    });
  });

  it.each([
    ['an empty object', Buffer.alloc(0), 'EmptyDocumentError'],
    ['random bytes', Buffer.from('\u0000\u0001\u0002 binary junk \u0003\u0004'), 'UnsupportedDocumentError'],
  ])('rejects %s with a typed error the state machine catches by name', async (_, body, name) => {
    // Prepare
    const document = await upload(`incoming/${uniquePrefix('reject')}/file`, body);

    // Act
    const result = local.handler({ document }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name });
  });

  it('rejects a document deleted before it was inspected as NOT_FOUND', async () => {
    // Prepare
    const document = documentRef(`incoming/${uniquePrefix('gone')}/deleted.pdf`, 100);

    // Act
    const result = local.handler({ document }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'DocumentNotFoundError' });
  });

  it('refuses input that is not a document reference', async () => {
    // Act
    const result = local.handler({ document: { bucket: BUCKET } }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: '$ZodError' });
  });
});
