import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentRef } from '../../lambdas/shared/documents/document';
import { METADATA_TABLE, type MetadataItem } from '../../lambdas/shared/documents/metadata-item';
import { TEXTRACT_JOBS_TABLE } from '../../lambdas/shared/ports/textract-jobs';
import { aDocument } from '../fixtures/document-outcomes';

/** Credentials and region the emulators accept; no real account is ever reached. */
export const TEST_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;

/** The account the local services run as (kept apart from TEST_AWS, which is spread into SDK clients). */
export const TEST_ACCOUNT = '000000000000';

/** ARNs in the test region and account, as the local services mint and expect them. */
export const testArn = {
  lambda: (name: string): string => `arn:aws:lambda:${TEST_AWS.region}:${TEST_ACCOUNT}:function:${name}`,
  role: (name: string): string => `arn:aws:iam::${TEST_ACCOUNT}:role/${name}`,
  stateMachine: (name: string): string =>
    `arn:aws:states:${TEST_AWS.region}:${TEST_ACCOUNT}:stateMachine:${name}`,
  execution: (machine: string, name: string): string =>
    `arn:aws:states:${TEST_AWS.region}:${TEST_ACCOUNT}:execution:${machine}:${name}`,
} as const;

/**
 * The whole environment of a child process that runs a bundled handler: PATH, the test region and
 * credentials, and `extra`. Nothing else of this process's environment reaches it, as nothing but its
 * configuration reaches a function in Lambda.
 */
export const bundleProcessEnv = (extra: Readonly<Record<string, string>>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  AWS_REGION: TEST_AWS.region,
  AWS_ACCESS_KEY_ID: TEST_AWS.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_AWS.credentials.secretAccessKey,
  ...extra,
});

/** Sets the process-wide variables the handlers' SDK clients read (endpoints, region, credentials). */
export const useEmulatorEnv = (endpoints: {
  dynamodb?: string;
  s3?: string;
  sqs?: string;
  sfn?: string;
}): void => {
  process.env.AWS_REGION = TEST_AWS.region;
  process.env.AWS_ACCESS_KEY_ID = TEST_AWS.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_AWS.credentials.secretAccessKey;
  process.env.DOCFLOW_S3_FORCE_PATH_STYLE = 'true';
  if (endpoints.dynamodb) process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  if (endpoints.s3) process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  if (endpoints.sqs) process.env.AWS_ENDPOINT_URL_SQS = endpoints.sqs;
  if (endpoints.sfn) process.env.AWS_ENDPOINT_URL_SFN = endpoints.sfn;
};

export const testS3 = (endpoint: string): S3Client =>
  new S3Client({ ...TEST_AWS, endpoint, forcePathStyle: true });
export const testSqs = (endpoint: string): SQSClient =>
  new SQSClient({ ...TEST_AWS, endpoint, useQueueUrlAsEndpoint: false });
export const testDynamo = (endpoint: string): DynamoDBClient => new DynamoDBClient({ ...TEST_AWS, endpoint });
export const testDocumentClient = (endpoint: string): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(testDynamo(endpoint), { marshallOptions: { removeUndefinedValues: true } });

/** A document's item in a metadata table, read strongly consistent; undefined when there is none. */
export const metadataItemOf = async (
  endpoint: string,
  tableName: string,
  documentId: string,
): Promise<MetadataItem | undefined> => {
  const { Item } = await testDocumentClient(endpoint).send(
    new GetCommand({ TableName: tableName, Key: { documentId }, ConsistentRead: true }),
  );
  return Item as MetadataItem | undefined;
};

/** Creates the metadata table with its listing indexes, from the same names the CDK construct uses. */
export const createMetadataTable = async (endpoint: string, tableName: string): Promise<void> => {
  const { partitionKey, byStatusIndex, byUploadTimeIndex } = METADATA_TABLE;
  await testDynamo(endpoint).send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: byStatusIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: byUploadTimeIndex.partitionKey, AttributeType: 'S' },
        { AttributeName: byStatusIndex.sortKey, AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [byStatusIndex, byUploadTimeIndex].map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  );
};

