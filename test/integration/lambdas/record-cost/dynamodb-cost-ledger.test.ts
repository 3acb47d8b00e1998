import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetadataItem } from '../../../../lambdas/index-metadata/index-document';
import { DynamoDbCostLedger } from '../../../../lambdas/record-cost/dynamodb-cost-ledger';
import { type DocumentCost, zeroParts } from '../../../../lambdas/shared/documents/document-cost';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { aDocument, aProcessedOutcome } from '../../../fixtures/document-outcomes';
import { aRunCost } from '../../../fixtures/run-costs';
import { createMetadataTable, testDocumentClient, uniquePrefix } from '../../../support/aws';

const TABLE = 'cost-ledger-test';

let emulator: DynamoDbEmulator;
let ledger: DynamoDbCostLedger;

beforeAll(async () => {
  emulator = await startDynamoDb();
  await createMetadataTable(emulator.endpoint, TABLE);
  ledger = new DynamoDbCostLedger(testDocumentClient(emulator.endpoint), TABLE);
});

afterAll(async () => {
  await emulator.stop();
});

/** A document record as IndexMetadata leaves it. */
const putDocument = async (): Promise<string> => {
  const document = aDocument(`${uniquePrefix('cost')}/file.pdf`, '0065A1B2C3D4E5F6');
  const item = buildMetadataItem(aProcessedOutcome(document), new Date(document.uploadedAt));
  await testDocumentClient(emulator.endpoint).send(new PutCommand({ TableName: TABLE, Item: item }));
  return document.id;
};

const costOf = async (documentId: string): Promise<DocumentCost | undefined> => {
  const { Item } = await testDocumentClient(emulator.endpoint).send(
    new GetCommand({ TableName: TABLE, Key: { documentId }, ConsistentRead: true }),
  );
  return Item?.cost as DocumentCost | undefined;
};

describe('DynamoDbCostLedger (dynalite)', () => {
  it('creates the cost with the first run and adds every later run exactly', async () => {
    // Prepare
    const id = await putDocument();

    // Act
    const first = await ledger.addRun(
      id,
      'upload',
      aRunCost('upload', 0.0002720095, { parts: { stepFunctions: 0.000225, lambda: 0.0000470095 } }),
    );
    const second = await ledger.addRun(
      id,
      'upload-r1',
      aRunCost('upload-r1', 0.0000254, { parts: { stepFunctions: 0.000025, s3: 0.0000004 } }),
    );

    // Assess
    expect([first, second]).toEqual(['recorded', 'recorded']);
    const cost = await costOf(id);
    expect(cost?.totalUsd).toBe(0.0002974095);
    expect(cost?.parts).toEqual({
      ...zeroParts(),
      stepFunctions: 0.00025,
      lambda: 0.0000470095,
      s3: 0.0000004,
    });
    expect(Object.keys(cost?.runs ?? {}).sort()).toEqual(['upload', 'upload-r1']);
    expect(cost?.runs['upload-r1']?.usage.lambda.functions['docflow-inspect']?.billedMs).toBe(400);
  });

  it("writes a document's first run with one UpdateItem, none of them refused", async () => {
    // Prepare: a client that counts what it sends and what DynamoDB refuses.
    const id = await putDocument();
    const client = testDocumentClient(emulator.endpoint);
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          const result = await next(args);
          sent.push(`${context.commandName}`);
          return result;
        } catch (error) {
          sent.push(`${context.commandName} refused: ${(error as Error).name}`);
          throw error;
        }
      },
      { step: 'initialize' },
    );

    // Act
    const outcome = await new DynamoDbCostLedger(client, TABLE).addRun(
      id,
      'upload',
      aRunCost('upload', 0.000001, { parts: { lambda: 0.000001 } }),
    );

    // Assess
    expect(outcome).toBe('recorded');
    expect(sent).toEqual(['UpdateItemCommand']);
  });

  it('adds a run once: a second delivery of the same run changes nothing', async () => {
    // Prepare
    const id = await putDocument();
    await ledger.addRun(id, 'upload', aRunCost('upload', 0.000001, { parts: { lambda: 0.000001 } }));
    await ledger.addRun(
      id,
      'deleted-upload',
      aRunCost('deleted-upload', 0.0000025, { parts: { dynamodb: 0.0000025 } }),
    );

    // Act
    const again = await ledger.addRun(
      id,
      'upload',
      aRunCost('upload', 0.000001, { parts: { lambda: 0.000001 } }),
    );

    // Assess
    expect(again).toBe('duplicate');
    expect((await costOf(id))?.totalUsd).toBe(0.0000035);
  });

  it('adds two runs ending at the same time, each once', async () => {
    // Prepare
    const id = await putDocument();

    // Act
    const outcomes = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name, index) =>
        ledger.addRun(
          id,
          name,
          aRunCost(name, (index + 1) * 0.0000004, { parts: { sqs: (index + 1) * 0.0000004 } }),
        ),
      ),
    );

    // Assess
    expect(outcomes).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
    const cost = await costOf(id);
    expect(cost?.totalUsd).toBe(0.000004);
    expect(cost?.parts.sqs).toBe(0.000004);
  });

  it('writes nothing for a document that has no record', async () => {
    // Act
    const outcome = await ledger.addRun(
      'no-such-document-0000',
      'run',
      aRunCost('run', 0.000001, { parts: { lambda: 0.000001 } }),
    );

    // Assess
    expect(outcome).toBe('no-document');
    const { Item } = await testDocumentClient(emulator.endpoint).send(
      new GetCommand({ TableName: TABLE, Key: { documentId: 'no-such-document-0000' } }),
    );
    expect(Item).toBeUndefined();
  });
});
