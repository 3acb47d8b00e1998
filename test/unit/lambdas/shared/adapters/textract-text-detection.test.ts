import {
  DetectDocumentTextCommand,
  GetDocumentTextDetectionCommand,
  InvalidJobIdException,
  StartDocumentTextDetectionCommand,
  TextractClient,
  ThrottlingException,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  RESULTS_PAGE_SIZE,
  TextractTextDetection,
} from '../../../../../lambdas/shared/adapters/textract-text-detection';

const textractMock = mockClient(TextractClient);
const CHANNEL = {
  topicArn: 'arn:aws:sns:us-east-1:123456789012:textract',
  roleArn: 'arn:aws:iam::123456789012:role/textract-publishes',
};
const detection = () => new TextractTextDetection(new TextractClient({ region: 'us-east-1' }), CHANNEL);

describe('TextractTextDetection', () => {
  beforeEach(() => {
    textractMock.reset();
  });

  it('detects an S3 object by reference, pinning its version', async () => {
    // Prepare
    textractMock.on(DetectDocumentTextCommand).resolves({
      DocumentMetadata: { Pages: 1 },
      Blocks: [{ BlockType: 'LINE', Text: 'hello' }],
    });

    // Act
    const detected = await detection().detect({
      s3Object: { bucket: 'uploads', key: 'incoming/scan.png', versionId: 'v-7' },
    });

    // Assess
    expect(detected).toEqual({ pages: 1, blocks: [{ BlockType: 'LINE', Text: 'hello' }] });
    expect(textractMock.commandCalls(DetectDocumentTextCommand)[0]?.args[0].input).toEqual({
      Document: { S3Object: { Bucket: 'uploads', Name: 'incoming/scan.png', Version: 'v-7' } },
    });
  });

  it('sends converted images inline as Bytes', async () => {
    // Prepare
    textractMock.on(DetectDocumentTextCommand).resolves({ Blocks: [] });
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

    // Act
    const detected = await detection().detect({ bytes });

    // Assess
    expect(detected).toEqual({ pages: 1, blocks: [] });
    expect(textractMock.commandCalls(DetectDocumentTextCommand)[0]?.args[0].input).toEqual({
      Document: { Bytes: bytes },
    });
  });

  it('maps Textract errors: throttling to TextractThrottledError, verdicts to rejections', async () => {
    // Prepare
    textractMock
      .on(DetectDocumentTextCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .rejectsOnce(new UnsupportedDocumentException({ message: 'unsupported', $metadata: {} }));

    // Act
    const outcomes = await Promise.allSettled([
      detection().detect({ bytes: new Uint8Array(1) }),
      detection().detect({ bytes: new Uint8Array(1) }),
    ]);

    // Assess
    expect(
      outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name),
    ).toEqual(['TextractThrottledError', 'UnsupportedDocumentError']);
  });

  it('starts a job with the tag, the idempotency token and the notification channel', async () => {
    // Prepare
    textractMock.on(StartDocumentTextDetectionCommand).resolves({ JobId: 'job-1' });

    // Act
    const started = await detection().start({
      document: { bucket: 'uploads', key: 'incoming/scan.pdf' },
      jobTag: 'a'.repeat(64),
      clientRequestToken: 'a'.repeat(64),
    });

    // Assess
    expect(started).toEqual({ jobId: 'job-1' });
    expect(textractMock.commandCalls(StartDocumentTextDetectionCommand)[0]?.args[0].input).toEqual({
      DocumentLocation: { S3Object: { Bucket: 'uploads', Name: 'incoming/scan.pdf' } },
      JobTag: 'a'.repeat(64),
      ClientRequestToken: 'a'.repeat(64),
      NotificationChannel: { SNSTopicArn: CHANNEL.topicArn, RoleArn: CHANNEL.roleArn },
    });
  });

  it('refuses to start a job without a notification channel: nobody would hear of its end', async () => {
    // Prepare
    const withoutChannel = new TextractTextDetection(new TextractClient({ region: 'us-east-1' }));

    // Act
    const outcome = withoutChannel.start({
      document: { bucket: 'b', key: 'k' },
      jobTag: 't',
      clientRequestToken: 't',
    });

    // Assess
    await expect(outcome).rejects.toThrow(/notification channel/);
    expect(textractMock.commandCalls(StartDocumentTextDetectionCommand)).toHaveLength(0);
  });

  it('reads one page of results, with the next token and the warnings', async () => {
    // Prepare
    textractMock.on(GetDocumentTextDetectionCommand).resolves({
      JobStatus: 'PARTIAL_SUCCESS',
      StatusMessage: 'some pages failed',
      DocumentMetadata: { Pages: 3 },
      Blocks: [{ BlockType: 'PAGE', Page: 1 }],
      Warnings: [{ ErrorCode: 'UNREADABLE_PAGE', Pages: [2] }],
      NextToken: 'next-2',
    });

    // Act
    const page = await detection().getPage('job-1', 'next-1');

    // Assess
    expect(page).toEqual({
      status: 'PARTIAL_SUCCESS',
      statusMessage: 'some pages failed',
      pages: 3,
      blocks: [{ BlockType: 'PAGE', Page: 1 }],
      warnings: [{ errorCode: 'UNREADABLE_PAGE', pages: [2] }],
      nextToken: 'next-2',
    });
    expect(textractMock.commandCalls(GetDocumentTextDetectionCommand)[0]?.args[0].input).toEqual({
      JobId: 'job-1',
      MaxResults: RESULTS_PAGE_SIZE,
      NextToken: 'next-1',
    });
  });

  it('reports results Textract no longer has as a failed job', async () => {
    // Prepare
    textractMock
      .on(GetDocumentTextDetectionCommand)
      .rejects(new InvalidJobIdException({ message: 'Request has invalid Job Id', $metadata: {} }));

    // Act
    const outcome = detection().getPage('job-old');

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'TextractJobFailedError',
      message: expect.stringContaining('job-old'),
    });
  });
});
