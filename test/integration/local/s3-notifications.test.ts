import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type QueueConfiguration,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeS3EventKey } from '../../../lambdas/shared/documents/s3-key';
import { type ObjectCreatedRecord, parseIngestMessage } from '../../../lambdas/starter/s3-notification';
import {
  createBucket,
  createQueue,
  drainQueue,
  TEST_AWS,
  testS3,
  testSqs,
  uniquePrefix,
} from '../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';

let dataDir: string;
let local: LocalGateway;
let s3: S3Client;
let sqs: SQSClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'docflow-s3-notifications-'));
  local = await startLocalGateway({ dataDir });
  s3 = testS3(local.endpoint);
  sqs = testSqs(local.endpoint);
});

afterAll(async () => {
  await local?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The one object-created record of each message, in arrival order (each must parse like the starter parses it). */
const createdRecords = (messages: readonly Message[]): ObjectCreatedRecord[] =>
  messages.map((message) => {
    const parsed = parseIngestMessage(message.Body ?? '');
    if (parsed.kind !== 'notification') throw new Error(`not a notification: ${message.Body}`);
    expect(parsed.records).toHaveLength(1);
    const [record] = parsed.records;
    if (record?.kind !== 'object-created') throw new Error(`not an object-created record: ${message.Body}`);
    return record;
  });

const incomingOnly = (queueArn: string, events = ['s3:ObjectCreated:*']): QueueConfiguration => ({
  Id: 'incoming',
  QueueArn: queueArn,
  Events: events as QueueConfiguration['Events'],
  Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
});

/** A bucket whose `incoming/` prefix notifies a fresh queue; the test event is already drained. */
const notifiedBucket = async (label: string, events?: string[]) => {
  const bucket = uniquePrefix(label).toLowerCase();
  await createBucket(local.endpoint, bucket);
  const queue = await createQueue(local.endpoint, uniquePrefix(`${label}-q`));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { QueueConfigurations: [incomingOnly(queue.arn, events)] },
    }),
  );
  await drainQueue(sqs, queue.url, 1);
  return { bucket, queue };
};

