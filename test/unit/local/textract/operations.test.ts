import type { Block, GetDocumentTextDetectionResponse } from '@aws-sdk/client-textract';
import { describe, expect, it } from 'vitest';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EncryptedDocumentError,
} from '../../../../lambdas/shared/documents/errors';
import type { CompletionNotifier, DocumentStore } from '../../../../local/textract/aws-adapters';
import type { RecognizedPage } from '../../../../local/textract/blocks';
import type { DocumentOpener, PagedDocument } from '../../../../local/textract/document-pages';
import { type TextractError, textractErrors } from '../../../../local/textract/errors';
import type { S3Location } from '../../../../local/textract/jobs';
import type { PageImage, TextRecognizer } from '../../../../local/textract/ocr-engine';
import { type TextractLimits, TextractService } from '../../../../local/textract/operations';

/**
 * A fake document is `%PDF-` (or a PNG signature) followed by JSON: its pages, each the text printed on
 * it or a page error. `"encrypted"` instead of a list makes the whole document unreadable.
 */
type FakePage = string | { error: 'too-large' | 'corrupt' };
const pdf = (pages: FakePage[] | 'encrypted'): Buffer => Buffer.from(`%PDF-${JSON.stringify(pages)}`);
const png = (text: string): Buffer =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from(JSON.stringify([text])),
  ]);

const fakeOpener: DocumentOpener = {
  open: async (bytes, format): Promise<PagedDocument> => {
    const body = Buffer.from(bytes)
      .subarray(format === 'PDF' ? 5 : 8)
      .toString();
    const pages = JSON.parse(body) as FakePage[] | 'encrypted';
    if (pages === 'encrypted') throw new EncryptedDocumentError('the PDF is password-protected');
    return {
      format,
      pageCount: pages.length,
      page: async (pageNumber) => {
        const page = pages[pageNumber - 1];
        if (typeof page === 'string') return { bytes: Buffer.from(page), width: 1000, height: 1000 };
        if (page?.error === 'too-large') throw new DocumentTooLargeError(`page ${pageNumber} is too large`);
        throw new CorruptDocumentError(`page ${pageNumber} is broken`);
      },
      close: async () => {},
    };
  },
};

/** Reads the "printed" text back from the fake page image: one line, one word per space-separated token. */
const fakeRecognizer: TextRecognizer = {
  recognize: async (image: PageImage): Promise<RecognizedPage> => {
    const words = Buffer.from(image.bytes).toString().split(' ').filter(Boolean);
    return {
      width: image.width,
      height: image.height,
      lines: words.length
        ? [
            {
              confidence: 99,
              box: { x0: 100, y0: 100, x1: 100 + words.length * 100, y1: 150 },
              words: words.map((text, index) => ({
                text,
                confidence: 99,
                box: { x0: 100 + index * 100, y0: 100, x1: 190 + index * 100, y1: 150 },
              })),
            },
          ]
        : [],
    };
  },
};

const key = (location: S3Location): string => `${location.bucket}/${location.name}`;

const fakeStore = (objects: Record<string, Buffer>): DocumentStore => ({
  size: async (location) => {
    const object = objects[key(location)];
    if (!object) throw textractErrors.invalidS3Object();
    return object.length;
  },
  read: async (location, firstBytes) => {
    const object = objects[key(location)];
    if (!object) throw textractErrors.invalidS3Object();
    return firstBytes === undefined ? object : object.subarray(0, firstBytes);
  },
});

const service = (
  options: {
    objects?: Record<string, Buffer>;
    notifier?: CompletionNotifier;
    limits?: Partial<TextractLimits>;
    recognizer?: TextRecognizer;
    warnings?: unknown[];
  } = {},
) =>
  new TextractService({
    documents: fakeStore(options.objects ?? {}),
    notifier: options.notifier ?? { publish: async () => {} },
    recognizer: options.recognizer ?? fakeRecognizer,
    pages: fakeOpener,
    limits: options.limits ?? {},
    jobs: { maxActiveJobs: 10 },
    logger: { warn: (...args: unknown[]) => options.warnings?.push(args) },
  });

const errorOf = async (promise: Promise<unknown>): Promise<TextractError> => {
  try {
    await promise;
  } catch (error) {
    return error as TextractError;
  }
  throw new Error('expected an error');
};

