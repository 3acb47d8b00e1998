import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { costSummarySchema } from '../../lambdas/api/cost-schemas';
import type { DocumentDetail } from '../../lambdas/api/schemas';
import { documentId } from '../../lambdas/shared/documents/document';
import { totalOf } from '../../lambdas/shared/documents/document-cost';
import {
  apiGet,
  executionHistory,
  getDocument,
  pollUntil,
  upload,
  useFreshCloudSession,
  waitForTerminal,
} from '../support/local-cloud-session';
import { readSampleDocument } from '../support/sample-docs';

/**
 * The cost of each document on the local cloud, as a user reads it: once a run ends, the rule hands its
 * execution to record-cost, which prices it from the history and the functions' configurations (the
 * local Lambda API) and adds it to the document; the parts add up, and match a count of the history.
 */

const BUDGET_MS = 120_000;

const session = useFreshCloudSession('cost');

const idOf = (key: string): string => documentId(session.uploadsBucket, key);

/** Polls the document until it has a cost with `runs` runs. */
const waitForCost = (id: string, runs = 1): Promise<DocumentDetail> => {
  let last: DocumentDetail | undefined;
  return pollUntil(
    `document ${id} to have the cost of ${runs} run(s)`,
    async () => {
      last = await getDocument(session, id);
      return (last?.cost?.runs.length ?? 0) >= runs ? last : undefined;
    },
    {
      deadline: Date.now() + BUDGET_MS,
      describe: () => `status ${last?.status}, runs ${last?.cost?.runs.length ?? 0}`,
    },
  );
};

/** States entered plus retried attempts: what Step Functions bills, counted from the events. */
const transitionsOf = (history: readonly HistoryEvent[]): number => {
  const entered = history.filter((event) => event.type?.endsWith('StateEntered')).length;
  const attempts = history.filter((event) =>
    /^(LambdaFunction|Task)Scheduled$/.test(event.type ?? ''),
  ).length;
  const tasks = history.filter((event) => event.type === 'TaskStateEntered').length;
  return entered + attempts - tasks;
};

const lambdaAttemptsOf = (history: readonly HistoryEvent[]): number =>
  history.filter(
    (event) =>
      event.type === 'LambdaFunctionStarted' ||
      (event.type === 'TaskStarted' && event.taskStartedEventDetails?.resourceType === 'lambda'),
  ).length;

describe('the cost of each document on the local cloud', () => {
  it('prices a scan by its Textract pages and a text PDF without, each matching its history', async () => {
    // Prepare
    const scanKey = 'incoming/costs/scanned-two-pages.pdf';
    const textKey = 'incoming/costs/report-text-layer.pdf';
    await upload(session, scanKey, await readSampleDocument('scanned-two-pages.pdf'));
    await upload(session, textKey, await readSampleDocument('report-text-layer.pdf'));

    // Act
    const [scan, text] = await Promise.all([waitForCost(idOf(scanKey)), waitForCost(idOf(textKey))]);

    // Assess
    for (const document of [scan, text]) {
      const { cost } = document;
      const run = cost?.runs[0];
      expect(document.status).toBe('PROCESSED');
      expect(cost && totalOf(cost.parts)).toBe(cost?.totalUsd);
      expect(run && totalOf(run.parts)).toBe(run?.totalUsd);
      const history = await executionHistory(session, document.execution?.arn ?? '');
      expect(run?.usage.stateTransitions).toBe(transitionsOf(history));
      // Every attempt the history shows, plus the starter's invocation (and the callback's for the scan).
      const outside = document.textStrategy === 'textract-async' ? 2 : 1;
      expect(run?.usage.lambda.invocations).toBe(lambdaAttemptsOf(history) + outside);
      expect(run?.prices.region).toBe('us-east-1');
    }
    expect(scan.cost?.runs[0]?.usage.textract).toEqual({ detectDocumentTextPages: 0, asyncPages: 2 });
    expect(scan.cost?.parts.textract).toBe(0.003);
    expect(text.cost?.parts.textract).toBe(0);
    expect(text.cost?.parts.lambda).toBeGreaterThan(0);
  });

  it('adds the deletion’s run to the same document, and sums the range through GET /costs', async () => {
    // Prepare
    const key = 'incoming/costs/notes.txt';
    await upload(session, key, await readSampleDocument('notes.txt'));
    const priced = await waitForCost(idOf(key));
    expect(await waitForTerminal(session, priced.id, { deadline: Date.now() + BUDGET_MS })).toMatchObject({
      status: 'PROCESSED',
    });

    // Act
    await session.s3.send(new DeleteObjectCommand({ Bucket: session.uploadsBucket, Key: key }));
    const deleted = await waitForCost(priced.id, 2);
    const { status, body } = await apiGet(session, 'costs');

    // Assess
    expect(deleted.status).toBe('DELETED');
    const [first, deletion] = deleted.cost?.runs ?? [];
    expect(deletion?.execution).toMatch(/^deleted-/);
    expect(deletion?.usage.stateTransitions).toBe(3);
    expect(deleted.cost?.totalUsd).toBe(
      totalOf({ lambda: (first?.totalUsd ?? 0) + (deletion?.totalUsd ?? 0) }),
    );
    expect(status).toBe(200);
    const summary = costSummarySchema.parse(body);
    expect(summary.documents).toBe(3);
    expect(summary.costedDocuments).toBe(3);
    expect(summary.byStrategy.map((group) => group.key).sort()).toEqual(['local', 'textract-async']);
  });
});
