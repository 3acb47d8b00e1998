import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** The queue a record came from, as the event source mapping names it. */
export interface RecordSource {
  readonly queueArn: string;
  readonly region: string;
}

/**
 * A received SQS message as Lambda's event source mapping hands it to the function: camel-cased
 * fields, the system attributes as strings, message attributes with lower-case keys and binary
 * values in base64, `eventSource: 'aws:sqs'`.
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event)
 */
export const toSqsRecord = (message: Message, source: RecordSource): SQSRecord => {
  if (!message.MessageId || !message.ReceiptHandle) {
    throw new Error('a received message has no MessageId or ReceiptHandle');
  }
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  const systemAttributes: SQSRecordAttributes = {
    ...attributes,
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? '',
    SenderId: attributes.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
  };
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body,
    attributes: systemAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toRecordAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
};

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const toRecordAttribute = (value: MessageAttributeValue): SQSMessageAttribute => ({
  ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
  ...(value.BinaryValue === undefined ? {} : { binaryValue: base64(value.BinaryValue) }),
  stringListValues: value.StringListValues ?? [],
  binaryListValues: (value.BinaryListValues ?? []).map(base64),
  dataType: value.DataType ?? 'String',
});

/** Which messages of a batch the function reported as failed. */
export type BatchFailures =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'some'; readonly messageIds: ReadonlySet<string> };

/**
 * Reads a function's response under `ReportBatchItemFailures` by Lambda's rules: no response, no
 * `batchItemFailures` or an empty list means the whole batch succeeded; a malformed response, or
 * an `itemIdentifier` that is empty or not in the batch, fails the whole batch.
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html)
 */
export const batchFailuresOf = (response: unknown, batchMessageIds: ReadonlySet<string>): BatchFailures => {
  if (response === null || response === undefined) return { kind: 'none' };
  if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'all' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'none' };
  if (!Array.isArray(failures)) return { kind: 'all' };
  if (failures.length === 0) return { kind: 'none' };
  const messageIds = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !batchMessageIds.has(id)) return { kind: 'all' };
    messageIds.add(id);
  }
  return { kind: 'some', messageIds };
};
