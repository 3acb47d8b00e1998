import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { testDynamo } from '../../../support/aws';

const require = createRequire(import.meta.url);

/** abstract-level as dynalite's LevelDB loads it, whose databases attach every open iterator. */
const abstractLevelOfDynalite = (): { AbstractLevel: { prototype: Record<string, unknown> } } => {
  const level = require.resolve('level', { paths: [require.resolve('dynalite')] });
  const classicLevel = require.resolve('classic-level', { paths: [level] });
  return require(require.resolve('abstract-level', { paths: [classicLevel] }));
};

/** Counts the resources (iterators) dynalite's databases attach and detach. */
const countOpenResources = (): { readonly open: () => number; restore(): void } => {
  const { prototype } = abstractLevelOfDynalite().AbstractLevel;
  const attach = prototype.attachResource as (resource: unknown) => void;
  const detach = prototype.detachResource as (resource: unknown) => void;
  const open = new Set<unknown>();
  prototype.attachResource = function (this: unknown, resource: unknown) {
    open.add(resource);
    attach.call(this, resource);
  };
  prototype.detachResource = function (this: unknown, resource: unknown) {
    open.delete(resource);
    detach.call(this, resource);
  };
  return {
    open: () => open.size,
    restore: () => {
      prototype.attachResource = attach;
      prototype.detachResource = detach;
    },
  };
};

describe('the local DynamoDB (dynalite) over many reads', () => {
  let dynamo: DynamoDbEmulator;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startDynamoDb();
    client = testDynamo(dynamo.endpoint);
    await client.send(
      new CreateTableCommand({
        TableName: 'Reads',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    for (let sk = 0; sk < 10; sk++) {
      await client.send(
        new PutItemCommand({ TableName: 'Reads', Item: { pk: { S: 'a' }, sk: { N: String(sk) } } }),
      );
    }
  });

  afterAll(async () => {
    client?.destroy();
    await dynamo?.stop();
  });

  it('closes the iterator of every Query and Scan, read to the end or cut by a Limit', async () => {
    // Prepare
    const resources = countOpenResources();
    const key = { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'a' } } };
    try {
      // Act
      for (let round = 0; round < 20; round++) {
        const [all, limited] = await Promise.all([
          client.send(new QueryCommand({ TableName: 'Reads', ...key })),
          client.send(new QueryCommand({ TableName: 'Reads', ...key, Limit: 3, ScanIndexForward: false })),
          client.send(new ScanCommand({ TableName: 'Reads' })),
          client.send(new ScanCommand({ TableName: 'Reads', Limit: 2 })),
        ]);
        expect(all.Count).toBe(10);
        expect(limited.Items?.map((item) => item.sk?.N)).toEqual(['9', '8', '7']);
      }
      // A closing iterator detaches itself a tick after the answer.
      await new Promise((resolve) => setTimeout(resolve, 50));

      // Assess
      expect(resources.open()).toBe(0);
    } finally {
      resources.restore();
    }
  });
});
