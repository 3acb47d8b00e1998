import { readFileSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { handler as ExtractTextHandler } from '../../../../lambdas/extract-text/handler';
import type { handler as InspectHandler } from '../../../../lambdas/inspect/handler';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import type { Inspection, TextInfo } from '../../../../lambdas/shared/documents/metadata-item';
import type { TextDocument } from '../../../../lambdas/shared/documents/text-document';
import { jobTagOf } from '../../../../lambdas/shared/ports/textract-jobs';
import type { handler as TextractCallbackHandler } from '../../../../lambdas/textract-callback/handler';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type AslStates, listStates } from '../../../../local/stepfunctions/asl';
import {
  type RunningLocalStepFunctions,
  startLocalStepFunctions,
} from '../../../../local/stepfunctions/service';
import { readDefinition } from '../../../../statemachines/definition';
import { substitute } from '../../../../statemachines/substitutions';
import { aDocument } from '../../../fixtures/document-outcomes';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { sqsEvent, sqsRecord } from '../../../fixtures/s3-sqs-events';
import {
  createBucket,
  createTextractJobsTable,
  TEST_AWS,
  testArn,
  testDocumentClient,
  uniquePrefix,
  useEmulatorEnv,
} from '../../../support/aws';
import { startTextractStack, type TextractStack } from '../../../support/local-textract';

const DERIVATIVES = 'derivatives-extract-text-test';
const JOBS_TABLE = 'textract-jobs-test';
const ROLE_ARN = testArn.role('textract-publishes');
const EXTRACT_TEXT_ARN = testArn.lambda('docflow-ExtractText');

/**
 * A state machine of one state: the pipeline's own AnalyzeWithTextractJob (lambda:invoke.waitForTaskToken),
 * taken from the ASL file, so the task's Parameters, timeouts and Retry are the real ones.
 */
const asyncTextMachine = (): AslStates => {
  const definition = JSON.parse(
    substitute(readDefinition(), {
      InspectFunctionArn: EXTRACT_TEXT_ARN,
      ThumbnailFunctionArn: EXTRACT_TEXT_ARN,
      ExtractTextFunctionArn: EXTRACT_TEXT_ARN,
      IndexMetadataFunctionArn: EXTRACT_TEXT_ARN,
      MetadataTableName: 'unused',
      FailedDocumentsQueueUrl: 'unused',
    }),
  ) as AslStates;
  const found = listStates(definition).find(({ name }) => name === 'AnalyzeWithTextractJob');
  if (!found) throw new Error('the definition has no AnalyzeWithTextractJob state');
  return { StartAt: found.name, States: { [found.name]: { ...found.state, End: true } } };
};

/**
 * The extract-text and textract-callback handlers against fauxqs (S3, SNS, SQS), dynalite and the local
 * Textract through the real @aws-sdk/client-textract. The asynchronous task runs on the local Step
 * Functions API: it invokes extract-text with a real task token, and the callback's SendTaskSuccess or
 * SendTaskFailure (real @aws-sdk/client-sfn) ends the execution.
 */
