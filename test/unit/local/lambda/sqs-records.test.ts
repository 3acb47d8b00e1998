import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { batchFailuresOf, toSqsRecord } from '../../../../local/lambda/sqs-records';

const SOURCE = { queueArn: 'arn:aws:sqs:eu-west-1:123456789012:ingest', region: 'eu-west-1' };

describe('toSqsRecord', () => {
  it('shapes a received message as the event source mapping delivers it', () => {
    // Prepare
    const message: Message = {
      MessageId: 'f3c1b2a0-0000-4000-8000-000000000001',
      ReceiptHandle: 'AQEBhandle',
      Body: '{"hello":"world"}',
      MD5OfBody: '49dfdd54b01cbcd2d2ab5e9e5ee6b9b9',
      MD5OfMessageAttributes: 'd25a6aea97eb8f585bfa92d314504a92',
      Attributes: {
        ApproximateReceiveCount: '3',
        SentTimestamp: '1795000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1795000000100',
        AWSTraceHeader: 'Root=1-6b048f20-e5e1da24c6a2dfee00a436be;Sampled=1',
      },
      MessageAttributes: {
        tenant: { DataType: 'String', StringValue: 'acme' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 255]) },
      },
    };

    // Act
    const record = toSqsRecord(message, SOURCE);

    // Assess
    expect(record).toEqual({
      messageId: 'f3c1b2a0-0000-4000-8000-000000000001',
      receiptHandle: 'AQEBhandle',
      body: '{"hello":"world"}',
      attributes: {
        ApproximateReceiveCount: '3',
        SentTimestamp: '1795000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1795000000100',
        AWSTraceHeader: 'Root=1-6b048f20-e5e1da24c6a2dfee00a436be;Sampled=1',
      },
      messageAttributes: {
        tenant: { stringValue: 'acme', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQL/', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: '49dfdd54b01cbcd2d2ab5e9e5ee6b9b9',
      md5OfMessageAttributes: 'd25a6aea97eb8f585bfa92d314504a92',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:ingest',
      awsRegion: 'eu-west-1',
    });
  });

  it('computes the body MD5 when the queue did not send one', () => {
    // Act
    const record = toSqsRecord({ MessageId: 'm', ReceiptHandle: 'r', Body: 'hello' }, SOURCE);

    // Assess
    expect(record.md5OfBody).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(record.messageAttributes).toEqual({});
    expect(record).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('refuses a message without an id or receipt handle', () => {
    // Act
    const shape = () => toSqsRecord({ MessageId: 'm', Body: 'x' }, SOURCE);

    // Assess
    expect(shape).toThrow('a received message has no MessageId or ReceiptHandle');
  });
});

describe('batchFailuresOf', () => {
  const batch = new Set(['a', 'b', 'c']);

  it.each([
    ['no response', undefined],
    ['a null response', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('treats %s as a complete success', (_, response) => {
    // Act
    const failures = batchFailuresOf(response, batch);

    // Assess
    expect(failures).toEqual({ kind: 'none' });
  });

  it('fails exactly the reported messages', () => {
    // Act
    const failures = batchFailuresOf(
      { batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] },
      batch,
    );

    // Assess
    expect(failures).toEqual({ kind: 'some', messageIds: new Set(['b', 'c']) });
  });

  it.each([
    ['a string response', 'done'],
    ['an array response', [{ itemIdentifier: 'a' }]],
    ['a list that is not an array', { batchItemFailures: { itemIdentifier: 'a' } }],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'a' }] }],
    [
      'an identifier not in the batch',
      { batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'z' }] },
    ],
  ])('fails the whole batch on %s', (_, response) => {
    // Act
    const failures = batchFailuresOf(response, batch);

    // Assess
    expect(failures).toEqual({ kind: 'all' });
  });
});
