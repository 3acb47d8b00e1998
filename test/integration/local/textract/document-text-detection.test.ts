import {
  type Block,
  GetDocumentTextDetectionCommand,
  type GetDocumentTextDetectionCommandOutput,
  IdempotentParameterMismatchException,
  InvalidJobIdException,
  InvalidS3ObjectException,
  LimitExceededException,
  StartDocumentTextDetectionCommand,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testArn, uniquePrefix } from '../../../support/aws';
import {
  receiveOne,
  snsMessageOf,
  startTextractStack,
  type TextractStack,
} from '../../../support/local-textract';
import {
  buildRawPdf,
  buildScannedPdf,
  renderTextJpeg,
  renderTextPng,
  slowPageOperators,
} from '../../../support/printed-text';
import { readSampleDocument } from '../../../support/sample-docs';

const ROLE_ARN = testArn.role('textract-publishes');

const linesOnPage = (blocks: readonly Block[], page: number): string[] =>
  blocks
    .filter((block) => block.BlockType === 'LINE' && block.Page === page)
    .map((block) => block.Text ?? '');

/** Polls until the job is no longer IN_PROGRESS; returns the first page of results. */
const waitForJob = async (
  stack: TextractStack,
  jobId: string,
): Promise<GetDocumentTextDetectionCommandOutput> => {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const result = await stack.client.send(new GetDocumentTextDetectionCommand({ JobId: jobId }));
    if (result.JobStatus !== 'IN_PROGRESS') return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} still in progress`);
};

/** Collects every block of a finished job, `maxResults` at a time; returns them and the number of calls. */
const allBlocks = async (
  stack: TextractStack,
  jobId: string,
  maxResults: number,
): Promise<{ blocks: Block[]; calls: number; responses: GetDocumentTextDetectionCommandOutput[] }> => {
  const blocks: Block[] = [];
  const responses: GetDocumentTextDetectionCommandOutput[] = [];
  let nextToken: string | undefined;
  do {
    const response = await stack.client.send(
      new GetDocumentTextDetectionCommand({ JobId: jobId, MaxResults: maxResults, NextToken: nextToken }),
    );
    responses.push(response);
    blocks.push(...(response.Blocks ?? []));
    nextToken = response.NextToken;
  } while (nextToken);
  return { blocks, calls: responses.length, responses };
};

describe('local Textract: StartDocumentTextDetection and GetDocumentTextDetection', () => {
  let stack: TextractStack;

  beforeAll(async () => {
    stack = await startTextractStack({
      ocr: { size: 1 },
      pdf: { pageTimeoutMs: 5_000 },
      jobs: { maxActiveJobs: 2 },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reads the sample scanned PDF, notifies SNS and pages the blocks with NextToken', async () => {
    // Prepare: two A4 pages that are only 150 dpi JPEG scans (sample-docs/README.md).
    const prefix = uniquePrefix('scan');
    const key = `${prefix}/scanned two pages.pdf`;
    await stack.put(key, await readSampleDocument('scanned-two-pages.pdf'));
    const { topicArn, queueUrl } = await stack.notificationQueue(prefix);

    // Act
    const { JobId } = await stack.client.send(
      new StartDocumentTextDetectionCommand({
        DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: key } },
        JobTag: 'doc-1234:v1',
        NotificationChannel: { SNSTopicArn: topicArn, RoleArn: ROLE_ARN },
      }),
    );
    const notification = snsMessageOf(await receiveOne(stack.sqs, queueUrl));
    const { blocks, calls, responses } = await allBlocks(stack, JobId ?? '', 7);

    // Assess
    expect(JobId).toMatch(/^[0-9a-f]{64}$/);
    expect(notification).toEqual({
      JobId,
      Status: 'SUCCEEDED',
      API: 'StartDocumentTextDetection',
      JobTag: 'doc-1234:v1',
      Timestamp: expect.any(Number),
      DocumentLocation: { S3ObjectName: key, S3Bucket: stack.bucket },
    });
    expect(calls).toBeGreaterThan(1);
    for (const response of responses) {
      expect(response.JobStatus).toBe('SUCCEEDED');
      expect(response.DocumentMetadata?.Pages).toBe(2);
      expect(response.Blocks?.length).toBeLessThanOrEqual(7);
    }
    expect(blocks.filter((block) => block.BlockType === 'PAGE').map((block) => block.Page)).toEqual([1, 2]);
    expect(linesOnPage(blocks, 1).join(' ')).toContain('Invoice number 4711 from Blue Heron Supplies');
    expect(linesOnPage(blocks, 2).join(' ')).toContain('Delivery accepted by the night shift in Rotterdam');
    const ids = new Set(blocks.map((block) => block.Id));
    expect(ids.size).toBe(blocks.length);
    const childIds = blocks.flatMap(
      (block) => block.Relationships?.flatMap((relation) => relation.Ids ?? []) ?? [],
    );
    expect(childIds.every((id) => ids.has(id))).toBe(true);
    expect(childIds).toHaveLength(blocks.length - 2);
  });

  it('returns the same JobId for the same ClientRequestToken, and refuses it with other parameters', async () => {
    // Prepare
    const key = `${uniquePrefix('idempotent')}/page.png`;
    await stack.put(key, renderTextPng(['Idempotent request'], { width: 900, height: 200 }));
    const start = (jobTag: string) =>
      stack.client.send(
        new StartDocumentTextDetectionCommand({
          DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: key } },
          ClientRequestToken: 'token-1',
          JobTag: jobTag,
        }),
      );

    // Act
    const first = await start('same');
    const second = await start('same');
    const mismatch = await start('different').catch((error: unknown) => error);
    const result = await waitForJob(stack, first.JobId ?? '');

    // Assess
    expect(second.JobId).toBe(first.JobId);
    expect(mismatch).toBeInstanceOf(IdempotentParameterMismatchException);
    expect(result.JobStatus).toBe('SUCCEEDED');
    expect(linesOnPage(result.Blocks ?? [], 1)).toEqual(['Idempotent request']);
  });

  it('reports pages it cannot read as warnings of a PARTIAL_SUCCESS, and a document with none as FAILED', async () => {
    // Prepare: Textract reads PDF pages up to 9,000 points on a side.
    const prefix = uniquePrefix('partial');
    const tooLarge = { lines: ['too large'], widthPoints: 9_500, heightPoints: 300 };
    await stack.put(
      `${prefix}/partial.pdf`,
      await buildScannedPdf([{ lines: ['Readable first page'] }, tooLarge]),
    );
    await stack.put(`${prefix}/failed.pdf`, await buildScannedPdf([tooLarge]));
    const { topicArn, queueUrl } = await stack.notificationQueue(prefix);
    const start = (name: string) =>
      stack.client.send(
        new StartDocumentTextDetectionCommand({
          DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: `${prefix}/${name}` } },
          NotificationChannel: { SNSTopicArn: topicArn, RoleArn: ROLE_ARN },
        }),
      );

    // Act
    const partialJob = await start('partial.pdf');
    const partial = await waitForJob(stack, partialJob.JobId ?? '');
    const partialNotification = snsMessageOf(await receiveOne(stack.sqs, queueUrl));
    const failedJob = await start('failed.pdf');
    const failed = await waitForJob(stack, failedJob.JobId ?? '');
    const failedNotification = snsMessageOf(await receiveOne(stack.sqs, queueUrl));

    // Assess
    expect(partial.JobStatus).toBe('PARTIAL_SUCCESS');
    expect(partial.DocumentMetadata?.Pages).toBe(2);
    expect(partial.Warnings).toEqual([{ ErrorCode: 'PAGE_TOO_LARGE', Pages: [2] }]);
    expect(linesOnPage(partial.Blocks ?? [], 1)).toEqual(['Readable first page']);
    expect(partialNotification).toMatchObject({ JobId: partialJob.JobId, Status: 'PARTIAL_SUCCESS' });
    expect(failed.JobStatus).toBe('FAILED');
    expect(failed.StatusMessage).toMatch(/^DocumentTooLargeException: .*9500×300 points/);
    expect(failed.Blocks).toEqual([]);
    expect(failedNotification).toMatchObject({ JobId: failedJob.JobId, Status: 'FAILED' });
  });

  it('stops a page that keeps pdf.js busy past its budget and still reads the other pages', async () => {
    // Prepare: a million strokes take pdf.js about a minute; the page budget here is 5 s.
    const key = `${uniquePrefix('hostile')}/slow-page.pdf`;
    await stack.put(
      key,
      buildRawPdf([
        { operators: slowPageOperators(1_000_000) },
        { jpeg: renderTextJpeg(['Second page survives'], { width: 1275, height: 1650 }) },
      ]),
    );
    const started = Date.now();

    // Act
    const { JobId } = await stack.client.send(
      new StartDocumentTextDetectionCommand({
        DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: key } },
      }),
    );
    const result = await waitForJob(stack, JobId ?? '');

    // Assess
    expect(result.JobStatus).toBe('PARTIAL_SUCCESS');
    expect(result.Warnings).toEqual([{ ErrorCode: 'UNREADABLE_PAGE', Pages: [1] }]);
    expect(linesOnPage(result.Blocks ?? [], 2)).toEqual(['Second page survives']);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('fails a job whose PDF cannot be parsed, with BadDocumentException in the status message', async () => {
    // Prepare
    const key = `${uniquePrefix('corrupt')}/corrupt.pdf`;
    await stack.put(key, Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%% truncated here'));

    // Act
    const { JobId } = await stack.client.send(
      new StartDocumentTextDetectionCommand({
        DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: key } },
      }),
    );
    const result = await waitForJob(stack, JobId ?? '');

    // Assess
    expect(result.JobStatus).toBe('FAILED');
    expect(result.StatusMessage).toMatch(/^BadDocumentException: /);
  });

  it('refuses more jobs than its concurrent-job quota with LimitExceededException', async () => {
    // Prepare: each job has two pages to read, so the first two are still running when the third starts.
    const prefix = uniquePrefix('quota');
    const pdf = await buildScannedPdf([{ lines: ['quota page one'] }, { lines: ['quota page two'] }]);
    await stack.put(`${prefix}/a.pdf`, pdf);
    const start = () =>
      stack.client.send(
        new StartDocumentTextDetectionCommand({
          DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: `${prefix}/a.pdf` } },
        }),
      );

    // Act
    const first = await start();
    const second = await start();
    const third = await start().catch((error: unknown) => error);
    const results = await Promise.all([first, second].map((job) => waitForJob(stack, job.JobId ?? '')));
    const afterwards = await start();

    // Assess
    expect(third).toBeInstanceOf(LimitExceededException);
    expect(results.map((result) => result.JobStatus)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(afterwards.JobId).toMatch(/^[0-9a-f]{64}$/);
    await waitForJob(stack, afterwards.JobId ?? '');
  });

  it('checks the object when the job starts: missing → InvalidS3ObjectException, not a document → Unsupported', async () => {
    // Prepare
    const prefix = uniquePrefix('checks');
    await stack.put(`${prefix}/notes.txt`, Buffer.from('plain text is not for Textract'));
    const start = (name: string) =>
      stack.client
        .send(
          new StartDocumentTextDetectionCommand({
            DocumentLocation: { S3Object: { Bucket: stack.bucket, Name: `${prefix}/${name}` } },
          }),
        )
        .catch((error: unknown) => error);

    // Act
    const missing = await start('missing.pdf');
    const unsupported = await start('notes.txt');

    // Assess
    expect(missing).toBeInstanceOf(InvalidS3ObjectException);
    expect(unsupported).toBeInstanceOf(UnsupportedDocumentException);
  });

  it('answers an unknown JobId with InvalidJobIdException', async () => {
    // Act
    const call = stack.client.send(new GetDocumentTextDetectionCommand({ JobId: 'f'.repeat(64) }));

    // Assess
    await expect(call).rejects.toBeInstanceOf(InvalidJobIdException);
  });
});
