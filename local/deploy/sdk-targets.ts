import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  type NotificationConfiguration,
  PutBucketCorsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalTargets } from './apply';
import type { IndexSpec, KeyElement, NotificationRuleSpec, SecretStep, TableStep, Throughput } from './steps';

/** The operations of {@link LocalTargets} that create storage, messaging, tables and secrets. */
export type StorageTargets = Pick<
  LocalTargets,
  | 'createBucket'
  | 'putBucketNotification'
  | 'createQueue'
  | 'createTopic'
  | 'subscribe'
  | 'createTable'
  | 'createSecret'
>;

export type StorageService = 's3' | 'sqs' | 'sns' | 'dynamodb' | 'secretsmanager';

export interface SdkTargetsOptions {
  /** One endpoint for every service (the gateway), or one per service. */
  readonly endpoint: string | Readonly<Record<StorageService, string>>;
  readonly region: string;
  /** @default local dummies: the emulators do not check signatures */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** How long to wait for a new table to become ACTIVE. @default 10000 */
  readonly tableActiveTimeoutMs?: number;
}

export interface SdkTargets extends StorageTargets {
  /** Closes the clients' connections. */
  close(): void;
}

/** A table kept from an earlier start that cannot hold what the template now describes. */
export class TableSchemaConflictError extends Error {
  override readonly name = 'TableSchemaConflictError';
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');

/** A `PROVISIONED` table needs throughput for itself and each index; these are the console's defaults. */
const DEFAULT_THROUGHPUT: Throughput = { readCapacityUnits: 5, writeCapacityUnits: 5 };

const keySchema = (elements: readonly KeyElement[]): KeySchemaElement[] =>
  elements.map((element) => ({ AttributeName: element.attributeName, KeyType: element.keyType }));

const throughputOf = (throughput: Throughput) => ({
  ReadCapacityUnits: throughput.readCapacityUnits,
  WriteCapacityUnits: throughput.writeCapacityUnits,
});

const sameKeys = (
  planned: readonly KeyElement[],
  existing: readonly KeySchemaElement[] | undefined,
): boolean =>
  JSON.stringify(keySchema(planned)) ===
  JSON.stringify((existing ?? []).map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType })));

const describeKeys = (elements: readonly KeyElement[]): string =>
  elements.map((element) => `${element.attributeName} ${element.keyType}`).join(', ');

const indexInput = (index: IndexSpec, step: TableStep): GlobalSecondaryIndex => ({
  IndexName: index.indexName,
  KeySchema: keySchema(index.keySchema),
  Projection: {
    ProjectionType: index.projectionType,
    ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
  },
  ...(step.billingMode === 'PROVISIONED'
    ? { ProvisionedThroughput: throughputOf(index.provisionedThroughput ?? DEFAULT_THROUGHPUT) }
    : {}),
});

const notificationConfiguration = (rules: readonly NotificationRuleSpec[]): NotificationConfiguration => {
  const filterOf = (rule: NotificationRuleSpec) => {
    const filterRules = Object.entries(rule.filter)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => ({ Name: name as 'prefix' | 'suffix', Value: value }));
    return filterRules.length === 0 ? {} : { Filter: { Key: { FilterRules: filterRules } } };
  };
  const common = (rule: NotificationRuleSpec) => ({
    ...(rule.id === undefined ? {} : { Id: rule.id }),
    Events: [...rule.events] as NonNullable<
      NotificationConfiguration['QueueConfigurations']
    >[number]['Events'],
    ...filterOf(rule),
  });
  return {
    QueueConfigurations: rules
      .filter((rule) => rule.destination.kind === 'queue')
      .map((rule) => ({ QueueArn: rule.destination.arn, ...common(rule) })),
    TopicConfigurations: rules
      .filter((rule) => rule.destination.kind === 'topic')
      .map((rule) => ({ TopicArn: rule.destination.arn, ...common(rule) })),
  };
};

