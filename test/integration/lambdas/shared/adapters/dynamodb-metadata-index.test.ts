import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbMetadataIndex } from '../../../../../lambdas/shared/adapters/dynamodb-metadata-index';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../../local/emulators/dynamodb';
import { createMetadataTable, metadataItemOf, testDocumentClient } from '../../../../support/aws';
import { describeMetadataIndexContract } from '../../../../support/metadata-index-contract';

const TABLE = 'metadata-index-contract';

let emulator: DynamoDbEmulator;

beforeAll(async () => {
  emulator = await startDynamoDb();
  await createMetadataTable(emulator.endpoint, TABLE);
});

afterAll(async () => {
  await emulator?.stop();
});

describeMetadataIndexContract('DynamoDbMetadataIndex on dynalite', () => {
  const client = testDocumentClient(emulator.endpoint);
  return {
    index: new DynamoDbMetadataIndex(client, TABLE),
    stored: (documentId) => metadataItemOf(emulator.endpoint, TABLE, documentId),
    addCost: async (documentId, cost) => {
      await client.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { documentId },
          UpdateExpression: 'SET #cost = :cost',
          ConditionExpression: 'attribute_exists(#documentId)',
          ExpressionAttributeNames: { '#cost': 'cost', '#documentId': 'documentId' },
          ExpressionAttributeValues: { ':cost': cost },
        }),
      );
    },
  };
});
