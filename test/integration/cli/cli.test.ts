import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main';
import { documentListSchema } from '../../../lambdas/api/schemas';
import { documentId } from '../../../lambdas/shared/documents/document';
import { parseIngestMessage } from '../../../lambdas/starter/s3-notification';
import type { RestApiServer } from '../../../local/api/rest-api-server';
import { writeDeploymentFile } from '../../../local/deployment-file';
import { createLocalStepFunctions, type LocalStepFunctions } from '../../../local/stepfunctions/service';
import type { LambdaInvoker } from '../../../local/stepfunctions/task-bindings';
import {
  createBucket,
  createMetadataTable,
  createQueue,
  notifyOnCreate,
  TEST_AWS,
  testArn,
  testDocumentClient,
  testS3,
  testSqs,
} from '../../support/aws';
import { runDocflow } from '../../support/docflow-process';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';
import { startLocalQueryApi } from '../../support/local-query-api';
import { testStepFunctionsOptions } from '../../support/local-step-functions';
import { memoryTerminal } from '../../support/memory-terminal';
import {
  type StandInPipeline,
  standInThumbnail,
  startStandInPipeline,
} from '../../support/stand-in-pipeline';

const UPLOADS = 'cli-uploads';
const DERIVATIVES = 'cli-derivatives';
const TABLE = 'cli-metadata';
const INSPECT_FUNCTION = testArn.lambda('inspect');

/** Inspect (fails once, then retried) → Parallel[Thumbnail | ExtractText] → Succeed. */
const MACHINE = {
  StartAt: 'Inspect',
  States: {
    Inspect: {
      Type: 'Task',
      Resource: INSPECT_FUNCTION,
      Parameters: { 'execution.$': '$$.Execution.Name' },
      ResultPath: null,
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Next: 'MakeDerivatives',
    },
    MakeDerivatives: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Thumbnail', States: { Thumbnail: { Type: 'Pass', End: true } } },
        { StartAt: 'ExtractText', States: { ExtractText: { Type: 'Pass', End: true } } },
      ],
      ResultPath: null,
      Next: 'Processed',
    },
    Processed: { Type: 'Succeed' },
  },
};

let root: string;
let dataDir: string;
let local: LocalGateway;
let stepFunctions: LocalStepFunctions;
let api: RestApiServer;
let pipeline: StandInPipeline;
let s3: S3Client;
let reprocessRequests: { url: string; arn: string };

const cli = async (...args: string[]) => {
  const terminal = memoryTerminal();
  const code = await runCli([...args, '--data-dir', dataDir], { terminal, cwd: root });
  return { code, stdout: terminal.stdout, stderr: terminal.stderr, text: terminal.text() };
};

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const objectBytes = async (key: string): Promise<{ bytes: Uint8Array; eTag: string }> => {
  const object = await s3.send(new GetObjectCommand({ Bucket: UPLOADS, Key: key }));
  return { bytes: (await object.Body?.transformToByteArray()) ?? new Uint8Array(), eTag: object.ETag ?? '' };
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docflow-cli-'));
  dataDir = join(root, 'state');
  let route: LocalStepFunctions['handler'] | undefined;
  local = await startLocalGateway({
    extraRoutes: {
      states: (request: IncomingMessage, response: ServerResponse) => route?.(request, response),
    },
  });
  const failedOnce = new Set<string>();
  const failOnceThenSucceed: LambdaInvoker = async (_arn, payload) => {
    const { execution } = payload as { execution: string };
    if (!failedOnce.has(execution)) {
      failedOnce.add(execution);
      throw Object.assign(new Error('cold start hiccup'), { name: 'Flaky' });
    }
    return {};
  };
  stepFunctions = createLocalStepFunctions(
    testStepFunctionsOptions(failOnceThenSucceed, {
      dynamodb: local.dynamo.endpoint,
      sqs: local.messaging.endpoint,
    }),
  );
  route = stepFunctions.handler;
  const { stateMachineArn } = stepFunctions.registerStateMachine({
    name: 'cli-pipeline',
    definition: MACHINE,
  });

  s3 = testS3(local.endpoint);
  await Promise.all([createBucket(local.endpoint, UPLOADS), createBucket(local.endpoint, DERIVATIVES)]);
  await createMetadataTable(local.dynamo.endpoint, TABLE);
  const ingest = await createQueue(local.endpoint, 'cli-ingest');
  const failed = await createQueue(local.endpoint, 'cli-failed-documents');
  await notifyOnCreate(local.endpoint, UPLOADS, ingest.arn, 'incoming/');

  // The API sends reprocess requests here, a queue of their own: the stand-in pipeline, which reads
  // the ingest queue, knows S3 notifications only (the starter's part is tested with the starter).
  reprocessRequests = await createQueue(local.endpoint, 'cli-reprocess-requests');
  api = await startLocalQueryApi({
    endpoint: local.endpoint,
    table: TABLE,
    ingestQueueUrl: reprocessRequests.url,
    uploadsBucket: UPLOADS,
    label: 'cli',
    reprocess: true,
  });

  pipeline = startStandInPipeline({
    sqs: testSqs(local.endpoint),
    queueUrl: ingest.url,
    dynamo: testDocumentClient(local.dynamo.endpoint),
    table: TABLE,
    s3,
    derivativesBucket: DERIVATIVES,
    sfn: new SFNClient({ ...TEST_AWS, endpoint: local.endpoint }),
    stateMachineArn,
    settled: (arn) => stepFunctions.settled(arn),
    processingMs: 300,
  });

  await writeDeploymentFile(dataDir, {
    endpoint: local.endpoint,
    region: TEST_AWS.region,
    apiUrl: api.url,
    outputs: {
      UploadsBucketName: UPLOADS,
      DerivativesBucketName: DERIVATIVES,
      ApiUrl: api.url,
      StateMachineArn: stateMachineArn,
      FailedDocumentsQueueUrl: failed.url,
    },
  });
});

