import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { type FunctionConfig, measureRun } from '../../../../lambdas/record-cost/measure-run';
import {
  type RecordCostPorts,
  recordRunCost,
  runKeyOf,
  type statusChangeDetailSchema,
} from '../../../../lambdas/record-cost/record-run-cost';
import { MODEL } from '../../../../lambdas/record-cost/request-model';
import { COST_PARTS, totalOf } from '../../../../lambdas/shared/documents/document-cost';
import { DEFAULT_PRICES } from '../../../../lambdas/shared/documents/prices';
import {
  asyncScanHistory,
  CORRUPT_FILE,
  FAILING_IMAGE,
  FUNCTIONS,
  failedImageHistory,
  HistoryBuilder,
  REGION,
  redrivenImageHistory,
  rejectedHistory,
  SCANNED_PDF,
  TEXT_PDF,
  textPdfHistory,
} from '../../../fixtures/execution-histories';
import { InMemoryCostLedger } from '../../../support/in-memory-cost-ledger';

type Detail = import('zod').output<typeof statusChangeDetailSchema>;

const MACHINE = `arn:aws:states:${REGION}:123456789012:stateMachine:docflow-pipeline`;
const executionArn = (name: string): string =>
  `arn:aws:states:${REGION}:123456789012:execution:docflow-pipeline:${name}`;

const CONFIGS = new Map<string, FunctionConfig>(
  Object.values(FUNCTIONS).map((fn) => [
    fn.arn,
    { memoryMb: fn.memoryMb, architecture: 'arm64', ephemeralStorageMb: fn.ephemeralStorageMb },
  ]),
);

/** Ports over recorded histories (by execution ARN) and the fixture functions' configurations. */
const portsFor = (histories: Record<string, HistoryEvent[]>, ledger: InMemoryCostLedger) => {
  const metrics: { name: string; value: number }[] = [];
  const ports: RecordCostPorts = {
    history: {
      events: async (arn) => {
        const events = histories[arn];
        if (!events) throw new Error(`no history for ${arn}`);
        return events;
      },
    },
    functions: {
      get: async (name) => {
        const config = CONFIGS.get(name);
        if (!config) throw new Error(`no function ${name}`);
        return config;
      },
    },
    ledger,
    prices: DEFAULT_PRICES,
    starterFunction: FUNCTIONS.starter.arn,
    textractCallbackFunction: FUNCTIONS.textractCallback.arn,
    metrics: { addMetric: (name, _unit, value) => metrics.push({ name, value }) },
  };
  return { ports, metrics };
};

const detailOf = (name: string, status: Detail['status'], redriveCount?: number): Detail => ({
  executionArn: executionArn(name),
  stateMachineArn: MACHINE,
  name,
  status,
  ...(redriveCount === undefined ? {} : { redriveCount }),
});

/** A price in USD from whole picodollars, as the hand calculations below are written. */
const usd = (picodollars: number): number => picodollars / 1e12;

/**
 * The parts of an upload's run that Textract never reads: MarkProcessing's and the last state's writes
 * (4 units each), the ingest message's send, receive and delete, no Textract and no SNS.
 */
const WITHOUT_TEXTRACT = { textract: 0, dynamodb: usd(8 * 625_000), sqs: usd(3 * 400_000), sns: 0 };

