import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCostLedger } from '../../../../lambdas/record-cost/dynamodb-cost-ledger';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import type { DocumentCost } from '../../../../lambdas/shared/documents/document-cost';
import {
  aDeletion,
  aDocument,
  aProcessedOutcome,
  aRejectedOutcome,
} from '../../../fixtures/document-outcomes';
import { aRunCost } from '../../../fixtures/run-costs';
import { testDocumentClient, uniquePrefix } from '../../../support/aws';
import { useIndexMetadataHandler } from './handler-environment';

/**
 * A document's cost belongs to the document, not to a version or a run: every write of a run (the
 * state machine's own MarkProcessing and RecordFailure, the function's PROCESSED, REJECTED and DELETED
 * records) keeps it, while everything else of an older version is still replaced.
 */

const TABLE = 'cost-kept-test';
const DERIVATIVES = 'derivatives-cost-kept-test';

const { invoke, recordRun, markProcessing, recordFailure, stored, dynamoEndpoint } = useIndexMetadataHandler(
  TABLE,
  DERIVATIVES,
);
let ledger: DynamoDbCostLedger;

beforeAll(() => {
  ledger = new DynamoDbCostLedger(testDocumentClient(dynamoEndpoint()), TABLE);
});

/** Processes a version and prices one run of it, as record-cost would once the run ends. */
const processAndPrice = async (document: DocumentRef, run: string, usd: number): Promise<void> => {
  await recordRun(aProcessedOutcome(document));
  await ledger.addRun(document.id, run, aRunCost(run, usd));
};

const costOf = async (document: DocumentRef): Promise<DocumentCost | undefined> =>
  (await stored(document))?.cost;

describe('the cost survives every write of a run', () => {
  it('through MarkProcessing, PROCESSED, a newer version’s REJECTED and a FAILED run', async () => {
    // Prepare: the first version processed and its run priced.
    const key = `incoming/${uniquePrefix('kept')}/report.pdf`;
    const first = aDocument(key, '0062E1A0B1C2D3E4F5');
    await processAndPrice(first, 'first', 0.0003);
    const priced = await costOf(first);

    // Act + Assess: a newer version claims the item, is rejected, then a third fails.
    const second = aDocument(key, '0062E1A0B1C2D3E4F6');
    await markProcessing(second);
    expect(await costOf(second)).toEqual(priced);
    await invoke(aRejectedOutcome(second));
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
    await processAndPrice(document, 'upload', 0.0002);

    // Act
    await invoke(aDeletion(key, '0062E1A0B1C2D3E4F9'));
    await ledger.addRun(document.id, 'deleted-upload', aRunCost('deleted-upload', 0.00005));

    // Assess
    const tombstone = await stored(document);
    expect(tombstone?.status).toBe('DELETED');
    expect(tombstone?.cost?.totalUsd).toBe(0.00025);
    expect(Object.keys(tombstone?.cost?.runs ?? {}).sort()).toEqual(['deleted-upload', 'upload']);
  });
});