afterAll(async () => {
  await pipeline?.stop();
  await api?.stop();
  await stepFunctions?.stop();
  await local?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('docflow upload, ls and show against the local emulators', () => {
  const ODD_NAMES = ['report 2026 (final).pdf', 'a+b%20c.txt', 'naïve café/報告.txt', 'emoji 📄 #1?.txt'];

  it('uploads a folder (odd names, a 12 MiB multipart file) and waits for each document', async () => {
    // Prepare
    const folder = join(root, 'batch');
    const big = randomBytes(12 * 1024 * 1024);
    await mkdir(join(folder, 'naïve café'), { recursive: true });
    for (const name of ODD_NAMES) await writeFile(join(folder, name), `content of ${name}`);
    await writeFile(join(folder, 'big-scan.bin'), big);
    await writeFile(join(folder, 'fail-me.txt'), 'this one fails');

    // Act
    const result = await cli('upload', folder, '--prefix', 'incoming/batch', '--wait', '--timeout', '60');

    // Assess
    expect(result.code).toBe(1);
    const rows = result.stdout.slice(1);
    expect(rows).toHaveLength(6);
    for (const name of [...ODD_NAMES, 'big-scan.bin']) {
      const id = documentId(UPLOADS, `incoming/batch/${name}`);
      expect(rows.find((row) => row.includes(id))).toMatch(/ PROCESSED /);
    }
    expect(rows.find((row) => row.includes('fail-me.txt'))).toMatch(
      / FAILED .*States\.Timeout: Thumbnail timed out$/,
    );
    const stored = await objectBytes('incoming/batch/big-scan.bin');
    expect(sha256(stored.bytes)).toBe(sha256(big));
    expect(stored.eTag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(new TextDecoder().decode((await objectBytes('incoming/batch/naïve café/報告.txt')).bytes)).toBe(
      'content of naïve café/報告.txt',
    );
  });

  it('waits for the new version when the same bytes are uploaded to the same key again', async () => {
    // Prepare
    const file = join(root, 'again.txt');
    await writeFile(file, 'same bytes twice');
    const first = await cli('upload', file, '--prefix', 'incoming/again', '--wait', '--timeout', '60');
    const id = documentId(UPLOADS, 'incoming/again/again.txt');
    const before = JSON.parse((await cli('show', id, '--json')).text).document;

    // Act
    const second = await cli('upload', file, '--prefix', 'incoming/again', '--wait', '--timeout', '60');

    // Assess
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(pipeline.finished.get('incoming/again/again.txt')).toBe(2);
    const after = JSON.parse((await cli('show', id, '--json')).text).document;
    expect(after.status).toBe('PROCESSED');
    expect(after.eTag).toBe(before.eTag);
    expect(after.version > before.version).toBe(true);
  });

  it('lists documents as a table and as JSON, with filters and cursors', async () => {
    // Act
    const table = await cli('ls', '--all');
    const failed = await cli('ls', '--status', 'failed', '--json');
    const two = await cli('ls', '--limit', '2', '--json');
    const all = await cli('ls', '--all', '--json');

    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout[0]).toMatch(/^ID\s+STATUS\s+TYPE\s+PAGES\s+KEY\s+UPLOADED\s+REASON$/);
    expect(table.stdout.find((line) => line.includes('incoming/batch/fail-me.txt'))).toMatch(
      /FAILED .*States\.Timeout$/,
    );
    expect(documentListSchema.parse(JSON.parse(failed.text)).items.map((item) => item.key)).toEqual([
      'incoming/batch/fail-me.txt',
    ]);
    const page = documentListSchema.parse(JSON.parse(two.text));
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    const everything = documentListSchema.parse(JSON.parse(all.text));
    expect(everything.items.map((item) => item.key).toSorted()).toEqual(
      [...ODD_NAMES, 'big-scan.bin', 'fail-me.txt']
        .map((name) => `incoming/batch/${name}`)
        .concat('incoming/again/again.txt')
        .toSorted(),
    );
    expect(everything.nextCursor).toBeNull();
  });

  it('shows a document by key: metadata, text preview, downloaded thumbnail and the execution’s steps', async () => {
    // Prepare
    const key = 'incoming/batch/naïve café/報告.txt';
    const id = documentId(UPLOADS, key);

    // Act
    const human = await cli('show', key);
    const json = await cli('show', 'batch/naïve café/報告.txt', '--json');

    // Assess
    expect(human.code).toBe(0);
    expect(human.stdout).toEqual(
      expect.arrayContaining([
        `key        ${key}`,
        `id         ${id}`,
        'status     PROCESSED',
        'Text:',
        `  The text of ${key}.`,
        '  Second line.',
      ]),
    );
    expect(human.stdout.find((line) => line.startsWith('Steps'))).toMatch(
      /^Steps \(execution SUCCEEDED, \d+ ms\):$/,
    );
    const thumbnailPath = join(dataDir, 'thumbnails', `${id}.webp`);
    expect(human.stdout).toContain(`thumbnail  ${join('state', 'thumbnails', `${id}.webp`)} (256×128)`);
    const shown = JSON.parse(json.text);
    expect(shown.thumbnailPath).toBe(thumbnailPath);
    expect(
      (await readFile(thumbnailPath)).equals(standInThumbnail({ id, version: shown.document.version })),
    ).toBe(true);
    expect(
      shown.execution.steps.map((step: { name: string; status: string; retries: number }) => [
        step.name,
        step.status,
        step.retries,
      ]),
    ).toEqual([
      ['Inspect', 'succeeded', 1],
      ['MakeDerivatives', 'succeeded', 0],
      ['Thumbnail', 'succeeded', 0],
      ['ExtractText', 'succeeded', 0],
      ['Processed', 'succeeded', 0],
    ]);
    expect(human.stdout.find((line) => /^\s+Inspect\s/.test(line))).toMatch(
      /^\s+Inspect\s+succeeded\s+\+\d+ ms\s+\d+ ms\s+1$/,
    );
  });

  it('runs as `docflow` through bin/docflow.mjs (the CLI built into JavaScript), exit code included', async () => {
    // Act
    const run = (args: string[]) => runDocflow([...args, '--data-dir', dataDir], { cwd: root });
    const listed = await run(['ls', '--status', 'FAILED', '--json']);
    const missing = await run(['show', 'incoming/nothing-here.pdf']);

    // Assess
    expect(listed.code).toBe(0);
    expect(documentListSchema.parse(JSON.parse(listed.stdout)).items).toHaveLength(1);
    expect(missing.code).toBe(1);
  });

  it('reprocesses the FAILED documents through the signed API; asking again asks for the same run', async () => {
    // Prepare
    const failed = documentId(UPLOADS, 'incoming/batch/fail-me.txt');
    const receiveAll = async () => {
      const sqs = testSqs(local.endpoint);
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: reprocessRequests.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      for (const message of Messages) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: reprocessRequests.url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return Messages.map((message) => message.Body ?? '');
    };

    // Act
    const dry = await cli('reprocess', '--status', 'FAILED', '--dry-run');
    const afterDryRun = await receiveAll();
    const first = await cli('reprocess', '--status', 'FAILED');
    const firstRequests = await receiveAll();
    const again = await cli('reprocess', '--status', 'failed', '--prefix', 'incoming/batch/');
    const againRequests = await receiveAll();

    // Assess
    expect([dry.code, first.code, again.code]).toEqual([0, 0, 0]);
    expect(afterDryRun).toEqual([]);
    expect(first.stdout.find((line) => line.startsWith(failed))).toMatch(
      /FAILED\s+States\.Timeout\s+.*queued as generation 1$/,
    );
    expect(first.stderr).toContain('reprocess: 1 queued to run again, 0 already running, 0 skipped.');
    expect(firstRequests.map(parseIngestMessage)).toEqual([
      { kind: 'reprocess', document: expect.objectContaining({ id: failed }), generation: 1 },
    ]);
    // Nothing ran in between, so the record is unchanged: the same generation, the same message.
    expect(againRequests).toEqual(firstRequests);
  });
});
