import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_TABLE } from '../../../../lambdas/shared/documents/metadata-item';
import { applyPlan, type Deployment, type LocalTargets } from '../../../../local/deploy/apply';
import { type SdkTargets, sdkTargets, TableSchemaConflictError } from '../../../../local/deploy/sdk-targets';
import type { DeploymentPlan, DeployStep, TableStep } from '../../../../local/deploy/steps';
import { type SynthesizedStack, synthesizeApp } from '../../../../local/deploy/synth';
import { TEST_AWS, testDynamo, testS3, testSqs } from '../../../support/aws';
import { planOf, stepsOf } from '../../../support/deploy-plan';
import { type LocalGateway, startLocalGateway } from '../../../support/local-gateway';

let dataDir: string;
let synth: SynthesizedStack;
let local: LocalGateway;
let plan: DeploymentPlan;
let storage: SdkTargets;
let first: Deployment;
let firstSecret: string;

/** The services the orchestrator wires (runner, Step Functions, API) are recorded, not run, here. */
const withRecordedServices = (targets: SdkTargets, registered: DeployStep[] = []): LocalTargets => ({
  ...targets,
  registerFunction: (step) => void registered.push(step),
  addEventSource: (step) => void registered.push(step),
  registerStateMachine: (step) => {
    registered.push(step);
    return { stateMachineArn: step.arn };
  },
  addEventRule: (step) => void registered.push(step),
  addApiRoutes: (step) => void registered.push(step),
});

const start = async (): Promise<void> => {
  local = await startLocalGateway({ dataDir });
  plan = planOf(synth, { queueEndpoint: local.endpoint });
  storage = sdkTargets({ endpoint: local.endpoint, ...TEST_AWS });
};

const stop = async (): Promise<void> => {
  storage?.close();
  await local?.stop();
};

const secretValue = async (): Promise<string> => {
  const [secret] = stepsOf(plan, 'secret');
  const client = new SecretsManagerClient({ ...TEST_AWS, endpoint: local.endpoint });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secret?.arn }));
  client.destroy();
  return SecretString ?? '';
};

const metadataTable = (): TableStep => {
  const table = stepsOf(plan, 'table').find((step) =>
    step.keySchema.some((key) => key.attributeName === METADATA_TABLE.partitionKey),
  );
  if (!table) throw new Error('no metadata table in the plan');
  return table;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'docflow-deploy-'));
  synth = synthesizeApp();
  await start();
  first = await applyPlan(plan, withRecordedServices(storage));
  firstSecret = await secretValue();
}, 60_000);

