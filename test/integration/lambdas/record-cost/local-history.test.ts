import {
  type HistoryEvent,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCostLedger } from '../../../../lambdas/record-cost/dynamodb-cost-ledger';
import type { FunctionConfig } from '../../../../lambdas/record-cost/measure-run';
import { recordRunCost } from '../../../../lambdas/record-cost/record-run-cost';
import { SfnExecutionHistory } from '../../../../lambdas/record-cost/sfn-execution-history';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { type DocumentCost, totalOf } from '../../../../lambdas/shared/documents/document-cost';
import { TextractThrottledError } from '../../../../lambdas/shared/documents/errors';
import { DEFAULT_PRICES } from '../../../../lambdas/shared/documents/prices';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import {
  type RunningLocalStepFunctions,
  startLocalStepFunctions,
} from '../../../../local/stepfunctions/service';
import type { LambdaInvoker } from '../../../../local/stepfunctions/task-bindings';
import { aDocument } from '../../../fixtures/document-outcomes';
import { TEST_AWS, testArn, testDocumentClient, uniquePrefix } from '../../../support/aws';
import {
  type RegisteredPipeline,
  registerPipeline,
  testStepFunctionsOptions,
} from '../../../support/local-step-functions';
import { namedError } from '../../../support/named-error';

/**
 * The cost of runs of the real workflow definition in the local Step Functions, priced from the history
 * its GetExecutionHistory returns (through the real SDK), recorded on the item in dynalite. The functions
 * are scripted; what is checked is that the model reads the local history as it reads AWS's.
 */

const ARNS = {
  inspect: testArn.lambda('docflow-inspect'),
  thumbnail: testArn.lambda('docflow-thumbnail'),
  extractText: testArn.lambda('docflow-extract-text'),
  indexMetadata: testArn.lambda('docflow-index-metadata'),
  starter: testArn.lambda('docflow-starter'),
  callback: testArn.lambda('docflow-textract-callback'),
} as const;
const MEMORY: Record<string, number> = {
  [ARNS.inspect]: 1024,
  [ARNS.thumbnail]: 2048,
  [ARNS.extractText]: 2048,
  [ARNS.indexMetadata]: 256,
  [ARNS.starter]: 256,
  [ARNS.callback]: 1024,
};

const documentRef = (key: string, size: number): DocumentRef =>
  aDocument(key, '0065A1B2C3D4E5F6', {
    bucket: 'uploads',
    size,
    eTag: '"0"',
    uploadedAt: '2026-12-01T10:00:00.000Z',
  });

