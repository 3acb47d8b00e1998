import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { derivativeKeys } from '../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef, DocumentStatus } from '../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../lambdas/shared/documents/metadata-item';
import type { TextDocument } from '../../lambdas/shared/documents/text-document';
import { executionName } from '../../lambdas/starter/execution-name';
import { parseIngestMessage } from '../../lambdas/starter/s3-notification';
import { documentRefOf } from '../../lambdas/starter/start-documents';

/**
 * Stands in for the pipeline in CLI tests: reads the real S3 notifications from the ingest queue,
 * builds the DocumentRef exactly as the starter does, records PROCESSING, runs a small real execution
 * (for `show`'s steps), then records a terminal status picked from the key: `reject` → REJECTED,
 * `fail` → FAILED, anything else PROCESSED with a thumbnail and text in the derivatives bucket.
 */
export interface StandInPipeline {
  /** How many versions of each key reached a terminal status. */
  readonly finished: Map<string, number>;
  stop(): Promise<void>;
}

export interface StandInOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly dynamo: DynamoDBDocumentClient;
  readonly table: string;
  readonly s3: S3Client;
  readonly derivativesBucket: string;
  readonly sfn: SFNClient;
  readonly stateMachineArn: string;
  /** Resolves when an execution has ended. */
  readonly settled: (executionArn: string) => Promise<void>;
  /** Time spent in PROCESSING. */
  readonly processingMs: number;
}

/** The thumbnail bytes the stand-in stores for a document version. */
export const standInThumbnail = (ref: Pick<DocumentRef, 'id' | 'version'>): Buffer =>
  Buffer.from(`RIFF-webp-${ref.id}-${ref.version}`);

const TYPES: Readonly<Record<string, [string, string]>> = {
  pdf: ['pdf', 'application/pdf'],
  png: ['png', 'image/png'],
  txt: ['text', 'text/plain'],
  bin: ['pdf', 'application/pdf'],
};

const statusOf = (key: string): DocumentStatus => {
  const name = key.split('/').at(-1) ?? '';
  if (name.includes('reject')) return 'REJECTED';
  if (name.includes('fail')) return 'FAILED';
  return 'PROCESSED';
};

const item = (
  ref: DocumentRef,
  status: DocumentStatus,
  fields: Partial<MetadataItem> = {},
): MetadataItem => ({
  documentId: ref.id,
  bucket: ref.bucket,
  key: ref.key,
  version: ref.version,
  sequencer: ref.sequencer,
  status,
  statusShard: `${status}#${ref.shard}`,
  listShard: `ALL#${ref.shard}`,
  uploadedAt: ref.uploadedAt,
  updatedAt: new Date().toISOString(),
  size: ref.size,
  eTag: ref.eTag,
  ...fields,
});

export const startStandInPipeline = (options: StandInOptions): StandInPipeline => {
  const finished = new Map<string, number>();
  let running = true;

  const handle = async (ref: DocumentRef): Promise<void> => {
    const { dynamo, table } = options;
    const startedAt = new Date().toISOString();
    const { executionArn = '' } = await options.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: options.stateMachineArn,
        name: executionName(ref.bucket, ref.key, ref.version),
        input: JSON.stringify({ document: ref }),
      }),
    );
    await dynamo.send(
      new PutCommand({ TableName: table, Item: item(ref, 'PROCESSING', { executionArn, startedAt }) }),
    );
    await Promise.all([
      options.settled(executionArn),
      new Promise((resolve) => setTimeout(resolve, options.processingMs)),
    ]);
    const status = statusOf(ref.key);
    const extension = ref.key.split('.').at(-1)?.toLowerCase() ?? '';
    const [type, mimeType] = TYPES[extension] ?? ['text', 'text/plain'];
    const common = { executionArn, startedAt, completedAt: new Date().toISOString(), type, mimeType };
    if (status === 'REJECTED') {
      await dynamo.send(
        new PutCommand({
          TableName: table,
          Item: item(ref, status, { ...common, reason: 'CORRUPT', reasonDetail: 'not a real document' }),
        }),
      );
    } else if (status === 'FAILED') {
      await dynamo.send(
        new PutCommand({
          TableName: table,
          Item: item(ref, status, {
            ...common,
            failure: { error: 'States.Timeout', cause: 'Thumbnail timed out' },
          }),
        }),
      );
    } else {
      const thumbnailKey = derivativeKeys.thumbnail(ref);
      const textKey = derivativeKeys.text(ref);
      const text: TextDocument = {
        documentId: ref.id,
        version: ref.version,
        sequencer: ref.sequencer,
        source: 'plain-text',
        pages: [{ number: 1, text: `The text of ${ref.key}.\nSecond line.` }],
      };
      await options.s3.send(
        new PutObjectCommand({
          Bucket: options.derivativesBucket,
          Key: thumbnailKey,
          Body: standInThumbnail(ref),
        }),
      );
      await options.s3.send(
        new PutObjectCommand({ Bucket: options.derivativesBucket, Key: textKey, Body: JSON.stringify(text) }),
      );
      await dynamo.send(
        new PutCommand({
          TableName: table,
          Item: item(ref, status, {
            ...common,
            pages: 1,
            textStrategy: 'local',
            thumbnail: {
              bucket: options.derivativesBucket,
              key: thumbnailKey,
              width: 256,
              height: 128,
              contentType: 'image/webp',
            },
            text: {
              bucket: options.derivativesBucket,
              key: textKey,
              pages: 1,
              characters: 40,
              words: 8,
              source: 'plain-text',
            },
          }),
        }),
      );
    }
    finished.set(ref.key, (finished.get(ref.key) ?? 0) + 1);
  };

  const loop = (async () => {
    while (running) {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      for (const message of Messages) {
        const parsed = parseIngestMessage(message.Body ?? '');
        if (parsed.kind === 'notification') {
          for (const record of parsed.records)
            if (record.kind === 'object-created') await handle(documentRefOf(record));
        }
        await options.sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  })();

  return {
    finished,
    stop: async () => {
      running = false;
      await loop;
    },
  };
};