/** Creates the Textract jobs table (one item per job, keyed by its job tag), as the CDK construct does. */
export const createTextractJobsTable = async (endpoint: string, tableName: string): Promise<void> => {
  const { partitionKey } = TEXTRACT_JOBS_TABLE;
  await testDynamo(endpoint).send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
    }),
  );
};

export const createBucket = async (endpoint: string, bucket: string): Promise<void> => {
  await testS3(endpoint).send(new CreateBucketCommand({ Bucket: bucket }));
};

/** Creates a queue and returns its URL and ARN. */
export const createQueue = async (
  endpoint: string,
  name: string,
  attributes: Record<string, string> = {},
): Promise<{ url: string; arn: string }> => {
  const sqs = testSqs(endpoint);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`no url for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
};

/** Sends each of `bodies` as JSON, in one batch; returns their message ids in the order of `bodies`. */
export const sendJsonBatch = async (
  client: SQSClient,
  queueUrl: string,
  bodies: readonly unknown[],
): Promise<string[]> => {
  const { Successful = [] } = await client.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: JSON.stringify(body) })),
    }),
  );
  return bodies.map((_, index) => Successful.find((entry) => entry.Id === String(index))?.MessageId ?? '');
};

/** The queue's approximate counts: messages ready to be received, and received but not yet deleted. */
export const queueCounts = async (
  client: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number }> => {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
};

/** Deletes `messages`, as they were received from the queue, in one batch. */
export const deleteMessages = async (
  client: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
): Promise<void> => {
  await client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
      })),
    }),
  );
};

/**
 * Receives from the queue until `count` messages arrived or it stayed empty for a whole long poll,
 * leaving what it received in flight (it comes back after the visibility timeout): what a test reads
 * when it checks redelivery or the dead-letter queue.
 */
export const receiveMessages = async (
  client: SQSClient,
  queueUrl: string,
  count = Number.POSITIVE_INFINITY,
  onReceived: (messages: Message[]) => Promise<void> = async () => {},
): Promise<Message[]> => {
  const received: Message[] = [];
  while (received.length < count) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0) break;
    received.push(...Messages);
    await onReceived(Messages);
  }
  return received;
};

/**
 * {@link receiveMessages}, deleting what it received: the messages a test expects, with none left
 * behind for the next test.
 */
export const drainQueue = (
  client: SQSClient,
  queueUrl: string,
  count = Number.POSITIVE_INFINITY,
): Promise<Message[]> =>
  receiveMessages(client, queueUrl, count, (messages) => deleteMessages(client, queueUrl, messages));

/**
 * Has every object created in `bucket` (under `prefix` when one is given) notify the queue
 * `queueArn`, as the template wires the uploads bucket to the ingest queue.
 */
export const notifyOnCreate = async (
  endpoint: string,
  bucket: string,
  queueArn: string,
  prefix?: string,
): Promise<void> => {
  const filter =
    prefix === undefined
      ? {}
      : { Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: prefix }] } } };
  await testS3(endpoint).send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'], ...filter }],
      },
    }),
  );
};

/** A fresh bucket whose created objects (under `prefix` when one is given) notify a fresh queue. */
export const createNotifiedBucket = async (
  endpoint: string,
  label: string,
  prefix?: string,
): Promise<{ bucket: string; queue: { url: string; arn: string } }> => {
  const bucket = uniquePrefix(label).toLowerCase();
  await createBucket(endpoint, bucket);
  const queue = await createQueue(endpoint, uniquePrefix(`${label}-q`));
  await notifyOnCreate(endpoint, bucket, queue.arn, prefix);
  return { bucket, queue };
};

/** A unique prefix per test, so tests sharing an emulator never see each other's data. */
export const uniquePrefix = (label: string): string =>
  `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Puts `body` at `key` and returns the document as the starter would hand it over: the test's
 * stand-in for an upload and its notification.
 */
export const uploadDocument = async (
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer,
): Promise<DocumentRef> => {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return aDocument(key, '0055AED6DCD90281E5', { bucket, size: body.length, eTag: 'etag' });
};