describe('S3 bucket notifications into SQS', () => {
  it('sends the s3:TestEvent when a configuration is saved, and reads the configuration back', async () => {
    // Prepare
    const bucket = uniquePrefix('test-event').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const queue = await createQueue(local.endpoint, uniquePrefix('test-event-q'));

    // Act
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ ...incomingOnly(queue.arn), Id: undefined }],
        },
      }),
    );
    const messages = await drainQueue(sqs, queue.url, 1);
    const configuration = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));

    // Assess
    expect(messages).toHaveLength(1);
    const body = JSON.parse(messages[0]?.Body ?? '{}');
    expect(body).toEqual({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      Bucket: bucket,
      RequestId: expect.stringMatching(/^[0-9A-F]{16}$/),
      HostId: expect.any(String),
    });
    expect(parseIngestMessage(messages[0]?.Body ?? '')).toEqual({ kind: 'test-event', bucket });
    expect(configuration.QueueConfigurations).toEqual([
      {
        Id: expect.stringMatching(/^\w{8,}$/),
        QueueArn: queue.arn,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'incoming/' }] } },
      },
    ]);
  });

  it('sends one Put record per write, with the key form-encoded so that it decodes back', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('odd-keys');
    const keys = [
      'incoming/red flower.jpg',
      'incoming/a+b=c&d.pdf',
      'incoming/Übersicht – Straße.docx',
      'incoming/📄 report (final)*.txt',
      "incoming/100% sure/~tilde'quote!.png",
    ];

    // Act
    for (const [index, key] of keys.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x'.repeat(index + 1) }));
    }
    const records = createdRecords(await drainQueue(sqs, queue.url, keys.length));

    // Assess
    expect(records.map((record) => decodeS3EventKey(record.encodedKey))).toEqual(keys);
    expect(records.find((record) => record.encodedKey.startsWith('incoming/red'))?.encodedKey).toBe(
      'incoming/red+flower.jpg',
    );
    expect(records.find((record) => record.encodedKey.startsWith('incoming/a'))?.encodedKey).toBe(
      'incoming/a%2Bb%3Dc%26d.pdf',
    );
    for (const [index, record] of records.entries()) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keys[index] }));
      expect(record).toMatchObject({
        eventName: 'ObjectCreated:Put',
        bucket,
        size: index + 1,
        eTag: head.ETag?.replace(/"/g, ''),
      });
      expect(record.versionId).toBeUndefined();
      expect(record.sequencer).toMatch(/^[0-9A-F]{18}$/);
    }
  });

  it('fills every field of an AWS record', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('shape');

    // Act
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'incoming/shape.txt', Body: 'shape' }),
    );
    const [message] = await drainQueue(sqs, queue.url, 1);

    // Assess
    expect(JSON.parse(message?.Body ?? '{}')).toEqual({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: `AWS:${TEST_AWS.credentials.accessKeyId}` },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': put.$metadata.requestId, 'x-amz-id-2': expect.any(String) },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'incoming',
            bucket: {
              name: bucket,
              ownerIdentity: { principalId: expect.any(String) },
              arn: `arn:aws:s3:::${bucket}`,
            },
            object: {
              key: 'incoming/shape.txt',
              size: 5,
              eTag: put.ETag?.replace(/"/g, ''),
              sequencer: expect.stringMatching(/^[0-9A-F]{18}$/),
            },
          },
        },
      ],
    });
  });

  it('sends nothing for a key outside the prefix', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('outside');

    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'derived/thumb.png', Body: 'png' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming', Body: 'no slash' }));
    const messages = await drainQueue(sqs, queue.url);

    // Assess
    expect(messages).toEqual([]);
  });

  it('sends one CompleteMultipartUpload record for a multipart upload, with the whole size', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('multipart');
    const size = 12 * 1024 * 1024;
    const body = Buffer.alloc(size, 7);

    // Act
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'incoming/large scan.pdf', Body: body },
      partSize: 5 * 1024 * 1024,
    }).done();
    const records = createdRecords(await drainQueue(sqs, queue.url));

    // Assess
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'incoming/large scan.pdf' }));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      encodedKey: 'incoming/large+scan.pdf',
      size,
      eTag: head.ETag?.replace(/"/g, ''),
    });
    expect(records[0]?.eTag).toMatch(/-3$/);
  });

  it('gives strictly increasing sequencers, and an overwrite a new record with a higher one', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('sequencer');

    // Act
    for (const body of ['v1', 'v2 longer', 'v3']) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/same.txt', Body: body }));
    }
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: `incoming/${name}.txt`, Body: name })),
      ),
    );
    const records = createdRecords(await drainQueue(sqs, queue.url, 7));

    // Assess
    const overwrites = records.filter((record) => record.encodedKey === 'incoming/same.txt');
    expect(overwrites.map((record) => record.size)).toEqual([2, 9, 2]);
    const sequencers = records.map((record) => record.sequencer);
    expect(new Set(sequencers).size).toBe(7);
    expect([...sequencers].sort()).toEqual(sequencers);
  });

  it('describes each of concurrent overwrites of one key by its own size, the last sequencer being what is stored', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('concurrent');
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8];

    // Act
    await Promise.all(
      sizes.map((size) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/race.txt', Body: 'r'.repeat(size) })),
      ),
    );
    const records = createdRecords(await drainQueue(sqs, queue.url, sizes.length));
    const stored = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'incoming/race.txt' }));

    // Assess
    expect(records.map((record) => record.size).sort()).toEqual(sizes);
    const last = records.reduce((a, b) => (b.sequencer > a.sequencer ? b : a));
    expect(last.size).toBe(stored.ContentLength);
    expect(last.eTag).toBe(stored.ETag?.replace(/"/g, ''));
  });

  it('names copies and browser POST uploads, and reports deletes when configured for them', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('kinds', ['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/original.txt', Body: 'original' }));
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: `incoming/posted \${filename}`,
      Fields: { 'Content-Type': 'text/plain' },
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['posted body']), 'note.txt');

    // Act
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'incoming/copy.txt',
        CopySource: `${bucket}/incoming/original.txt`,
      }),
    );
    const posted = await fetch(url, { method: 'POST', body: form });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'incoming/copy.txt' }));
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'incoming/original.txt' }, { Key: 'incoming/posted note.txt' }] },
      }),
    );
    const messages = await drainQueue(sqs, queue.url, 6);

    // Assess
    expect(posted.status).toBe(204);
    const records = messages.map((message) => JSON.parse(message.Body ?? '{}').Records[0]);
    expect(records.map((record) => [record.eventName, decodeS3EventKey(record.s3.object.key)])).toEqual([
      ['ObjectCreated:Put', 'incoming/original.txt'],
      ['ObjectCreated:Copy', 'incoming/copy.txt'],
      ['ObjectCreated:Post', 'incoming/posted note.txt'],
      ['ObjectRemoved:Delete', 'incoming/copy.txt'],
      ['ObjectRemoved:Delete', 'incoming/original.txt'],
      ['ObjectRemoved:Delete', 'incoming/posted note.txt'],
    ]);
    expect(records[2].s3.object.size).toBe('posted body'.length);
    expect(Object.keys(records[3].s3.object).sort()).toEqual(['key', 'sequencer']);
    for (const message of messages) expect(() => parseIngestMessage(message.Body ?? '')).not.toThrow();
  });

  it('publishes to an SNS topic, which fans the record out to its queue', async () => {
    // Prepare
    const bucket = uniquePrefix('topic').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const sns = new SNSClient({ ...TEST_AWS, endpoint: local.endpoint });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniquePrefix('topic-t') }));
    const queue = await createQueue(local.endpoint, uniquePrefix('topic-q'));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn }));

    // Act
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          TopicConfigurations: [{ Id: 'to-topic', TopicArn, Events: ['s3:ObjectCreated:Put'] }],
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'any/where.txt', Body: 'sns' }));
    const messages = await drainQueue(sqs, queue.url, 2);

    // Assess
    const envelopes = messages.map((message) => JSON.parse(message.Body ?? '{}'));
    expect(envelopes.map((envelope) => envelope.Subject)).toEqual([
      'Amazon S3 Notification',
      'Amazon S3 Notification',
    ]);
    expect(JSON.parse(envelopes[0].Message).Event).toBe('s3:TestEvent');
    expect(JSON.parse(envelopes[1].Message).Records[0].s3).toMatchObject({
      configurationId: 'to-topic',
      object: { key: 'any/where.txt', size: 3 },
    });
  });

  it('refuses configurations S3 refuses, and keeps the previous one', async () => {
    // Prepare
    const { bucket, queue } = await notifiedBucket('invalid');
    const attempt = async (configurations: QueueConfiguration[], target = bucket) => {
      try {
        await s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: target,
            NotificationConfiguration: { QueueConfigurations: configurations },
          }),
        );
        return 'accepted';
      } catch (error) {
        if (!(error instanceof S3ServiceException)) throw error;
        return `${error.name}: ${error.message}`;
      }
    };

    // Act
    const results = [
      await attempt([
        { ...incomingOnly(queue.arn), Events: ['s3:ObjectCreated:Bogus' as 's3:ObjectCreated:*'] },
      ]),
      await attempt([incomingOnly(queue.arn.replace(/:[^:]+$/, ':no-such-queue'))]),
      await attempt([incomingOnly(queue.arn), { ...incomingOnly(queue.arn), Id: 'second' }]),
      await attempt([incomingOnly(queue.arn)], `${bucket}-missing`),
    ];
    const kept = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));

    // Assess
    expect(results).toEqual([
      'InvalidArgument: The event is not supported for notifications',
      expect.stringMatching(
        /^InvalidArgument: Unable to validate the following destination configurations: .*no-such-queue$/,
      ),
      'InvalidArgument: Configurations overlap. Configurations on the same bucket cannot share a common event type.',
      `NoSuchBucket: The specified bucket does not exist: ${bucket}-missing`,
    ]);
    expect(kept.QueueConfigurations?.map((configuration) => configuration.Id)).toEqual(['incoming']);
  });
});