describe('record-cost over the local Step Functions history', () => {
  let dynamo: DynamoDbEmulator;
  let messaging: MessagingEmulator;
  let service: RunningLocalStepFunctions;
  let sfn: SFNClient;
  let pipeline: RegisteredPipeline;
  /** Calls per document of the extract-text function: the first async start of a scan is throttled. */
  const textCalls = new Map<string, number>();

  const invoke: LambdaInvoker = async (arn, raw) => {
    const payload = JSON.parse(JSON.stringify(raw)) as {
      document: DocumentRef;
      strategy?: string;
      taskToken?: string;
      outcome?: string;
    };
    const { document } = payload;
    const scan = document.key.endsWith('scan.pdf');
    switch (arn) {
      case ARNS.inspect:
        return {
          mimeType: 'application/pdf',
          type: 'pdf',
          size: document.size,
          sha256: '0'.repeat(64),
          pages: 2,
          hasTextLayer: !scan,
          textStrategy: scan ? 'textract-async' : 'local',
        };
      case ARNS.thumbnail:
        return {
          thumbnail: {
            bucket: 'derivatives',
            key: 't.webp',
            width: 181,
            height: 256,
            contentType: 'image/webp',
          },
        };
      case ARNS.extractText: {
        const call = (textCalls.get(document.id) ?? 0) + 1;
        textCalls.set(document.id, call);
        const text = { bucket: 'derivatives', key: 'text.json', pages: 2, characters: 3000, words: 500 };
        if (payload.strategy !== 'textract-async') return { text: { ...text, source: 'pdf-text-layer' } };
        if (call === 1) throw new TextractThrottledError('Textract throttled StartDocumentTextDetection');
        // The job "finishes" after the invocation returned: the callback completes the task.
        const token = payload.taskToken ?? '';
        setTimeout(() => {
          void sfn.send(
            new SendTaskSuccessCommand({
              taskToken: token,
              output: JSON.stringify({ text: { ...text, source: 'textract' } }),
            }),
          );
        }, 20);
        return { jobId: 'job-1', jobTag: 'tag-1' };
      }
      case ARNS.indexMetadata: {
        // The real function writes the whole item; here only what the cost needs: the item exists.
        return { written: true, status: 'PROCESSED' };
      }
      default:
        throw namedError('ResourceNotFoundException', `no function ${arn}`);
    }
  };

  beforeAll(async () => {
    [dynamo, messaging] = await Promise.all([startDynamoDb(), startMessaging()]);
    const endpoints = { dynamodb: dynamo.endpoint, sqs: messaging.endpoint };
    service = await startLocalStepFunctions(testStepFunctionsOptions(invoke, endpoints));
    sfn = new SFNClient({ ...TEST_AWS, endpoint: service.endpoint });
    pipeline = await registerPipeline(service, endpoints, ARNS);
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([dynamo?.stop(), messaging?.stop()]);
  });

  const ports = () => ({
    history: new SfnExecutionHistory(sfn),
    functions: {
      get: async (name: string): Promise<FunctionConfig> => {
        const memoryMb = MEMORY[name];
        if (memoryMb === undefined) throw new Error(`no function ${name}`);
        return {
          memoryMb,
          architecture: 'arm64',
          ephemeralStorageMb: name === ARNS.extractText ? 1024 : 512,
        };
      },
    },
    ledger: new DynamoDbCostLedger(testDocumentClient(dynamo.endpoint), pipeline.metadataTable),
    prices: DEFAULT_PRICES,
    starterFunction: ARNS.starter,
    textractCallbackFunction: ARNS.callback,
    metrics: { addMetric: () => undefined },
  });

  /** Runs one document to its end; returns the execution's name, ARN and whole history. */
  const run = async (document: DocumentRef) => {
    const name = uniquePrefix('run');
    const { executionArn = '' } = await sfn.send(
      // `generation` as the starter passes it (reprocessing); ignored by a definition without it.
      new StartExecutionCommand({
        stateMachineArn: pipeline.stateMachineArn,
        name,
        input: JSON.stringify({ document, generation: 0 }),
      }),
    );
    await service.settled(executionArn);
    const history = await new SfnExecutionHistory(sfn).events(executionArn);
    return { name, executionArn, history };
  };

  /** What Step Functions bills, counted straight from the events: states entered, plus retried attempts. */
  const billedTransitions = (history: readonly HistoryEvent[]): number => {
    const entered = history.filter((event) => /StateEntered$/.test(event.type ?? '')).length;
    const attempts = history.filter((event) =>
      /^(LambdaFunction|Task)Scheduled$/.test(event.type ?? ''),
    ).length;
    const tasks = history.filter((event) => event.type === 'TaskStateEntered').length;
    return entered + attempts - tasks;
  };

  const costOf = async (document: DocumentRef): Promise<DocumentCost | undefined> => {
    const { Item } = await testDocumentClient(dynamo.endpoint).send(
      new GetCommand({
        TableName: pipeline.metadataTable,
        Key: { documentId: document.id },
        ConsistentRead: true,
      }),
    );
    return Item?.cost as DocumentCost | undefined;
  };

  it('prices a scan through the async path with a throttled first start: transitions, pages, invocations', async () => {
    // Prepare
    const document = documentRef(`${uniquePrefix('cost')}/scan.pdf`, 180_000);
    const { name, executionArn, history } = await run(document);

    // Act
    const result = await recordRunCost(
      { executionArn, stateMachineArn: pipeline.stateMachineArn, name, status: 'SUCCEEDED', redriveCount: 0 },
      ports(),
    );

    // Assess
    expect(result).toMatchObject({ documentId: document.id, outcome: 'recorded' });
    const cost = await costOf(document);
    const usage = cost?.runs[name]?.usage;
    expect(usage?.retries).toBe(1);
    expect(usage?.stateTransitions).toBe(billedTransitions(history));
    expect(usage?.textract).toEqual({ detectDocumentTextPages: 0, asyncPages: 2 });
    expect(usage?.lambda.functions['docflow-extract-text']?.invocations).toBe(2);
    expect(usage?.lambda.functions['docflow-textract-callback']?.invocations).toBe(1);
    expect(usage?.lambda.functions['docflow-starter']?.invocations).toBe(1);
    // The local history has no TaskSubmitted: the successful task-token invocation is modelled too.
    expect(usage?.lambda.modelledInvocations).toBe(3);
    expect(usage?.s3).toEqual({ tier1Requests: 2, tier2Requests: 6 });
    expect(usage?.dynamodb).toEqual({ writeUnits: 11, readUnits: 1 });
    expect(cost?.parts.textract).toBeCloseTo(0.003, 12);
    expect(cost && totalOf(cost.parts)).toBe(cost?.totalUsd);
  });

  it('prices a born-digital PDF with nothing for Textract, and records a redelivered event once', async () => {
    // Prepare
    const document = documentRef(`${uniquePrefix('cost')}/report.pdf`, 40_000);
    const { name, executionArn, history } = await run(document);
    const detail = {
      executionArn,
      stateMachineArn: pipeline.stateMachineArn,
      name,
      status: 'SUCCEEDED' as const,
    };

    // Act
    const first = await recordRunCost(detail, ports());
    const again = await recordRunCost(detail, ports());

    // Assess
    expect([first.outcome, again.outcome]).toEqual(['recorded', 'duplicate']);
    const cost = await costOf(document);
    expect(cost?.parts.textract).toBe(0);
    expect(cost?.runs[name]?.usage.stateTransitions).toBe(billedTransitions(history));
    expect(cost?.runs[name]?.usage.retries).toBe(0);
    expect(cost?.totalUsd).toBe('totalUsd' in first ? first.totalUsd : undefined);
  });
});
