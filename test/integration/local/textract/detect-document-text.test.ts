import {
  BadDocumentException,
  type Block,
  DetectDocumentTextCommand,
  DocumentTooLargeException,
  InvalidParameterException,
  InvalidS3ObjectException,
  ProvisionedThroughputExceededException,
  TextractClient,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AWS, uniquePrefix } from '../../../support/aws';
import { buildPdf } from '../../../support/documents';
import { startTextractStack, type TextractStack } from '../../../support/local-textract';
import {
  buildRawPdf,
  buildScannedPdf,
  renderTextJpeg,
  renderTextPng,
  slowPageOperators,
} from '../../../support/printed-text';
import { readSampleDocument } from '../../../support/sample-docs';

const PHRASE = 'The quick brown fox jumps over the lazy dog';

const linesOf = (blocks: readonly Block[] | undefined): Block[] =>
  (blocks ?? []).filter((block) => block.BlockType === 'LINE');
const wordsOf = (blocks: readonly Block[] | undefined): Block[] =>
  (blocks ?? []).filter((block) => block.BlockType === 'WORD');
const textOf = (blocks: readonly Block[] | undefined): string =>
  linesOf(blocks)
    .map((line) => line.Text)
    .join('\n');

const expectRelativeGeometry = (block: Block): void => {
  const box = block.Geometry?.BoundingBox;
  expect(box).toBeDefined();
  for (const value of [box?.Left, box?.Top, box?.Width, box?.Height]) {
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  }
  expect((box?.Left ?? 0) + (box?.Width ?? 0)).toBeLessThanOrEqual(1);
  expect(block.Geometry?.Polygon).toHaveLength(4);
};