describe('recordRunCost: the cost of one run, from its history', () => {
  it('prices a 2-page scan through the async path with one Textract throttling retry', async () => {
    // Prepare
    const ledger = new InMemoryCostLedger([SCANNED_PDF.id]);
    const { ports } = portsFor({ [executionArn('scan')]: asyncScanHistory() }, ledger);

    // Act
    const result = await recordRunCost(detailOf('scan', 'SUCCEEDED'), ports);

    // Assess
    expect(result).toEqual({
      documentId: SCANNED_PDF.id,
      runKey: 'scan',
      outcome: 'recorded',
      totalUsd: usd(3_346_602_196),
    });
    const run = ledger.costs.get(SCANNED_PDF.id)?.runs.scan;
    // 9 states entered (RouteEvent, MarkProcessing, Inspect, MakeDerivatives, Thumbnail,
    // ChooseTextStrategy, AnalyzeWithTextractJob, IndexMetadata, Processed) + 1 retry.
    expect(run?.usage.stateTransitions).toBe(10);
    expect(run?.usage.retries).toBe(1);
    // Inspect, Thumbnail, two extract-text invocations, IndexMetadata; the starter and the callback modelled.
    expect(run?.usage.lambda.invocations).toBe(7);
    expect(run?.usage.lambda.modelledInvocations).toBe(2);
    // GB-s: 1×0.812 + 2×1.5 + 2×0.25 + 2×0.3 + 0.25×0.12 + 0.25×0.1 (starter) + 1×0.5 (callback)
    expect(run?.usage.lambda.gbSeconds).toBe(5.467);
    expect(run?.usage.lambda.functions['docflow-extract-text']).toEqual({
      invocations: 2,
      billedMs: 550,
      memoryMb: 2048,
    });
    expect(run?.usage.textract).toEqual({ detectDocumentTextPages: 0, asyncPages: 2 });
    // Inspect's ranged and whole GETs (180,000 B > 64 KiB), the thumbnail's GET, Textract's GET, and the
    // upload checks after the thumbnail's and the text's PUTs.
    expect(run?.usage.s3).toEqual({ tier1Requests: 2, tier2Requests: 6 });
    // MarkProcessing 4, the job record each attempt writes (2) and the callback deletes (1), IndexMetadata 4; the callback reads it once.
    expect(run?.usage.dynamodb).toEqual({ writeUnits: 11, readUnits: 1 });
    // Ingest send/receive/delete + the completion's send/receive/delete; Textract's one SNS publish.
    expect(run?.usage.sqs).toEqual({ requests: 6 });
    expect(run?.usage.sns).toEqual({ publishes: 1 });
    expect(run?.parts).toEqual({
      stepFunctions: usd(10 * 25_000_000),
      // per invocation: $0.0000002 + MB/1024 × s × $0.0000133334 (+ 512 MB of /tmp × s × $0.0000000309)
      // 11,026,721 + 40,200,200 + 6,870,563 + 8,204,675 + 600,002 + 533,335 + 6,866,700 picodollars
      lambda: usd(74_302_196),
      textract: usd(2 * 1_500_000_000),
      s3: usd(2 * 5_000_000 + 6 * 400_000),
      dynamodb: usd(11 * 625_000 + 125_000),
      sqs: usd(6 * 400_000),
      sns: usd(500_000),
    });
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.prices).toEqual({ region: 'us-east-1', asOf: DEFAULT_PRICES.asOf });
  });

  it.each([
    {
      what: 'a born-digital PDF with no Textract at all',
      document: TEXT_PDF,
      name: 'report',
      history: textPdfHistory,
      stateTransitions: 9,
      s3: { tier1Requests: 2, tier2Requests: 5 },
      parts: {
        stepFunctions: usd(9 * 25_000_000),
        // Inspect 5,533,360 + Thumbnail 24,200,120 + ExtractText 16,209,350 + IndexMetadata 533,335 + starter 533,335
        lambda: usd(47_009_500),
        s3: usd(2 * 5_000_000 + 5 * 400_000),
        ...WITHOUT_TEXTRACT,
      },
      totalUsd: usd(290_209_500),
    },
    {
      what: 'a rejected file: Inspect’s one read, the two writes, no derivatives',
      document: CORRUPT_FILE,
      name: 'broken',
      history: rejectedHistory,
      // RouteEvent, MarkProcessing, Inspect, RecordRejected, Rejected
      stateTransitions: 5,
      s3: { tier1Requests: 0, tier2Requests: 1 },
      parts: {
        stepFunctions: usd(5 * 25_000_000),
        // Inspect 2,200,010 + RecordRejected 500,002 + starter 533,335
        lambda: usd(3_233_347),
        s3: usd(1 * 400_000),
        ...WITHOUT_TEXTRACT,
      },
      totalUsd: usd(134_833_347),
    },
  ])('prices $what', async ({ document, name, history, stateTransitions, s3, parts, totalUsd }) => {
    // Prepare
    const ledger = new InMemoryCostLedger([document.id]);
    const { ports } = portsFor({ [executionArn(name)]: history() }, ledger);

    // Act
    await recordRunCost(detailOf(name, 'SUCCEEDED'), ports);

    // Assess
    const run = ledger.costs.get(document.id)?.runs[name];
    expect(run?.usage.stateTransitions).toBe(stateTransitions);
    expect(run?.usage.textract).toEqual({ detectDocumentTextPages: 0, asyncPages: 0 });
    expect(run?.usage.s3).toEqual(s3);
    expect(run?.parts).toEqual(parts);
    expect(run?.totalUsd).toBe(totalUsd);
  });

  it('adds a run once: the same event delivered twice changes nothing', async () => {
    // Prepare
    const ledger = new InMemoryCostLedger([TEXT_PDF.id]);
    const { ports } = portsFor({ [executionArn('report')]: textPdfHistory() }, ledger);
    await recordRunCost(detailOf('report', 'SUCCEEDED'), ports);
    const before = structuredClone(ledger.costs.get(TEXT_PDF.id));

    // Act
    const again = await recordRunCost(detailOf('report', 'SUCCEEDED'), ports);

    // Assess
    expect(again).toMatchObject({ outcome: 'duplicate' });
    expect(ledger.costs.get(TEXT_PDF.id)).toEqual(before);
    expect(before?.totalUsd).toBe(usd(290_209_500));
  });

  it('adds a redrive to the same document: the failed run, then docflow redrive’s new execution', async () => {
    // Prepare
    const ledger = new InMemoryCostLedger([FAILING_IMAGE.id]);
    const { ports } = portsFor(
      { [executionArn('photo')]: failedImageHistory(), [executionArn('photo-r1')]: redrivenImageHistory() },
      ledger,
    );

    // Act
    await recordRunCost(detailOf('photo', 'FAILED'), ports);
    await recordRunCost(detailOf('photo-r1', 'SUCCEEDED'), ports);

    // Assess
    const cost = ledger.costs.get(FAILING_IMAGE.id);
    const failed = cost?.runs.photo;
    // 10 states entered (… DetectTextWithTextract, RecordFailure, SendToDlq, Failed) + 2 retries
    expect(failed?.usage.stateTransitions).toBe(12);
    expect(failed?.usage.textract.detectDocumentTextPages).toBe(0);
    expect(failed?.totalUsd).toBe(usd(354_609_465));
    const redriven = cost?.runs['photo-r1'];
    // A redrive is not a new upload: no ingest messages, no starter.
    expect(redriven?.usage.sqs.requests).toBe(0);
    expect(redriven?.usage.lambda.functions['docflow-starter']).toBeUndefined();
    expect(redriven?.usage.textract.detectDocumentTextPages).toBe(1);
    expect(redriven?.totalUsd).toBe(usd(1_792_882_365));
    expect(cost?.totalUsd).toBe(usd(354_609_465 + 1_792_882_365));
    expect(Object.keys(cost?.runs ?? {})).toEqual(['photo', 'photo-r1']);
  });

  it('prices a RedriveExecution of the same execution as a run of its own', async () => {
    // Prepare: AWS redrives an execution that failed in a Fail state by running that state again.
    const builder = new HistoryBuilder();
    failedImageHistory(builder);
    builder.redriven(1).fail('Failed');
    const history = builder.failed('Error');
    const ledger = new InMemoryCostLedger([FAILING_IMAGE.id]);
    const { ports } = portsFor({ [executionArn('photo')]: history }, ledger);

    // Act
    await recordRunCost(detailOf('photo', 'FAILED', 0), ports);
    const redrive = await recordRunCost(detailOf('photo', 'FAILED', 1), ports);

    // Assess
    expect(redrive).toMatchObject({ runKey: 'photo#redrive1', outcome: 'recorded' });
    const cost = ledger.costs.get(FAILING_IMAGE.id);
    expect(cost?.runs.photo?.totalUsd).toBe(usd(354_609_465));
    expect(cost?.runs['photo#redrive1']?.usage.stateTransitions).toBe(1);
    expect(cost?.runs['photo#redrive1']?.totalUsd).toBe(usd(25_000_000));
    expect(cost?.totalUsd).toBe(usd(354_609_465 + 25_000_000));
  });

  it('keeps every run’s parts adding up to its total, and the document’s to the sum of its runs', async () => {
    // Prepare
    const ledger = new InMemoryCostLedger([SCANNED_PDF.id, TEXT_PDF.id, CORRUPT_FILE.id]);
    const { ports } = portsFor(
      {
        [executionArn('scan')]: asyncScanHistory(),
        [executionArn('report')]: textPdfHistory(),
        [executionArn('broken')]: rejectedHistory(),
      },
      ledger,
    );

    // Act
    for (const name of ['scan', 'report', 'broken']) await recordRunCost(detailOf(name, 'SUCCEEDED'), ports);

    // Assess
    for (const cost of ledger.costs.values()) {
      expect(totalOf(cost.parts)).toBe(cost.totalUsd);
      for (const run of Object.values(cost.runs)) expect(totalOf(run.parts)).toBe(run.totalUsd);
      expect(Object.keys(cost.parts).sort()).toEqual([...COST_PARTS].sort());
    }
  });

  it('prices nothing for an execution whose input names no document', async () => {
    // Prepare
    const history = new HistoryBuilder()
      .executionStarted({ hello: 'world' })
      .instant('Succeed', 'Done')
      .succeeded();
    const ledger = new InMemoryCostLedger();
    const { ports, metrics } = portsFor({ [executionArn('manual')]: history }, ledger);

    // Act
    const result = await recordRunCost(detailOf('manual', 'SUCCEEDED'), ports);

    // Assess
    expect(result).toEqual({ runKey: 'manual', outcome: 'not-a-document' });
    expect(ledger.costs.size).toBe(0);
    expect(metrics).toContainEqual({ name: 'CostNotADocument', value: 1 });
  });

  it('tells a run whose document has no record', async () => {
    // Prepare
    const { ports, metrics } = portsFor(
      { [executionArn('report')]: textPdfHistory() },
      new InMemoryCostLedger(),
    );

    // Act
    const result = await recordRunCost(detailOf('report', 'SUCCEEDED'), ports);

    // Assess
    expect(result).toMatchObject({ outcome: 'no-document', documentId: TEXT_PDF.id });
    expect(metrics).toContainEqual({ name: 'CostWithoutDocument', value: 1 });
  });
});

