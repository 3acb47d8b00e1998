import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../../lambdas/index-metadata/handler';
import { DynamoDbCostLedger } from '../../../../lambdas/record-cost/dynamodb-cost-ledger';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import type { DocumentCost } from '../../../../lambdas/shared/documents/document-cost';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import type { DynamoDbEmulator } from '../../../../local/emulators/dynamodb';
import type { MessagingEmulator } from '../../../../local/emulators/fauxqs';
import {
  aDeletion,
  aDocument,
  aProcessedOutcome,
  aRejectedOutcome,
} from '../../../fixtures/document-outcomes';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { aRunCost } from '../../../fixtures/run-costs';
import { metadataItemOf, testDocumentClient, uniquePrefix } from '../../../support/aws';
import type { TableStates } from './asl-dynamodb-task';
import { startIndexMetadataHandler } from './handler-environment';

/**
 * A document's cost belongs to the document, not to a version or a run: every write of a run (the
 * state machine's own MarkProcessing and RecordFailure, the function's PROCESSED, REJECTED and DELETED
 * records) keeps it, while everything else of an older version is still replaced.
 */

const TABLE = 'cost-kept-test';
const DERIVATIVES = 'derivatives-cost-kept-test';

let emulator: DynamoDbEmulator;
let messaging: MessagingEmulator;
let handler: typeof Handler;
let ledger: DynamoDbCostLedger;
let markProcessing: TableStates['markProcessing'];
let recordFailure: TableStates['recordFailure'];

beforeAll(async () => {
  ({
    dynamo: emulator,
    messaging,
    handler,
    markProcessing,
    recordFailure,
  } = await startIndexMetadataHandler(TABLE, DERIVATIVES));
  ledger = new DynamoDbCostLedger(testDocumentClient(emulator.endpoint), TABLE);
});

afterAll(async () => {
  await Promise.all([emulator.stop(), messaging.stop()]);
});

const stored = (document: DocumentRef): Promise<MetadataItem | undefined> =>
  metadataItemOf(emulator.endpoint, TABLE, document.id);

const costOf = async (document: DocumentRef): Promise<DocumentCost | undefined> =>
  (await stored(document))?.cost;

describe('the cost survives every write of a run', () => {
  it('through MarkProcessing, PROCESSED, a newer version’s REJECTED and a FAILED run', async () => {
    // Prepare: the first version processed and its run priced.
    const key = `incoming/${uniquePrefix('kept')}/report.pdf`;
    const first = aDocument(key, '0062E1A0B1C2D3E4F5');
    await markProcessing(first);
    await handler(aProcessedOutcome(first), lambdaContext());
    await ledger.addRun(first.id, 'first', aRunCost('first', 0.0003));
    const priced = await costOf(first);

    // Act + Assess: a newer version claims the item, is rejected, then a third fails.
    const second = aDocument(key, '0062E1A0B1C2D3E4F6');
    await markProcessing(second);
    expect(await costOf(second)).toEqual(priced);
    await handler(aRejectedOutcome(second), lambdaContext());
    const rejected = await stored(second);
    expect(rejected).toMatchObject({ status: 'REJECTED', version: second.version, cost: priced });
    // What the first version read from its content is gone, as before.
    for (const stale of ['thumbnail', 'text', 'title', 'author', 'pages', 'sha256', 'mimeType']) {
      expect(Object.keys(rejected ?? {})).not.toContain(stale);
    }
    await ledger.addRun(second.id, 'second', aRunCost('second', 0.0001));
    const third = aDocument(key, '0062E1A0B1C2D3E4F7');
    await markProcessing(third);
    await recordFailure(third);
    const failed = await stored(third);
    expect(failed?.status).toBe('FAILED');
    expect(failed?.cost?.totalUsd).toBe(0.0004);
    expect(Object.keys(failed?.cost?.runs ?? {}).sort()).toEqual(['first', 'second']);
  });

  it('into the deletion’s tombstone', async () => {
    // Prepare
    const key = `incoming/${uniquePrefix('kept')}/notes.pdf`;
    const document = aDocument(key, '0062E1A0B1C2D3E4F5');
    await markProcessing(document);
    await handler(aProcessedOutcome(document), lambdaContext());
    await ledger.addRun(document.id, 'upload', aRunCost('upload', 0.0002));

    // Act
    await handler(aDeletion(key, '0062E1A0B1C2D3E4F9'), lambdaContext());
    await ledger.addRun(document.id, 'deleted-upload', aRunCost('deleted-upload', 0.00005));

    // Assess
    const tombstone = await stored(document);
    expect(tombstone?.status).toBe('DELETED');
    expect(tombstone?.cost?.totalUsd).toBe(0.00025);
    expect(Object.keys(tombstone?.cost?.runs ?? {}).sort()).toEqual(['deleted-upload', 'upload']);
  });
});