describe('local Textract: DetectDocumentText', () => {
  let stack: TextractStack;

  beforeAll(async () => {
    stack = await startTextractStack({ ocr: { size: 1 }, pdf: { pageTimeoutMs: 5_000 } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reads a PNG sent as bytes into PAGE, LINE and WORD blocks', async () => {
    // Prepare
    const png = renderTextPng([PHRASE, 'Invoice number 12345'], { width: 1400, height: 400 });

    // Act
    const response = await stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: png } }));

    // Assess
    const blocks = response.Blocks ?? [];
    expect(response.DocumentMetadata?.Pages).toBe(1);
    expect(textOf(blocks)).toContain(PHRASE);
    expect(textOf(blocks)).toContain('Invoice number 12345');
    const pages = blocks.filter((block) => block.BlockType === 'PAGE');
    expect(pages).toHaveLength(1);
    const lines = linesOf(blocks);
    expect(pages[0]?.Relationships?.[0]).toEqual({ Type: 'CHILD', Ids: lines.map((line) => line.Id) });
    const words = wordsOf(blocks);
    expect(words.length).toBeGreaterThanOrEqual(12);
    for (const word of words) {
      expect(word.Confidence).toBeGreaterThan(80);
      expect(word.TextType).toBe('PRINTED');
      expectRelativeGeometry(word);
    }
    const firstLine = lines.find((line) => line.Text === PHRASE);
    const childIds = firstLine?.Relationships?.[0]?.Ids ?? [];
    expect(childIds.map((id) => words.find((word) => word.Id === id)?.Text).join(' ')).toBe(PHRASE);
    // The phrase is drawn 8% from the left edge, in the top third of the image.
    expect(firstLine?.Geometry?.BoundingBox?.Left).toBeCloseTo(0.08, 1);
    expect(firstLine?.Geometry?.BoundingBox?.Top).toBeLessThan(0.34);
    expect(new Set(blocks.map((block) => block.Id)).size).toBe(blocks.length);
    expect(blocks[0]?.Id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads the sample printed-text PNG', async () => {
    // Prepare
    const key = `${uniquePrefix('sample')}/printed-text.png`;
    await stack.put(key, await readSampleDocument('printed-text.png'));

    // Act
    const response = await stack.client.send(
      new DetectDocumentTextCommand({ Document: { S3Object: { Bucket: stack.bucket, Name: key } } }),
    );

    // Assess
    expect(textOf(response.Blocks)).toContain('The quick brown fox jumps over the lazy dog');
  });

  it('reads a TIFF', async () => {
    // Prepare
    const tiff = await sharp(renderTextPng(['Tagged image file format'], { width: 1000, height: 200 }))
      .tiff()
      .toBuffer();

    // Act
    const response = await stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: tiff } }));

    // Assess
    expect(textOf(response.Blocks)).toBe('Tagged image file format');
  });

  it('reads a JPEG from S3, with boxes relative to the upright page when EXIF says it is rotated', async () => {
    // Prepare: the pixels are stored turned 90° clockwise; EXIF orientation 8 turns them back.
    const key = `${uniquePrefix('exif')}/photo.jpg`;
    const upright = renderTextJpeg([PHRASE], { width: 1400, height: 300 });
    const stored = await sharp(upright).rotate(90).withMetadata({ orientation: 8 }).jpeg().toBuffer();
    await stack.put(key, stored);

    // Act
    const response = await stack.client.send(
      new DetectDocumentTextCommand({ Document: { S3Object: { Bucket: stack.bucket, Name: key } } }),
    );

    // Assess
    expect(textOf(response.Blocks)).toContain(PHRASE);
    const line = linesOf(response.Blocks).find((candidate) => candidate.Text === PHRASE);
    expect(line?.Geometry?.BoundingBox?.Width).toBeGreaterThan(line?.Geometry?.BoundingBox?.Height ?? 1);
  });

  it('reads a one-page scanned PDF', async () => {
    // Prepare
    const key = `${uniquePrefix('scan')}/one-page.pdf`;
    await stack.put(key, await buildScannedPdf([{ lines: ['Quarterly report for the board'] }]));

    // Act
    const response = await stack.client.send(
      new DetectDocumentTextCommand({ Document: { S3Object: { Bucket: stack.bucket, Name: key } } }),
    );

    // Assess
    expect(response.DocumentMetadata?.Pages).toBe(1);
    expect(textOf(response.Blocks)).toContain('Quarterly report for the board');
    expect(linesOf(response.Blocks).every((line) => line.Page === 1)).toBe(true);
  });

  it('returns a page with no lines for a blank image', async () => {
    // Prepare
    const blank = renderTextPng([], { width: 600, height: 400 });

    // Act
    const response = await stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: blank } }));

    // Assess
    expect(response.Blocks?.map((block) => block.BlockType)).toEqual(['PAGE']);
  });

  it('rejects a format Textract does not read with UnsupportedDocumentException', async () => {
    // Prepare
    const webp = await sharp(renderTextPng([PHRASE], { width: 800, height: 200 }))
      .webp()
      .toBuffer();

    // Act
    const call = stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: webp } }));

    // Assess
    await expect(call).rejects.toBeInstanceOf(UnsupportedDocumentException);
    await expect(call).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('rejects a multi-page PDF with UnsupportedDocumentException', async () => {
    // Prepare
    const key = `${uniquePrefix('multi')}/two-pages.pdf`;
    await stack.put(key, await buildScannedPdf([{ lines: ['first'] }, { lines: ['second'] }]));

    // Act
    const call = stack.client.send(
      new DetectDocumentTextCommand({ Document: { S3Object: { Bucket: stack.bucket, Name: key } } }),
    );

    // Assess
    await expect(call).rejects.toBeInstanceOf(UnsupportedDocumentException);
    await expect(call).rejects.toThrow(/2 pages/);
  });

  it('rejects a missing object with InvalidS3ObjectException', async () => {
    // Act
    const call = stack.client.send(
      new DetectDocumentTextCommand({
        Document: { S3Object: { Bucket: stack.bucket, Name: `${uniquePrefix('missing')}/nothing.png` } },
      }),
    );

    // Assess
    await expect(call).rejects.toBeInstanceOf(InvalidS3ObjectException);
  });

  it('rejects a password-protected PDF with BadDocumentException', async () => {
    // Prepare
    const encrypted = buildPdf({ pages: [{ text: 'secret' }], encrypted: true });

    // Act
    const call = stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: encrypted } }));

    // Assess
    await expect(call).rejects.toBeInstanceOf(BadDocumentException);
    await expect(call).rejects.toThrow(/password/);
  });

  it('answers a PDF that keeps pdf.js busy with BadDocumentException within the page budget', async () => {
    // Prepare: a million strokes take pdf.js about a minute; the page budget here is 5 s.
    const hostile = buildRawPdf([{ operators: slowPageOperators(1_000_000) }]);
    const started = Date.now();

    // Act
    const call = stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: hostile } }));
    const outcome = await call.catch((error: unknown) => error);
    const elapsedMs = Date.now() - started;
    const next = await stack.client.send(
      new DetectDocumentTextCommand({
        Document: { Bytes: renderTextPng(['Still serving'], { width: 700, height: 200 }) },
      }),
    );

    // Assess
    expect(outcome).toBeInstanceOf(BadDocumentException);
    expect((outcome as Error).message).toMatch(/took over 5000 ms/);
    expect(elapsedMs).toBeLessThan(20_000);
    expect(textOf(next.Blocks)).toBe('Still serving');
  });

  it('rejects a truncated PNG with BadDocumentException', async () => {
    // Prepare
    const png = renderTextPng([PHRASE], { width: 1400, height: 400 });

    // Act
    const call = stack.client.send(
      new DetectDocumentTextCommand({ Document: { Bytes: png.subarray(0, Math.floor(png.length / 2)) } }),
    );

    // Assess
    await expect(call).rejects.toBeInstanceOf(BadDocumentException);
  });

  it('rejects a document over 10 MB with DocumentTooLargeException', async () => {
    // Prepare
    const key = `${uniquePrefix('large')}/large.png`;
    const large = Buffer.alloc(10 * 1024 * 1024 + 1);
    renderTextPng(['x'], { width: 100, height: 100 }).copy(large);
    await stack.put(key, large);

    // Act
    const call = stack.client.send(
      new DetectDocumentTextCommand({ Document: { S3Object: { Bucket: stack.bucket, Name: key } } }),
    );

    // Assess
    await expect(call).rejects.toBeInstanceOf(DocumentTooLargeException);
  });

  it('rejects an image over 10,000 px on a side with DocumentTooLargeException', async () => {
    // Prepare: a tiny file whose header claims a huge image.
    const wide = await sharp({
      create: { width: 10_001, height: 20, channels: 3, background: '#ffffff' },
    })
      .png()
      .toBuffer();

    // Act
    const call = stack.client.send(new DetectDocumentTextCommand({ Document: { Bytes: wide } }));

    // Assess
    await expect(call).rejects.toBeInstanceOf(DocumentTooLargeException);
  });

  it('rejects a request naming both bytes and an S3 object with InvalidParameterException', async () => {
    // Act
    const call = stack.client.send(
      new DetectDocumentTextCommand({
        Document: { Bytes: renderTextPng(['x']), S3Object: { Bucket: stack.bucket, Name: 'a.png' } },
      }),
    );

    // Assess
    await expect(call).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('fails injected calls with the throttling error, which the SDK retries by default', async () => {
    // Prepare
    const png = renderTextPng(['Throttled but retried'], { width: 900, height: 200 });
    stack.textract.service.injectFault({
      operation: 'DetectDocumentText',
      error: 'ProvisionedThroughputExceededException',
    });
    const retrying = new TextractClient({ ...TEST_AWS, endpoint: stack.textract.endpoint, maxAttempts: 3 });

    // Act
    const throttled = await stack.client
      .send(new DetectDocumentTextCommand({ Document: { Bytes: png } }))
      .catch((error: unknown) => error);
    stack.textract.service.injectFault({
      operation: 'DetectDocumentText',
      error: 'ProvisionedThroughputExceededException',
    });
    const retried = await retrying.send(new DetectDocumentTextCommand({ Document: { Bytes: png } }));

    // Assess
    expect(throttled).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(retried.$metadata.attempts).toBe(2);
    expect(textOf(retried.Blocks)).toContain('Throttled but retried');
    retrying.destroy();
  });
});
