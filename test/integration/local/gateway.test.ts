import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSecretsManager } from '../../../local/secrets/service';
import { createBucket, TEST_AWS, testDynamo, testS3, uniquePrefix } from '../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';

/** Requests the test double for Step Functions saw: proves the gateway hands `states` calls to its route. */
const statesCalls: { target: string; body: string }[] = [];

const fakeStepFunctions = (request: IncomingMessage, response: ServerResponse): void => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    statesCalls.push({
      target: String(request.headers['x-amz-target']),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ stateMachines: [] }));
  });
};

let dataDir: string;
let local: LocalGateway;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'docflow-gateway-'));
  local = await startLocalGateway({ dataDir, extraRoutes: { states: fakeStepFunctions } });
});

afterAll(async () => {
  await local?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the gateway', () => {
  it('listens on 127.0.0.1 only', () => {
    // Assess
    expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('routes DynamoDB calls to dynalite', async () => {
    // Prepare
    const table = uniquePrefix('gateway-table');
    const dynamo = testDynamo(local.endpoint);
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );

    // Act
    const viaGateway = await dynamo.send(new ListTablesCommand({}));
    const direct = await testDynamo(local.dynamo.endpoint).send(new ListTablesCommand({}));

    // Assess
    expect(viaGateway.TableNames).toContain(table);
    expect(viaGateway.TableNames).toEqual(direct.TableNames);
  });

  it('routes unsigned calls by their X-Amz-Target', async () => {
    // Prepare
    const unsigned = (target: string, protocol: string) =>
      fetch(local.endpoint, {
        method: 'POST',
        headers: { 'content-type': `application/x-amz-json-${protocol}`, 'x-amz-target': target },
        body: '{}',
      });

    // Act
    const dynamo = await unsigned('DynamoDB_20120810.ListTables', '1.0');
    const secrets = await unsigned('secretsmanager.GetRandomPassword', '1.1');

    // Assess
    // dynalite insists on a signature: its refusal proves the call reached it and not S3.
    expect(await dynamo.json()).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
    expect(secrets.status).toBe(200);
    expect(((await secrets.json()) as { RandomPassword: string }).RandomPassword).toHaveLength(32);
  });

  it('routes SQS and returns queue URLs that lead back to the gateway', async () => {
    // Prepare
    const name = uniquePrefix('gateway-queue');
    const sqs = new SQSClient({ ...TEST_AWS, endpoint: local.endpoint });

    // Act
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const byName = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    // No endpoint at all: the SDK dials the queue URL's own host, which must be the gateway.
    const urlOnly = new SQSClient({ ...TEST_AWS, logger: { ...console, warn: () => {} } });
    await urlOnly.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via the queue url' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

    // Assess
    expect(QueueUrl).toBe(`${local.endpoint}/000000000000/${name}`);
    expect(byName.QueueUrl).toBe(QueueUrl);
    expect(listed.QueueUrls).toEqual([QueueUrl]);
    expect(Messages?.map((message) => message.Body)).toEqual(['via the queue url']);
  });

  it('routes SNS to fauxqs', async () => {
    // Prepare
    const sns = new SNSClient({ ...TEST_AWS, endpoint: local.endpoint });
    const name = uniquePrefix('gateway-topic');

    // Act
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const { Topics } = await sns.send(new ListTopicsCommand({}));

    // Assess
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:000000000000:${name}`);
    expect(Topics?.map((topic) => topic.TopicArn)).toContain(TopicArn);
  });

  it('routes S3, and a presigned GET URL works through it', async () => {
    // Prepare
    const bucket = uniquePrefix('gateway-bucket').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const s3 = testS3(local.endpoint);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'docs/hello world.txt',
        Body: 'hello through the gateway',
      }),
    );

    // Act
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: bucket, Key: 'docs/hello world.txt' }),
      {
        expiresIn: 300,
      },
    );
    const response = await fetch(url);

    // Assess
    expect(url.startsWith(`${local.endpoint}/${bucket}/`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Credential')).toMatch(/\/s3\/aws4_request$/);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello through the gateway');
  });

  it('routes Step Functions calls to the mounted states handler', async () => {
    // Prepare
    const sfn = new SFNClient({ ...TEST_AWS, endpoint: local.endpoint });

    // Act
    const result = await sfn.send(new ListStateMachinesCommand({ maxResults: 5 }));

    // Assess
    expect(result.stateMachines).toEqual([]);
    expect(statesCalls).toEqual([{ target: 'AWSStepFunctions.ListStateMachines', body: '{"maxResults":5}' }]);
  });

  it('answers a service it does not run with 501, naming it', async () => {
    // Act
    const response = await fetch(local.endpoint, {
      method: 'POST',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(501);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /does not run the "kinesis" service/,
    );
  });
});

describe('the local Secrets Manager', () => {
  it('creates, reads and describes secrets, by name or ARN, and keeps them across a restart', async () => {
    // Prepare
    const secrets = new SecretsManagerClient({ ...TEST_AWS, endpoint: local.endpoint });
    const name = uniquePrefix('docflow/cursor-key');
    const { RandomPassword } = await secrets.send(
      new GetRandomPasswordCommand({ PasswordLength: 64, ExcludePunctuation: true }),
    );

    // Act
    const created = await secrets.send(
      new CreateSecretCommand({ Name: name, SecretString: RandomPassword, Description: 'cursor HMAC key' }),
    );
    const byName = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: name }));
    const again = await secrets
      .send(new CreateSecretCommand({ Name: name, SecretString: 'other' }))
      .catch((e) => e);
    const missing = await secrets
      .send(new GetSecretValueCommand({ SecretId: `${name}-nope` }))
      .catch((e) => e);
    const restarted = new LocalSecretsManager({ dataDir: join(dataDir, 'secrets') });

    // Assess
    expect(RandomPassword).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    expect(byName.SecretString).toBe(RandomPassword);
    expect(byArn).toMatchObject({ Name: name, SecretString: RandomPassword, VersionStages: ['AWSCURRENT'] });
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({
      ARN: created.ARN,
      Description: 'cursor HMAC key',
      VersionIdsToStages: { [created.VersionId ?? '']: ['AWSCURRENT'] },
    });
    expect(again).toBeInstanceOf(ResourceExistsException);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(restarted.call('GetSecretValue', { SecretId: created.ARN })).toMatchObject({
      SecretString: RandomPassword,
    });
  });
});