describe('S3 bucket notifications across a restart', () => {
  it('keeps configurations and keeps sequencers increasing when fauxqs restarts on the same data dir', async () => {
    // Prepare
    const restartDir = await mkdtemp(join(tmpdir(), 'docflow-s3-restart-'));
    let first: LocalGateway | undefined = await startLocalGateway({ dataDir: restartDir });
    let second: LocalGateway | undefined;
    try {
      const bucket = uniquePrefix('restart').toLowerCase();
      await createBucket(first.endpoint, bucket);
      const queue = await createQueue(first.endpoint, uniquePrefix('restart-q'));
      await testS3(first.endpoint).send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: { QueueConfigurations: [incomingOnly(queue.arn)] },
        }),
      );
      await testS3(first.endpoint).send(
        new PutObjectCommand({ Bucket: bucket, Key: 'incoming/before.txt', Body: 'before' }),
      );
      await first.stop();
      first = undefined;

      // Act
      second = await startLocalGateway({ dataDir: restartDir });
      await testS3(second.endpoint).send(
        new PutObjectCommand({ Bucket: bucket, Key: 'incoming/after.txt', Body: 'after' }),
      );
      const messages = await drainQueue(testSqs(second.endpoint), queue.url, 3);

      // Assess
      expect(JSON.parse(messages[0]?.Body ?? '{}').Event).toBe('s3:TestEvent');
      const records = createdRecords(messages.slice(1));
      expect(records.map((record) => record.encodedKey)).toEqual([
        'incoming/before.txt',
        'incoming/after.txt',
      ]);
      expect((records[1]?.sequencer ?? '') > (records[0]?.sequencer ?? '')).toBe(true);
      const configuration = await testS3(second.endpoint).send(
        new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
      );
      expect(configuration.QueueConfigurations?.[0]?.QueueArn).toBe(queue.arn);
    } finally {
      await first?.stop();
      await second?.stop();
      await rm(restartDir, { recursive: true, force: true });
    }
  });
});
