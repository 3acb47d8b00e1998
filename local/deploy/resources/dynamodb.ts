import type { IndexSpec, KeyElement, TableStep, Throughput } from '../steps';
import { asList, asPlanned, isRecord, type ResolvedResource, type ResourceHandler } from './resource-handler';

const keySchema = (
  resource: ResolvedResource,
  value: unknown,
  path: readonly (string | number)[],
): KeyElement[] => {
  const elements = asList(value).map((element) => {
    if (!isRecord(element) || typeof element.AttributeName !== 'string') return undefined;
    const keyType = element.KeyType;
    return keyType === 'HASH' || keyType === 'RANGE'
      ? { attributeName: element.AttributeName, keyType }
      : undefined;
  });
  if (elements.length === 0 || elements.some((element) => element === undefined)) {
    throw resource.error(['Properties', ...path], 'must list AttributeName and KeyType (HASH or RANGE)');
  }
  return elements as KeyElement[];
};

const throughputOf = (resource: ResolvedResource, value: unknown): Throughput | undefined => {
  if (!isRecord(value)) return undefined;
  return {
    readCapacityUnits: resource.number('ReadCapacityUnits', value.ReadCapacityUnits) ?? 1,
    writeCapacityUnits: resource.number('WriteCapacityUnits', value.WriteCapacityUnits) ?? 1,
  };
};

/** The global or local secondary indexes of the table (`name` is the property). */
const indexes = (resource: ResolvedResource, name: string): IndexSpec[] =>
  asList(resource.property(name)).map((index, position): IndexSpec => {
    if (!isRecord(index) || typeof index.IndexName !== 'string') {
      throw resource.error(['Properties', name, position], 'needs an IndexName');
    }
    const projection = isRecord(index.Projection) ? index.Projection : {};
    const projectionType = String(projection.ProjectionType ?? 'ALL');
    if (projectionType !== 'ALL' && projectionType !== 'KEYS_ONLY' && projectionType !== 'INCLUDE') {
      throw resource.error(['Properties', name, position], `unknown projection ${projectionType}`);
    }
    const indexThroughput = throughputOf(resource, index.ProvisionedThroughput);
    return {
      indexName: index.IndexName,
      keySchema: keySchema(resource, index.KeySchema, [name, position, 'KeySchema']),
      projectionType,
      ...(Array.isArray(projection.NonKeyAttributes)
        ? { nonKeyAttributes: projection.NonKeyAttributes.map(String) }
        : {}),
      ...(indexThroughput ? { provisionedThroughput: indexThroughput } : {}),
    };
  });

const table = (resource: ResolvedResource): TableStep => {
  const tableKeySchema = keySchema(resource, resource.property('KeySchema'), ['KeySchema']);
  const definitions = asList(resource.property('AttributeDefinitions')).map((definition, index) => {
    if (!isRecord(definition) || typeof definition.AttributeName !== 'string') {
      throw resource.error(['Properties', 'AttributeDefinitions', index], 'needs an AttributeName');
    }
    return { attributeName: definition.AttributeName, attributeType: String(definition.AttributeType) };
  });
  const billingMode = resource.string('BillingMode') ?? 'PROVISIONED';
  if (billingMode !== 'PAY_PER_REQUEST' && billingMode !== 'PROVISIONED') {
    throw resource.error(['Properties', 'BillingMode'], `unknown billing mode ${billingMode}`);
  }
  const throughput = throughputOf(resource, resource.property('ProvisionedThroughput'));
  const ttl = resource.property('TimeToLiveSpecification');
  const timeToLiveAttribute =
    isRecord(ttl) && ttl.Enabled !== false && typeof ttl.AttributeName === 'string'
      ? ttl.AttributeName
      : undefined;
  return {
    kind: 'table',
    logicalId: resource.logicalId,
    tableName: resource.name,
    tableArn: resource.arn,
    keySchema: tableKeySchema,
    attributeDefinitions: definitions,
    billingMode,
    ...(throughput ? { provisionedThroughput: throughput } : {}),
    globalSecondaryIndexes: indexes(resource, 'GlobalSecondaryIndexes'),
    localSecondaryIndexes: indexes(resource, 'LocalSecondaryIndexes'),
    ...(timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute }),
    notes: resource.notes(
      [
        'TableName',
        'KeySchema',
        'AttributeDefinitions',
        'BillingMode',
        'ProvisionedThroughput',
        'GlobalSecondaryIndexes',
        'LocalSecondaryIndexes',
      ],
      {
        TimeToLiveSpecification: `dynalite has no TTL: items never expire locally (attribute ${timeToLiveAttribute ?? 'none'})`,
        PointInTimeRecoverySpecification: 'the local DynamoDB keeps no backups',
        SSESpecification: 'items are not encrypted at rest locally',
        DeletionProtectionEnabled: 'local tables are only deleted by starting fresh',
        StreamSpecification: 'dynalite has no streams',
      },
    ),
  };
};

/** Tables with their keys and secondary indexes, on dynalite. */
export const dynamoDbHandler: ResourceHandler = {
  types: ['AWS::DynamoDB::Table'],
  plan: table,
  deploy: {
    table: asPlanned((step, targets) => targets.createTable(step)),
  },
};