afterAll(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('applyPlan with sdkTargets on fauxqs and dynalite', () => {
  it('creates every bucket of the template', async () => {
    // Prepare
    const s3 = testS3(local.endpoint);

    // Act
    const answers = await Promise.all(
      stepsOf(plan, 'bucket').map((step) => s3.send(new HeadBucketCommand({ Bucket: step.bucketName }))),
    );

    // Assess
    expect(answers.map((answer) => answer.$metadata.httpStatusCode)).toEqual(
      stepsOf(plan, 'bucket').map(() => 200),
    );
    expect(stepsOf(plan, 'bucket').map((step) => step.bucketName)).toContain(first.outputs.UploadsBucketName);
  });

  it('creates every queue, with its redrive policy and visibility timeout', async () => {
    // Prepare
    const sqs = testSqs(local.endpoint);

    // Act
    const attributes = await Promise.all(
      stepsOf(plan, 'queue').map(async (step) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: step.queueUrl, AttributeNames: ['All'] }),
        );
        return { step, Attributes };
      }),
    );

    // Assess
    expect(attributes.some(({ step }) => step.redrivePolicy !== undefined)).toBe(true);
    for (const { step, Attributes } of attributes) {
      expect(Attributes.QueueArn).toBe(step.queueArn);
      expect(Attributes.MessageRetentionPeriod).toBe(step.attributes.MessageRetentionPeriod);
      if (step.attributes.VisibilityTimeout) {
        expect(Attributes.VisibilityTimeout).toBe(step.attributes.VisibilityTimeout);
      }
      if (step.redrivePolicy)
        expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual(step.redrivePolicy);
      else expect(Attributes.RedrivePolicy).toBeUndefined();
    }
  });

  it('creates the metadata table with its key and both listing indexes', async () => {
    // Prepare
    const table = metadataTable();

    // Act
    const { Table } = await testDynamo(local.endpoint).send(
      new DescribeTableCommand({ TableName: table.tableName }),
    );

    // Assess
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: METADATA_TABLE.partitionKey, KeyType: 'HASH' }]);
    expect(
      (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.KeySchema]).sort(),
    ).toEqual(
      [METADATA_TABLE.byStatusIndex, METADATA_TABLE.byUploadTimeIndex]
        .map((index) => [
          index.name,
          [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        ])
        .sort(),
    );
  });

  it('configures the uploads bucket to notify the ingest queue of creations and removals under incoming/', async () => {
    // Prepare
    const [notification] = stepsOf(plan, 'bucketNotification');

    // Act
    const configuration = await testS3(local.endpoint).send(
      new GetBucketNotificationConfigurationCommand({ Bucket: notification?.bucketName }),
    );

    // Assess
    expect(
      configuration.QueueConfigurations?.map((rule) => [rule.QueueArn, rule.Events, rule.Filter]),
    ).toEqual(
      ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'].map((event) => [
        notification?.rules[0]?.destination.arn,
        [event],
        { Key: { FilterRules: [{ Name: 'Prefix', Value: 'incoming/' }] } },
      ]),
    );
  });

  it('subscribes the callback queue to the Textract topic with raw delivery', async () => {
    // Prepare
    const [subscription] = stepsOf(plan, 'subscription');
    const sns = new SNSClient({ ...TEST_AWS, endpoint: local.endpoint });

    // Act
    const { Subscriptions = [] } = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: subscription?.topicArn }),
    );
    const { Attributes = {} } = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: Subscriptions[0]?.SubscriptionArn }),
    );

    // Assess
    expect(Subscriptions.map((entry) => [entry.Protocol, entry.Endpoint])).toEqual([
      ['sqs', subscription?.endpoint],
    ]);
    expect(Attributes.RawMessageDelivery).toBe('true');
    sns.destroy();
  });

  it('generates the secret once, with the template’s rules', () => {
    // Assess
    expect(firstSecret).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('deploys again onto the same state without failing or losing data', async () => {
    // Prepare
    const table = metadataTable();
    const dynamo = testDynamo(local.endpoint);
    const s3 = testS3(local.endpoint);
    const item = { [METADATA_TABLE.partitionKey]: { S: 'kept-across-deploys' } };
    await dynamo.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
    await s3.send(
      new PutObjectCommand({
        Bucket: first.outputs.DerivativesBucketName,
        Key: 'kept/object.txt',
        Body: 'still here',
      }),
    );
    const registered: DeployStep[] = [];

    // Act
    const again = await applyPlan(plan, withRecordedServices(storage, registered));

    // Assess
    expect(again).toEqual(first);
    expect(registered.map((step) => step.kind).sort()).toEqual(
      plan.steps
        .filter((step) => ['function', 'eventSource', 'stateMachine', 'eventRule', 'api'].includes(step.kind))
        .map((step) => step.kind)
        .sort(),
    );
    const { Item } = await dynamo.send(new GetItemCommand({ TableName: table.tableName, Key: item }));
    expect(Item).toEqual(item);
    const object = await s3.send(
      new GetObjectCommand({ Bucket: first.outputs.DerivativesBucketName, Key: 'kept/object.txt' }),
    );
    expect(await object.Body?.transformToString()).toBe('still here');
    expect(await secretValue()).toBe(firstSecret);
  });

  it('deploys onto the state a restart kept, with the same names and the same secret', async () => {
    // Prepare
    await stop();
    await start();
    const table = metadataTable();

    // Act
    const restarted = await applyPlan(plan, withRecordedServices(storage));

    // Assess: names are the same; only queue URLs carry the (new) port of the restarted endpoint
    const withoutPort = (outputs: Readonly<Record<string, string>>) =>
      Object.fromEntries(
        Object.entries(outputs).map(([name, value]) => [
          name,
          value.replace(/^http:\/\/127\.0\.0\.1:\d+\//, 'http://local/'),
        ]),
      );
    expect(withoutPort(restarted.outputs)).toEqual(withoutPort(first.outputs));
    expect(await secretValue()).toBe(firstSecret);
    const { Item } = await testDynamo(local.endpoint).send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { [METADATA_TABLE.partitionKey]: { S: 'kept-across-deploys' } },
      }),
    );
    expect(Item).toBeDefined();
  });

  it('updates a kept queue whose attributes the template changed', async () => {
    // Prepare
    const queue = stepsOf(plan, 'queue').find((step) => step.redrivePolicy !== undefined);
    if (!queue) throw new Error('no queue with a redrive policy');
    const changed = { ...queue, attributes: { ...queue.attributes, VisibilityTimeout: '77' } };

    // Act
    const { queueUrl } = await storage.createQueue(changed);

    // Assess
    const { Attributes = {} } = await testSqs(local.endpoint).send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      }),
    );
    expect(Attributes.VisibilityTimeout).toBe('77');
    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual(queue.redrivePolicy);
    await storage.createQueue(queue);
  });

  it('refuses to redeploy a table whose key the template changed', async () => {
    // Prepare
    const table = metadataTable();
    const changed: TableStep = {
      ...table,
      keySchema: [{ attributeName: 'somethingElse', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'somethingElse', attributeType: 'S' }],
      globalSecondaryIndexes: [],
    };

    // Act
    const outcome = storage.createTable(changed);

    // Assess
    await expect(outcome).rejects.toThrow(TableSchemaConflictError);
    await expect(outcome).rejects.toThrow(/key cannot change/);
  });
});