const lineTexts = (blocks: readonly Block[] | undefined): Array<[number | undefined, string | undefined]> =>
  (blocks ?? []).filter((block) => block.BlockType === 'LINE').map((block) => [block.Page, block.Text]);

const finished = async (
  textract: TextractService,
  jobId: string,
): Promise<GetDocumentTextDetectionResponse> => {
  for (let attempt = 0; attempt < 100; attempt++) {
    const result = (await textract.call('GetDocumentTextDetection', {
      JobId: jobId,
    })) as GetDocumentTextDetectionResponse;
    if (result.JobStatus !== 'IN_PROGRESS') return result;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('job did not finish');
};

const start = async (textract: TextractService, name: string, extra: Record<string, unknown> = {}) =>
  (
    (await textract.call('StartDocumentTextDetection', {
      DocumentLocation: { S3Object: { Bucket: 'bucket', Name: name } },
      ...extra,
    })) as { JobId: string }
  ).JobId;

describe('TextractService: DetectDocumentText', () => {
  it('returns the blocks of a one-page document sent as bytes', async () => {
    // Act
    const response = (await service().call('DetectDocumentText', {
      Document: { Bytes: png('Total due 42').toString('base64') },
    })) as { Blocks: Block[]; DocumentMetadata: unknown; DetectDocumentTextModelVersion: string };

    // Assess
    expect(response.DocumentMetadata).toEqual({ Pages: 1 });
    expect(response.DetectDocumentTextModelVersion).toBe('1.0');
    expect(lineTexts(response.Blocks)).toEqual([[1, 'Total due 42']]);
  });

  it.each([
    ['neither bytes nor an S3 object', { Document: {} }, 'InvalidParameterException'],
    [
      'both bytes and an S3 object',
      { Document: { Bytes: 'AA==', S3Object: { Bucket: 'bucket', Name: 'a' } } },
      'InvalidParameterException',
    ],
    ['empty bytes', { Document: { Bytes: '' } }, 'InvalidParameterException'],
    [
      'a bucket name too short',
      { Document: { S3Object: { Bucket: 'b', Name: 'a' } } },
      'InvalidParameterException',
    ],
    [
      'bytes of no supported format',
      { Document: { Bytes: Buffer.from('GIF89a...').toString('base64') } },
      'UnsupportedDocumentException',
    ],
    [
      'a two-page PDF',
      { Document: { Bytes: pdf(['a', 'b']).toString('base64') } },
      'UnsupportedDocumentException',
    ],
    ['a PDF without pages', { Document: { Bytes: pdf([]).toString('base64') } }, 'BadDocumentException'],
    [
      'an encrypted PDF',
      { Document: { Bytes: pdf('encrypted').toString('base64') } },
      'BadDocumentException',
    ],
    [
      'a page over the size limit',
      { Document: { Bytes: pdf([{ error: 'too-large' }]).toString('base64') } },
      'DocumentTooLargeException',
    ],
    [
      'a missing S3 object',
      { Document: { S3Object: { Bucket: 'bucket', Name: 'missing.png' } } },
      'InvalidS3ObjectException',
    ],
  ])('answers %s with %s', async (_, input, name) => {
    // Act
    const error = await errorOf(service().call('DetectDocumentText', input));

    // Assess
    expect(error.name).toBe(name);
    expect(error.statusCode).toBe(400);
  });

  it('refuses a document over the synchronous size limit before reading it', async () => {
    // Prepare
    const textract = service({
      objects: { 'bucket/big.png': png('x'.repeat(200)) },
      limits: { maxSyncBytes: 100 },
    });

    // Act
    const error = await errorOf(
      textract.call('DetectDocumentText', { Document: { S3Object: { Bucket: 'bucket', Name: 'big.png' } } }),
    );

    // Assess
    expect(error.name).toBe('DocumentTooLargeException');
  });

  it('fails the next calls with an injected fault, then recovers', async () => {
    // Prepare
    const textract = service();
    textract.injectFault({ operation: 'DetectDocumentText', error: 'ThrottlingException', times: 2 });
    const call = () =>
      textract.call('DetectDocumentText', { Document: { Bytes: png('ok').toString('base64') } });

    // Act
    const errors = [await errorOf(call()), await errorOf(call())];
    const recovered = (await call()) as { Blocks: Block[] };

    // Assess
    expect(errors.map((error) => error.name)).toEqual(['ThrottlingException', 'ThrottlingException']);
    expect(lineTexts(recovered.Blocks)).toEqual([[1, 'ok']]);
  });
});

describe('TextractService: text-detection jobs', () => {
  it('pages the blocks of a finished job with NextToken, each block exactly once', async () => {
    // Prepare
    const textract = service({ objects: { 'bucket/doc.pdf': pdf(['one two three', 'four five', 'six']) } });
    const jobId = await start(textract, 'doc.pdf');
    const whole = await finished(textract, jobId);

    // Act
    const pages: GetDocumentTextDetectionResponse[] = [];
    let nextToken: string | undefined;
    do {
      const page = (await textract.call('GetDocumentTextDetection', {
        JobId: jobId,
        MaxResults: 4,
        ...(nextToken ? { NextToken: nextToken } : {}),
      })) as GetDocumentTextDetectionResponse;
      pages.push(page);
      nextToken = page.NextToken;
    } while (nextToken);

    // Assess
    const paged = pages.flatMap((page) => page.Blocks ?? []);
    expect(whole.Blocks).toHaveLength(12);
    expect(pages.map((page) => page.Blocks?.length)).toEqual([4, 4, 4]);
    expect(paged.map((block) => block.Id)).toEqual(whole.Blocks?.map((block) => block.Id));
    expect(pages.every((page) => page.DocumentMetadata?.Pages === 3 && page.JobStatus === 'SUCCEEDED')).toBe(
      true,
    );
    expect(lineTexts(paged)).toEqual([
      [1, 'one two three'],
      [2, 'four five'],
      [3, 'six'],
    ]);
  });

  it.each([
    ['a NextToken that is not one', { NextToken: 'garbage' }],
    ['MaxResults below 1', { MaxResults: 0 }],
  ])('answers %s with InvalidParameterException', async (_, extra) => {
    // Prepare
    const textract = service({ objects: { 'bucket/doc.pdf': pdf(['a']) } });
    const jobId = await start(textract, 'doc.pdf');
    await finished(textract, jobId);

    // Act
    const error = await errorOf(textract.call('GetDocumentTextDetection', { JobId: jobId, ...extra }));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
  });

  it('refuses the NextToken of another job', async () => {
    // Prepare
    const textract = service({ objects: { 'bucket/doc.pdf': pdf(['a b c', 'd e f']) } });
    const first = await start(textract, 'doc.pdf');
    const second = await start(textract, 'doc.pdf');
    await finished(textract, first);
    await finished(textract, second);
    const { NextToken } = (await textract.call('GetDocumentTextDetection', {
      JobId: first,
      MaxResults: 1,
    })) as GetDocumentTextDetectionResponse;

    // Act
    const error = await errorOf(textract.call('GetDocumentTextDetection', { JobId: second, NextToken }));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
  });

  it('reports IN_PROGRESS without blocks while the job runs', async () => {
    // Prepare
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowRecognizer: TextRecognizer = {
      recognize: async (image) => {
        await gate;
        return fakeRecognizer.recognize(image);
      },
    };
    const textract = service({ objects: { 'bucket/doc.pdf': pdf(['slow']) }, recognizer: slowRecognizer });
    const jobId = await start(textract, 'doc.pdf');

    // Act
    const during = await textract.call('GetDocumentTextDetection', { JobId: jobId });
    release();
    const after = await finished(textract, jobId);

    // Assess
    expect(during).toEqual({ JobStatus: 'IN_PROGRESS', DetectDocumentTextModelVersion: '1.0' });
    expect(after.JobStatus).toBe('SUCCEEDED');
  });

  it('finishes PARTIAL_SUCCESS with one warning per error code, and notifies the topic', async () => {
    // Prepare
    const published: Array<{ topicArn: string; message: unknown }> = [];
    const textract = service({
      objects: {
        'bucket/mixed.pdf': pdf([
          'first page',
          { error: 'too-large' },
          { error: 'corrupt' },
          { error: 'corrupt' },
          'last',
        ]),
      },
      notifier: {
        publish: async (topicArn, message) => {
          published.push({ topicArn, message: JSON.parse(message) });
        },
      },
    });
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:textract-done';

    // Act
    const jobId = await start(textract, 'mixed.pdf', {
      JobTag: 'doc-1',
      NotificationChannel: { SNSTopicArn: topicArn, RoleArn: 'arn:aws:iam::000000000000:role/textract' },
    });
    const result = await finished(textract, jobId);

    // Assess
    expect(result.JobStatus).toBe('PARTIAL_SUCCESS');
    expect(result.DocumentMetadata).toEqual({ Pages: 5 });
    expect(result.Warnings).toEqual([
      { ErrorCode: 'PAGE_TOO_LARGE', Pages: [2] },
      { ErrorCode: 'UNREADABLE_PAGE', Pages: [3, 4] },
    ]);
    expect(lineTexts(result.Blocks)).toEqual([
      [1, 'first page'],
      [5, 'last'],
    ]);
    expect(published).toEqual([
      {
        topicArn,
        message: {
          JobId: jobId,
          Status: 'PARTIAL_SUCCESS',
          API: 'StartDocumentTextDetection',
          JobTag: 'doc-1',
          Timestamp: expect.any(Number),
          DocumentLocation: { S3ObjectName: 'mixed.pdf', S3Bucket: 'bucket' },
        },
      },
    ]);
  });

  it.each([
    [
      'every page fails',
      pdf([{ error: 'corrupt' }, { error: 'corrupt' }]),
      /^BadDocumentException: .*page 1 is broken/,
    ],
    ['the document cannot be opened', pdf('encrypted'), /^BadDocumentException: .*password-protected/],
    ['it has more pages than the limit', pdf(['a', 'b', 'c']), /^DocumentTooLargeException: .*3 pages/],
    ['it has no pages', pdf([]), /^BadDocumentException: .*no pages/],
  ])('fails the job when %s, saying why in StatusMessage', async (_, document, message) => {
    // Prepare
    const textract = service({ objects: { 'bucket/doc.pdf': document }, limits: { maxAsyncPages: 2 } });

    // Act
    const result = await finished(textract, await start(textract, 'doc.pdf'));

    // Assess
    expect(result.JobStatus).toBe('FAILED');
    expect(result.StatusMessage).toMatch(message);
    expect(result.Blocks).toEqual([]);
  });

  it('checks size by format when the job starts: images up to the sync limit, PDFs up to the async one', async () => {
    // Prepare
    const textract = service({
      objects: { 'bucket/photo.png': png('x'.repeat(200)), 'bucket/doc.pdf': pdf(['y'.repeat(200)]) },
      limits: { maxSyncBytes: 100, maxAsyncBytes: 1_000 },
    });

    // Act
    const image = await errorOf(start(textract, 'photo.png'));
    const jobId = await start(textract, 'doc.pdf');

    // Assess
    expect(image.name).toBe('DocumentTooLargeException');
    expect((await finished(textract, jobId)).JobStatus).toBe('SUCCEEDED');
  });

  it('still finishes the job when the notification cannot be published', async () => {
    // Prepare
    const warnings: unknown[] = [];
    const textract = service({
      objects: { 'bucket/doc.pdf': pdf(['fine']) },
      notifier: { publish: () => Promise.reject(new Error('topic does not exist')) },
      warnings,
    });

    // Act
    const jobId = await start(textract, 'doc.pdf', {
      NotificationChannel: {
        SNSTopicArn: 'arn:aws:sns:us-east-1:000000000000:gone',
        RoleArn: 'arn:aws:iam::000000000000:role/r',
      },
    });
    const result = await finished(textract, jobId);
    await new Promise((resolve) => setTimeout(resolve, 10));

    // Assess
    expect(result.JobStatus).toBe('SUCCEEDED');
    expect(warnings).toHaveLength(1);
  });

  it.each([
    ['a JobTag with a space', { JobTag: 'has space' }],
    ['a ClientRequestToken of 65 characters', { ClientRequestToken: 'a'.repeat(65) }],
    [
      'a NotificationChannel without RoleArn',
      { NotificationChannel: { SNSTopicArn: 'arn:aws:sns:us-east-1:000000000000:t' } },
    ],
  ])('refuses %s with InvalidParameterException', async (_, extra) => {
    // Prepare
    const textract = service({ objects: { 'bucket/doc.pdf': pdf(['a']) } });

    // Act
    const error = await errorOf(start(textract, 'doc.pdf', extra));

    // Assess
    expect(error.name).toBe('InvalidParameterException');
  });

  it('answers an unknown JobId with InvalidJobIdException', async () => {
    // Act
    const error = await errorOf(service().call('GetDocumentTextDetection', { JobId: 'a'.repeat(64) }));

    // Assess
    expect(error.name).toBe('InvalidJobIdException');
  });
});