describe('extract-text and textract-callback handlers', () => {
  let stack: TextractStack;
  let dynamo: DynamoDbEmulator;
  let stepFunctions: RunningLocalStepFunctions;
  let sfn: SFNClient;
  let asyncMachineArn: string;
  let queueUrl: string;
  let extractText: typeof ExtractTextHandler;
  let inspect: typeof InspectHandler;
  let textractCallback: typeof TextractCallbackHandler;

  /** Uploads bytes as the starter would describe them (fauxqs has no versioning: version = sequencer). */
  const upload = async (name: string, body: Uint8Array): Promise<DocumentRef> => {
    const key = `incoming/${uniquePrefix('text')}/${name}`;
    const put = await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
    return aDocument(key, Date.now().toString(16), {
      bucket: stack.bucket,
      size: body.length,
      eTag: (put.ETag ?? '').replaceAll('"', ''),
      uploadedAt: new Date().toISOString(),
    });
  };

  const uploadSample = async (file: string) => {
    const document = await upload(file, readFileSync(`sample-docs/${file}`));
    const inspection = await inspect({ document }, lambdaContext());
    return { document, inspection };
  };

  const storedText = async (text: TextInfo): Promise<TextDocument> => {
    const object = await stack.s3.send(new GetObjectCommand({ Bucket: text.bucket, Key: text.key }));
    expect(object.ContentType).toMatch(/^application\/json/);
    return JSON.parse((await object.Body?.transformToString()) ?? '') as TextDocument;
  };

  /** The text pointer a synchronous strategy's run returns (the async one waits for its job instead). */
  const extractedText = async (
    strategy: 'local' | 'textract-sync',
    document: DocumentRef,
    inspection: Inspection,
  ): Promise<TextInfo> =>
    ((await extractText({ strategy, document, inspection }, lambdaContext())) as { text: TextInfo }).text;

  /** What Inspect would say of a PDF it let through: for corrupt bytes that only the text step finds. */
  const pdfInspection = (
    document: DocumentRef,
    found: Pick<Inspection, 'textStrategy'> & Partial<Inspection>,
  ): Inspection => ({
    mimeType: 'application/pdf',
    type: 'pdf',
    size: document.size,
    sha256: '0'.repeat(64),
    ...found,
  });

  const jobRecord = async (jobTag: string) =>
    (
      await testDocumentClient(dynamo.endpoint).send(
        new GetCommand({ TableName: JOBS_TABLE, Key: { jobTag }, ConsistentRead: true }),
      )
    ).Item;

  /** Receives the notification of the job reading one object (others' stay for their tests). */
  const notificationFor = async (document: DocumentRef): Promise<string> => {
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      const { Messages = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 1,
        }),
      );
      for (const message of Messages) {
        if (!message.Body?.includes(JSON.stringify(document.key).slice(1, -1))) continue;
        await stack.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        return message.Body;
      }
    }
    throw new Error(`no notification for ${document.key}`);
  };

  const runCallback = (body: string): Promise<SQSBatchResponse> =>
    textractCallback(
      sqsEvent(sqsRecord(body, { messageId: 'm-1' })),
      lambdaContext('docflow-textract-callback'),
    );

  /** Starts an execution of the one-state machine; the service invokes extract-text with a task token. */
  const startExecution = async (document: DocumentRef, inspection: Inspection): Promise<string> => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: asyncMachineArn,
        name: uniquePrefix('text'),
        input: JSON.stringify({ document, inspection }),
      }),
    );
    if (!executionArn) throw new Error('StartExecution returned no executionArn');
    return executionArn;
  };

  const finished = async (executionArn: string) => {
    await stepFunctions.settled(executionArn);
    return sfn.send(new DescribeExecutionCommand({ executionArn }));
  };

  beforeAll(async () => {
    [stack, dynamo] = await Promise.all([startTextractStack({ ocr: { size: 1 } }), startDynamoDb()]);
    stepFunctions = await startLocalStepFunctions({
      // The service invokes the function as Lambda would: the event goes through JSON, errors keep their name.
      invokeLambda: async (arn, payload) => {
        if (arn !== EXTRACT_TEXT_ARN)
          throw Object.assign(new Error(arn), { name: 'Lambda.ResourceNotFoundException' });
        return JSON.parse(
          JSON.stringify(await extractText(JSON.parse(JSON.stringify(payload)), lambdaContext())),
        );
      },
      endpoints: { dynamodb: dynamo.endpoint, sqs: stack.messaging.endpoint },
    });
    sfn = new SFNClient({ ...TEST_AWS, endpoint: stepFunctions.endpoint });
    ({ stateMachineArn: asyncMachineArn } = stepFunctions.registerStateMachine({
      name: 'async-text',
      definition: asyncTextMachine(),
    }));
    await createBucket(stack.messaging.endpoint, DERIVATIVES);
    await createTextractJobsTable(dynamo.endpoint, JOBS_TABLE);
    const channel = await stack.notificationQueue(uniquePrefix('textract-done'));
    queueUrl = channel.queueUrl;
    useEmulatorEnv({
      dynamodb: dynamo.endpoint,
      s3: stack.messaging.endpoint,
      sqs: stack.messaging.endpoint,
      sfn: stepFunctions.endpoint,
    });
    process.env.AWS_ENDPOINT_URL_TEXTRACT = stack.textract.endpoint;
    // Each throttling answer reaches the handler: the test sees the mapping, not the SDK's retries.
    process.env.AWS_MAX_ATTEMPTS = '1';
    process.env.DERIVATIVES_BUCKET_NAME = DERIVATIVES;
    process.env.TEXTRACT_JOBS_TABLE_NAME = JOBS_TABLE;
    process.env.TEXTRACT_TOPIC_ARN = channel.topicArn;
    process.env.TEXTRACT_ROLE_ARN = ROLE_ARN;
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';
    // The handlers create their clients and read their configuration at import.
    ({ handler: extractText } = await import('../../../../lambdas/extract-text/handler'));
    ({ handler: inspect } = await import('../../../../lambdas/inspect/handler'));
    ({ handler: textractCallback } = await import('../../../../lambdas/textract-callback/handler'));
  });

  afterAll(async () => {
    for (const name of [
      'AWS_ENDPOINT_URL_TEXTRACT',
      'AWS_MAX_ATTEMPTS',
      'DERIVATIVES_BUCKET_NAME',
      'TEXTRACT_JOBS_TABLE_NAME',
      'TEXTRACT_TOPIC_ARN',
      'TEXTRACT_ROLE_ARN',
    ]) {
      delete process.env[name];
    }
    await stepFunctions?.stop();
    await Promise.all([stack?.stop(), dynamo?.stop()]);
  });

  describe('local', () => {
    it('reads a PDF text layer page by page in a sandboxed process', async () => {
      // Prepare
      const { document, inspection } = await uploadSample('report-text-layer.pdf');

      // Act
      const result = await extractText({ strategy: 'local', document, inspection }, lambdaContext());

      // Assess
      const key = derivativeKeys.text(document);
      expect(result).toEqual({
        text: {
          bucket: DERIVATIVES,
          key,
          pages: 3,
          characters: expect.any(Number),
          words: expect.any(Number),
          source: 'pdf-text-layer',
        },
      });
      const stored = await storedText((result as { text: TextInfo }).text);
      expect(stored).toMatchObject({
        documentId: document.id,
        version: document.version,
        source: 'pdf-text-layer',
      });
      expect(stored.pages.map((page) => page.number)).toEqual([1, 2, 3]);
      expect(stored.pages[1]?.text).toContain('Harbour crane seven was repaired ahead of schedule');
    });

    it.each([
      { file: 'memo.docx', source: 'docx', phrase: 'Please label every box with your desk number' },
      { file: 'notes.txt', source: 'plain-text', phrase: 'Meet at the café on Rue Cler at noon' },
    ])('reads $file', async ({ file, source, phrase }) => {
      // Prepare
      const { document, inspection } = await uploadSample(file);

      // Act
      const text = await extractedText('local', document, inspection);

      // Assess
      expect(text).toMatchObject({ source, pages: 1 });
      const stored = await storedText(text);
      expect(stored.pages[0]?.text).toContain(phrase);
      expect(text.characters).toBe([...(stored.pages[0]?.text ?? '')].length);
    });

    it('rejects a corrupt PDF as CORRUPT', async () => {
      // Prepare
      const document = await upload('corrupt.pdf', readFileSync('sample-docs/corrupt.pdf'));
      const inspection = pdfInspection(document, { textStrategy: 'local' });

      // Act
      const outcome = extractText({ strategy: 'local', document, inspection }, lambdaContext());

      // Assess
      await expect(outcome).rejects.toMatchObject({ name: 'CorruptDocumentError' });
    });
  });

  describe('textract-sync', () => {
    it('OCRs a PNG by reference through the local Textract and stores its lines', async () => {
      // Prepare
      const { document, inspection } = await uploadSample('printed-text.png');
      expect(inspection.textStrategy).toBe('textract-sync');

      // Act
      const text = await extractedText('textract-sync', document, inspection);

      // Assess
      expect(text).toMatchObject({ source: 'textract', pages: 1 });
      const stored = await storedText(text);
      expect(stored.pages[0]?.text).toContain('The quick brown fox jumps over the lazy dog');
      const line = stored.pages[0]?.lines?.find((candidate) => candidate.text.includes('quick brown fox'));
      expect(line?.confidence).toBeGreaterThan(50);
      expect(line?.box.width).toBeGreaterThan(0);
      expect(line?.box.left).toBeGreaterThanOrEqual(0);
      expect(text.words).toBeGreaterThanOrEqual(9);
    });

    it('converts a WebP, which Textract does not take, and sends it inline', async () => {
      // Prepare
      const { document, inspection } = await uploadSample('diagram.webp');

      // Act
      const text = await extractedText('textract-sync', document, inspection);

      // Assess
      expect(text).toMatchObject({ source: 'textract', pages: 1 });
      const stored = await storedText(text);
      expect(stored.pages).toHaveLength(1);
    });

    it('reports Textract throttling as TextractThrottledError', async () => {
      // Prepare
      const { document, inspection } = await uploadSample('printed-text.png');
      stack.textract.service.injectFault({ operation: 'DetectDocumentText', error: 'ThrottlingException' });

      // Act
      const outcome = extractText({ strategy: 'textract-sync', document, inspection }, lambdaContext());

      // Assess
      await expect(outcome).rejects.toMatchObject({
        name: 'TextractThrottledError',
        message: expect.stringMatching(/^ThrottlingException: /),
      });
    });
  });

  describe('textract-async', () => {
    it('waits on a task token until SNS → SQS → the callback sends SendTaskSuccess with the text', async () => {
      // Prepare
      const { document, inspection } = await uploadSample('scanned-two-pages.pdf');
      expect(inspection).toMatchObject({ textStrategy: 'textract-async', pages: 2 });

      // Act
      const executionArn = await startExecution(document, inspection);
      const notification = await notificationFor(document);
      const { JobTag: jobTag } = JSON.parse(JSON.parse(notification).Message) as { JobTag: string };
      const record = await jobRecord(jobTag);
      const running = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const response = await runCallback(notification);
      const execution = await finished(executionArn);

      // Assess
      expect(running.status).toBe('RUNNING');
      expect(record).toMatchObject({ documentId: document.id, version: document.version });
      expect(jobTagOf(String(record?.taskToken))).toBe(jobTag);
      expect(response).toEqual({ batchItemFailures: [] });
      expect(execution.status).toBe('SUCCEEDED');
      const { text } = JSON.parse(execution.output ?? '{}') as { text: TextInfo };
      expect(text).toEqual({
        bucket: DERIVATIVES,
        key: derivativeKeys.text(document),
        pages: 2,
        characters: expect.any(Number),
        words: expect.any(Number),
        source: 'textract',
      });
      const stored = await storedText(text);
      expect(stored.pages.map((page) => page.number)).toEqual([1, 2]);
      expect(stored.pages[0]?.text).toContain('Invoice number 4711');
      expect(stored.pages[1]?.text).toContain('Delivery accepted by the night shift in Rotterdam');
      expect(stored.pages[1]?.lines?.[0]?.box.width).toBeGreaterThan(0);
      expect(await jobRecord(jobTag)).toBeUndefined();
    });

    it('acknowledges a notification whose execution has stopped, and its redelivery', async () => {
      // Prepare
      const { document, inspection } = await uploadSample('scanned-two-pages.pdf');
      const executionArn = await startExecution(document, inspection);
      const notification = await notificationFor(document);
      const { JobTag: jobTag } = JSON.parse(JSON.parse(notification).Message) as { JobTag: string };
      await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by hand' }));

      // Act
      const first = await runCallback(notification);
      const again = await runCallback(notification);

      // Assess
      expect(first).toEqual({ batchItemFailures: [] });
      expect(again).toEqual({ batchItemFailures: [] });
      expect((await finished(executionArn)).status).toBe('ABORTED');
      expect(await jobRecord(jobTag)).toBeUndefined();
    });

    it('fails the task with CorruptDocumentError when Textract cannot read the document', async () => {
      // Prepare
      const document = await upload('corrupt.pdf', readFileSync('sample-docs/corrupt.pdf'));
      const inspection = pdfInspection(document, { pages: 2, textStrategy: 'textract-async' });

      // Act
      const executionArn = await startExecution(document, inspection);
      const response = await runCallback(await notificationFor(document));
      const execution = await finished(executionArn);

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(execution).toMatchObject({
        status: 'FAILED',
        error: 'CorruptDocumentError',
        cause: expect.stringMatching(/^CORRUPT: Textract cannot read the document/),
      });
    });

    it('reports a malformed message as a batch item failure, without failing its neighbours', async () => {
      // Prepare
      const event = sqsEvent(
        sqsRecord('not json', { messageId: 'bad' }),
        sqsRecord(JSON.stringify({ JobId: 'j', Status: 'SUCCEEDED', JobTag: 'nobody' }), {
          messageId: 'stale',
        }),
      );

      // Act
      const response = await textractCallback(event, lambdaContext('docflow-textract-callback'));

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    });
  });
});