describe('runKeyOf', () => {
  it('is the execution name, with the redrive count after a RedriveExecution', () => {
    expect(runKeyOf('scan-0123')).toBe('scan-0123');
    expect(runKeyOf('scan-0123', 0)).toBe('scan-0123');
    expect(runKeyOf('scan-0123', 2)).toBe('scan-0123#redrive2');
  });
});

describe('measureRun on a history without TaskSubmitted (as the local Step Functions writes it)', () => {
  it('gives the task-token invocation the modelled duration, and the function error its observed one', () => {
    // Prepare
    const history = asyncScanHistory().filter((event) => event.type !== 'TaskSubmitted');
    // Re-thread what pointed at a dropped TaskSubmitted to its TaskStarted, as the local history links them.
    const dropped = new Set(
      asyncScanHistory()
        .filter((e) => e.type === 'TaskSubmitted')
        .map((e) => e.id),
    );
    const events = history.map((event) =>
      event.previousEventId !== undefined && dropped.has(event.previousEventId)
        ? { ...event, previousEventId: event.previousEventId - 1 }
        : event,
    );

    // Act
    const measured = measureRun(events, events, {
      configOf: (name) =>
        CONFIGS.get(name) ?? { memoryMb: 128, architecture: 'arm64', ephemeralStorageMb: 512 },
      starterFunction: FUNCTIONS.starter.arn,
      textractCallbackFunction: FUNCTIONS.textractCallback.arn,
      startedByStarter: true,
    });

    // Assess
    const extractText = measured.invocations.filter(
      (invocation) => invocation.function === FUNCTIONS.extractText.arn,
    );
    expect(extractText.map((invocation) => [invocation.billedMs, invocation.modelled])).toEqual([
      [250, false],
      [MODEL.taskTokenInvocationMs, true],
    ]);
    expect(measured.asyncTextPages).toBe(2);
    expect(measured.stateTransitions).toBe(10);
  });

  it('counts a redriven attempt of a state entered before the redrive as a transition', () => {
    // Prepare: a Task entered in the first run, its attempt scheduled again after ExecutionRedriven.
    const builder = new HistoryBuilder().executionStarted({ document: TEXT_PDF });
    builder.lambdaTask('IndexMetadata', FUNCTIONS.indexMetadata.arn, {}, [
      { ms: 100, error: 'Lambda.ServiceException' },
    ]);
    const entered = builder.events.find((event) => event.type === 'TaskStateEntered')?.id ?? 0;
    builder.failed('Lambda.ServiceException');
    builder.redriven(1);
    builder.emit(
      'LambdaFunctionScheduled',
      { lambdaFunctionScheduledEventDetails: { resource: FUNCTIONS.indexMetadata.arn, input: '{}' } },
      entered,
    );
    builder.emit('LambdaFunctionStarted');
    builder.wait(100).emit('LambdaFunctionSucceeded', {
      lambdaFunctionSucceededEventDetails: { output: '{"written":true}' },
    });
    builder.instant('Succeed', 'Processed');
    const all = builder.succeeded();
    const redrive = all.slice(all.findIndex((event) => event.type === 'ExecutionRedriven'));

    // Act
    const measured = measureRun(redrive, all, {
      configOf: () => ({ memoryMb: 256, architecture: 'arm64', ephemeralStorageMb: 512 }),
      starterFunction: FUNCTIONS.starter.arn,
      textractCallbackFunction: FUNCTIONS.textractCallback.arn,
      startedByStarter: false,
    });

    // Assess: the re-run attempt (1) and the Succeed state (1).
    expect(measured.stateTransitions).toBe(2);
    expect(measured.invocations.map((invocation) => invocation.billedMs)).toEqual([100]);
    expect(measured.dynamodbWriteUnits).toBe(4);
  });
});