/**
 * The storage and messaging half of {@link LocalTargets}, with the real AWS SDK clients pointed at the
 * local endpoint(s). Each operation finds what an earlier start made and keeps its data: an existing
 * bucket, queue, topic, subscription or secret is reused (a queue's or subscription's attributes are
 * updated to the template's), an existing table is kept when its keys match and refused when they do
 * not, and a secret's generated value is never regenerated.
 */
export const sdkTargets = (options: SdkTargetsOptions): SdkTargets => {
  const endpointOf = (service: StorageService) =>
    typeof options.endpoint === 'string' ? options.endpoint : options.endpoint[service];
  const common = {
    region: options.region,
    credentials: options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const s3 = new S3Client({ ...common, endpoint: endpointOf('s3'), forcePathStyle: true });
  const sqs = new SQSClient({ ...common, endpoint: endpointOf('sqs'), useQueueUrlAsEndpoint: false });
  const sns = new SNSClient({ ...common, endpoint: endpointOf('sns') });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpointOf('dynamodb') });
  const secrets = new SecretsManagerClient({ ...common, endpoint: endpointOf('secretsmanager') });
  const activeTimeoutMs = options.tableActiveTimeoutMs ?? 10_000;

  const describeTable = async (tableName: string): Promise<TableDescription> => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table) throw new Error(`DescribeTable ${tableName} answered without a table`);
    return Table;
  };

  const waitUntilActive = async (tableName: string): Promise<TableDescription> => {
    const deadline = Date.now() + activeTimeoutMs;
    for (;;) {
      const table = await describeTable(tableName);
      const creating = [
        table.TableStatus,
        ...(table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexStatus),
      ];
      if (creating.every((status) => status === 'ACTIVE')) return table;
      if (Date.now() > deadline)
        throw new Error(`table ${tableName} did not become ACTIVE in ${activeTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** An existing table: same keys, or a conflict; indexes the template added are created. */
  const reconcileTable = async (step: TableStep): Promise<void> => {
    let table = await describeTable(step.tableName);
    if (!sameKeys(step.keySchema, table.KeySchema)) {
      throw new TableSchemaConflictError(
        `table ${step.tableName} (${step.logicalId}) exists with the key ${(table.KeySchema ?? []).map((key) => `${key.AttributeName} ${key.KeyType}`).join(', ')}, ` +
          `but the template now says ${describeKeys(step.keySchema)}: a table's key cannot change; start the local cloud fresh`,
      );
    }
    for (const index of step.globalSecondaryIndexes) {
      const existing = (table.GlobalSecondaryIndexes ?? []).find(
        (candidate) => candidate.IndexName === index.indexName,
      );
      if (existing && !sameKeys(index.keySchema, existing.KeySchema)) {
        throw new TableSchemaConflictError(
          `index ${index.indexName} of table ${step.tableName} exists with another key than the template's (${describeKeys(index.keySchema)}): start the local cloud fresh`,
        );
      }
      if (existing) continue;
      const used = new Set(index.keySchema.map((key) => key.attributeName));
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: step.tableName,
          AttributeDefinitions: attributeDefinitions(step).filter((definition) =>
            used.has(definition.AttributeName ?? ''),
          ),
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                ...indexInput(index, step),
                // dynalite wants throughput for a new index whatever the billing mode.
                ProvisionedThroughput: throughputOf(index.provisionedThroughput ?? DEFAULT_THROUGHPUT),
              },
            },
          ],
        }),
      );
      table = await waitUntilActive(step.tableName);
      if (
        !(table.GlobalSecondaryIndexes ?? []).some((candidate) => candidate.IndexName === index.indexName)
      ) {
        throw new TableSchemaConflictError(
          `table ${step.tableName} exists without the index ${index.indexName}, and the local DynamoDB cannot add it: start the local cloud fresh`,
        );
      }
    }
  };

  const attributeDefinitions = (step: TableStep): AttributeDefinition[] =>
    step.attributeDefinitions.map((definition) => ({
      AttributeName: definition.attributeName,
      AttributeType: definition.attributeType as AttributeDefinition['AttributeType'],
    }));

  const secretValue = async (step: SecretStep): Promise<string> => {
    if ('secretString' in step.value) return step.value.secretString;
    const spec = step.value.generate;
    const { RandomPassword } = await secrets.send(
      new GetRandomPasswordCommand({
        PasswordLength: spec.passwordLength,
        ExcludeCharacters: spec.excludeCharacters,
        ExcludeNumbers: spec.excludeNumbers,
        ExcludePunctuation: spec.excludePunctuation,
        ExcludeUppercase: spec.excludeUppercase,
        ExcludeLowercase: spec.excludeLowercase,
        IncludeSpace: spec.includeSpace,
        RequireEachIncludedType: spec.requireEachIncludedType,
      }),
    );
    if (RandomPassword === undefined) throw new Error('GetRandomPassword answered without a password');
    if (spec.secretStringTemplate === undefined || spec.generateStringKey === undefined)
      return RandomPassword;
    const template = JSON.parse(spec.secretStringTemplate) as Record<string, unknown>;
    return JSON.stringify({ ...template, [spec.generateStringKey]: RandomPassword });
  };

  const existingSecretArn = async (name: string): Promise<string | undefined> => {
    try {
      const { ARN } = await secrets.send(new DescribeSecretCommand({ SecretId: name }));
      return ARN;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };

  return {
    async createBucket(step) {
      try {
        await s3.send(
          new CreateBucketCommand({
            Bucket: step.bucketName,
            // us-east-1 is S3's default and refuses to be named as a location constraint.
            ...(options.region === 'us-east-1'
              ? {}
              : {
                  CreateBucketConfiguration: {
                    LocationConstraint: options.region as BucketLocationConstraint,
                  },
                }),
          }),
        );
      } catch (error) {
        if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorName(error))) throw error;
      }
      if (step.versioned) {
        await s3.send(
          new PutBucketVersioningCommand({
            Bucket: step.bucketName,
            VersioningConfiguration: { Status: 'Enabled' },
          }),
        );
      }
      // The template's rules replace whatever an earlier start left; no rules means none. `?cors` is
      // answered by the local S3 front (local/s3/bucket-cors.ts), as notifications are: fauxqs has no CORS.
      const cors = step.cors ?? [];
      if (cors.length === 0) await s3.send(new DeleteBucketCorsCommand({ Bucket: step.bucketName }));
      else
        await s3.send(
          new PutBucketCorsCommand({
            Bucket: step.bucketName,
            CORSConfiguration: {
              CORSRules: cors.map((rule) => ({
                ...(rule.id === undefined ? {} : { ID: rule.id }),
                AllowedMethods: [...rule.allowedMethods],
                AllowedOrigins: [...rule.allowedOrigins],
                ...(rule.allowedHeaders.length > 0 ? { AllowedHeaders: [...rule.allowedHeaders] } : {}),
                ...(rule.exposeHeaders.length > 0 ? { ExposeHeaders: [...rule.exposeHeaders] } : {}),
                ...(rule.maxAgeSeconds === undefined ? {} : { MaxAgeSeconds: rule.maxAgeSeconds }),
              })),
            },
          }),
        );
    },

    async putBucketNotification(step) {
      // A whole configuration, as S3 and CDK's handler do: putting it again is a no-op.
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: step.bucketName,
          NotificationConfiguration: notificationConfiguration(step.rules),
        }),
      );
    },

    async createQueue(step) {
      try {
        const { QueueUrl } = await sqs.send(
          new CreateQueueCommand({ QueueName: step.queueName, Attributes: { ...step.attributes } }),
        );
        if (QueueUrl === undefined) throw new Error(`CreateQueue ${step.queueName} answered without a URL`);
        return { queueUrl: QueueUrl };
      } catch (error) {
        // The queue exists with other attributes: the template changed since the last start.
        if (!/Queue(NameExists|AlreadyExists)$/.test(errorName(error))) throw error;
      }
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: step.queueName }));
      if (QueueUrl === undefined) throw new Error(`GetQueueUrl ${step.queueName} answered without a URL`);
      const { FifoQueue: _fifo, ...changeable } = step.attributes;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: changeable }));
      return { queueUrl: QueueUrl };
    },

    async createTopic(step) {
      const { FifoTopic, ...changeable } = step.attributes;
      const { TopicArn } = await sns.send(
        new CreateTopicCommand({
          Name: step.topicName,
          ...(FifoTopic === undefined ? {} : { Attributes: { FifoTopic } }),
        }),
      );
      if (TopicArn === undefined) throw new Error(`CreateTopic ${step.topicName} answered without an ARN`);
      for (const [name, value] of Object.entries(changeable)) {
        await sns.send(
          new SetTopicAttributesCommand({ TopicArn, AttributeName: name, AttributeValue: value }),
        );
      }
      return { topicArn: TopicArn };
    },

    async subscribe(step) {
      let token: string | undefined;
      do {
        const page = await sns.send(
          new ListSubscriptionsByTopicCommand({ TopicArn: step.topicArn, NextToken: token }),
        );
        const existing = (page.Subscriptions ?? []).find(
          (subscription) =>
            subscription.Protocol === step.protocol && subscription.Endpoint === step.endpoint,
        );
        if (existing?.SubscriptionArn) {
          for (const [name, value] of Object.entries(step.attributes)) {
            await sns.send(
              new SetSubscriptionAttributesCommand({
                SubscriptionArn: existing.SubscriptionArn,
                AttributeName: name,
                AttributeValue: value,
              }),
            );
          }
          return { subscriptionArn: existing.SubscriptionArn };
        }
        token = page.NextToken;
      } while (token);
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: step.topicArn,
          Protocol: step.protocol,
          Endpoint: step.endpoint,
          Attributes: { ...step.attributes },
          ReturnSubscriptionArn: true,
        }),
      );
      if (SubscriptionArn === undefined)
        throw new Error(`Subscribe ${step.logicalId} answered without an ARN`);
      return { subscriptionArn: SubscriptionArn };
    },

    async createTable(step) {
      const provisioned = step.billingMode === 'PROVISIONED';
      try {
        await dynamodb.send(
          new CreateTableCommand({
            TableName: step.tableName,
            KeySchema: keySchema(step.keySchema),
            AttributeDefinitions: attributeDefinitions(step),
            BillingMode: step.billingMode,
            ...(provisioned
              ? { ProvisionedThroughput: throughputOf(step.provisionedThroughput ?? DEFAULT_THROUGHPUT) }
              : {}),
            ...(step.globalSecondaryIndexes.length === 0
              ? {}
              : {
                  GlobalSecondaryIndexes: step.globalSecondaryIndexes.map((index) => indexInput(index, step)),
                }),
            ...(step.localSecondaryIndexes.length === 0
              ? {}
              : {
                  LocalSecondaryIndexes: step.localSecondaryIndexes.map((index) => {
                    const { ProvisionedThroughput: _throughput, ...local } = indexInput(index, step);
                    return local;
                  }),
                }),
          }),
        );
      } catch (error) {
        if (errorName(error) !== 'ResourceInUseException') throw error;
        await reconcileTable(step);
      }
      await waitUntilActive(step.tableName);
    },

    async createSecret(step) {
      const existing = await existingSecretArn(step.name);
      // Kept as it is: a generated value is made once, and the data it protects depends on it.
      if (existing !== undefined) return { arn: existing };
      try {
        const { ARN } = await secrets.send(
          new CreateSecretCommand({
            Name: step.name,
            ...(step.description === undefined ? {} : { Description: step.description }),
            SecretString: await secretValue(step),
          }),
        );
        if (ARN === undefined) throw new Error(`CreateSecret ${step.name} answered without an ARN`);
        return { arn: ARN };
      } catch (error) {
        if (errorName(error) !== 'ResourceExistsException') throw error;
        const arn = await existingSecretArn(step.name);
        if (arn === undefined) throw error;
        return { arn };
      }
    },

    close() {
      for (const client of [s3, sqs, sns, dynamodb, secrets]) client.destroy();
    },
  };
};
