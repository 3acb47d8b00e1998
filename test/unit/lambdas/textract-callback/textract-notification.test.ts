import { describe, expect, it } from 'vitest';
import { parseTextractNotification } from '../../../../lambdas/textract-callback/textract-notification';

const notification = {
  JobId: '8a5c4f3e2d1b',
  Status: 'SUCCEEDED',
  API: 'StartDocumentTextDetection',
  JobTag: 'a'.repeat(64),
  Timestamp: 1_795_000_000_000,
  DocumentLocation: { S3ObjectName: 'incoming/scan.pdf', S3Bucket: 'uploads' },
};

describe('parseTextractNotification', () => {
  it('reads the notification out of an SNS envelope', () => {
    // Prepare
    const body = JSON.stringify({
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:textract',
      Message: JSON.stringify(notification),
      Timestamp: '2026-11-23T12:00:00.000Z',
    });

    // Act
    const parsed = parseTextractNotification(body);

    // Assess
    expect(parsed).toEqual({
      jobId: '8a5c4f3e2d1b',
      status: 'SUCCEEDED',
      api: 'StartDocumentTextDetection',
      jobTag: 'a'.repeat(64),
    });
  });

  it('reads a raw notification (raw message delivery) and upper-cases the status', () => {
    // Act
    const parsed = parseTextractNotification(
      JSON.stringify({ ...notification, Status: 'Failed', JobTag: undefined }),
    );

    // Assess
    expect(parsed).toEqual({ jobId: '8a5c4f3e2d1b', status: 'FAILED', api: 'StartDocumentTextDetection' });
  });

  it.each([
    { kind: 'not JSON', body: 'hello' },
    {
      kind: 'an envelope whose message is not JSON',
      body: JSON.stringify({ Type: 'Notification', Message: '{' }),
    },
    { kind: 'JSON of another shape', body: JSON.stringify({ Records: [] }) },
  ])('refuses $kind as a MalformedNotificationError', ({ body }) => {
    // Act
    const parse = () => parseTextractNotification(body);

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'MalformedNotificationError' }));
  });
});
