import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TextractClient } from '@aws-sdk/client-textract';
import { type MessagingEmulator, startMessaging } from '../../local/emulators/fauxqs';
import {
  type LocalTextractOptions,
  type RunningLocalTextract,
  startLocalTextract,
} from '../../local/textract/server';
import { createBucket, createQueue, TEST_AWS, testS3, testSqs } from './aws';

/** fauxqs (S3, SQS, SNS) plus the local Textract reading from it, and clients for both. */
export interface TextractStack {
  readonly messaging: MessagingEmulator;
  readonly textract: RunningLocalTextract;
  /** The real SDK client, pointed at the local Textract, without SDK retries (tests see each error). */
  readonly client: TextractClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly bucket: string;
  put(key: string, body: Uint8Array): Promise<void>;
  /** A topic with a queue subscribed to it, as the pipeline wires Textract's notifications. */
  notificationQueue(name: string): Promise<{ topicArn: string; queueUrl: string }>;
  stop(): Promise<void>;
}

export const startTextractStack = async (
  options: Omit<LocalTextractOptions, 's3' | 'sns'> = {},
): Promise<TextractStack> => {
  const messaging = await startMessaging();
  const s3 = testS3(messaging.endpoint);
  const sns = new SNSClient({ ...TEST_AWS, endpoint: messaging.endpoint });
  const sqs = testSqs(messaging.endpoint);
  const bucket = 'textract-documents';
  await createBucket(messaging.endpoint, bucket);
  const textract = await startLocalTextract({ ...options, s3, sns });
  const client = new TextractClient({ ...TEST_AWS, endpoint: textract.endpoint, maxAttempts: 1 });
  return {
    messaging,
    textract,
    client,
    s3,
    sns,
    sqs,
    bucket,
    put: async (key, body) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    notificationQueue: async (name) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
      const queue = await createQueue(messaging.endpoint, `${name}-queue`);
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn }));
      return { topicArn: TopicArn ?? '', queueUrl: queue.url };
    },
    stop: async () => {
      client.destroy();
      await textract.stop();
      await messaging.stop();
    },
  };
};

/** Long-polls a queue until a message arrives (or `timeoutMs` passes) and returns its body. */
export const receiveOne = async (sqs: SQSClient, queueUrl: string, timeoutMs = 30_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const body = Messages?.[0]?.Body;
    if (body !== undefined) return body;
  }
  throw new Error(`no message on ${queueUrl} within ${timeoutMs} ms`);
};

/** The Textract notification inside an SNS → SQS envelope (or the raw message when delivery is raw). */
export const snsMessageOf = (body: string): unknown => {
  const parsed = JSON.parse(body) as { Type?: string; Message?: string };
  return parsed.Type === 'Notification' && typeof parsed.Message === 'string'
    ? JSON.parse(parsed.Message)
    : parsed;
};
