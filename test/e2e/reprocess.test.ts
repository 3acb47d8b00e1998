import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main';
import { CONTEXT_KEYS } from '../../infra/keys';
import type { DocumentDetail } from '../../lambdas/api/schemas';
import { documentId } from '../../lambdas/shared/documents/document';
import { reprocessMessageBody } from '../../lambdas/shared/documents/reprocess-message';
import { reprocessExecutionName } from '../../lambdas/starter/execution-name';
import { awsToolEnv, runDocflow } from '../support/docflow-process';
import {
  documentOfExecution,
  executionsOfDocument,
  getDocument,
  getText,
  ingestQueueEmpty,
  pollUntil,
  upload,
  useFileCloudSession,
  waitForTerminal,
} from '../support/local-cloud-session';
import { memoryTerminal } from '../support/memory-terminal';
import { readSampleDocument } from '../support/sample-docs';

/**
 * Reprocessing as a user meets it: a file rejected for its size, the limit raised (the local cloud
 * deployed again with other context, on the same data), `docflow reprocess`, and the document
 * PROCESSED; asked again, nothing new starts.
 */

/** Below notes.txt (183 bytes), above the small file. */
const LOW_LIMIT = { [CONTEXT_KEYS.limits]: { maxDocumentBytes: 100 } } as const;

/** How long a batch of documents gets to reach its terminal statuses (first invocations compile TypeScript). */
const PROCESSING_BUDGET_MS = 110_000;

const BIG_KEY = 'incoming/reprocess/notes.txt';
const SMALL_KEY = 'incoming/reprocess/small.txt';

const cloud = useFileCloudSession('reprocess', { context: LOW_LIMIT });
const { session } = cloud;

/** `docflow …` as a process, pointed at the local endpoint like any AWS tool (for `--stack`). */
const docflowProcess = (args: readonly string[]) =>
  runDocflow(args, { cwd: cloud.folder(), env: awsToolEnv(session.cloud, cloud.folder()) });

/** `docflow …` in this process, against the file's local cloud. */
const docflow = async (...args: string[]) => {
  const terminal = memoryTerminal();
  const code = await runCli([...args, '--data-dir', cloud.dataDir()], { terminal, cwd: cloud.folder() });
  return { code, stdout: terminal.stdout, stderr: terminal.stderr };
};

const waitForStatus = (id: string, status: DocumentDetail['status'], generation: number) => {
  let last: DocumentDetail | undefined;
  return pollUntil(
    `document ${id} to be ${status} as generation ${generation}`,
    async () => {
      last = await getDocument(session, id);
      return last?.status === status && last.generation === generation ? last : undefined;
    },
    {
      deadline: Date.now() + PROCESSING_BUDGET_MS,
      describe: () => (last ? `${last.status}, generation ${last.generation}` : 'no item'),
    },
  );
};

describe('reprocess on the local cloud', () => {
  it('runs a document rejected for its size again once the limit is raised, and asked again starts nothing', async () => {
    // Prepare: one file over the low limit, one under it.
    const big = documentId(session.uploadsBucket, BIG_KEY);
    const small = documentId(session.uploadsBucket, SMALL_KEY);
    await upload(session, BIG_KEY, await readSampleDocument('notes.txt'));
    await upload(session, SMALL_KEY, Buffer.from('Small enough.\n'));
    const deadline = Date.now() + PROCESSING_BUDGET_MS;
    const [rejected, processed] = await Promise.all([
      waitForTerminal(session, big, { deadline }),
      waitForTerminal(session, small, { deadline }),
    ]);
    expect(rejected).toMatchObject({ status: 'REJECTED', reason: 'TOO_LARGE', generation: 0 });
    expect(processed).toMatchObject({ status: 'PROCESSED', generation: 0 });
    // The limit raised: the same template with other context, deployed again over the same data.
    await cloud.restart();

    // Act: through the stack's outputs and SigV4-signed requests, as against AWS.
    const first = await docflowProcess([
      'reprocess',
      '--status',
      'REJECTED',
      '--reason',
      'TOO_LARGE',
      '--stack',
      session.cloud.deployment.stackName,
    ]);
    const reprocessed = await waitForStatus(big, 'PROCESSED', 1);
    const again = await docflow('reprocess', '--status', 'REJECTED');

    // Assess
    expect(first.stderr).toContain('reprocess: 1 queued to run again, 0 already running, 0 skipped.');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`${big}\\s+REJECTED\\s+TOO_LARGE\\s+.*queued as generation 1`));
    expect(reprocessed).toMatchObject({ version: rejected.version, type: 'text', text: { pages: 1 } });
    expect(reprocessed.reason).toBeUndefined();
    const text = (await getText(session, big)).text;
    expect(text?.pages.map((page) => page.text).join('')).toBe(
      (await readSampleDocument('notes.txt')).toString('utf8'),
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('reprocess: 0 queued to run again, 0 already running, 0 skipped.');
    // The upload's run and the one reprocess: nothing else was started for it.
    const executions = await executionsOfDocument(session, big);
    expect(executions).toHaveLength(2);
    expect(executions.map((execution) => execution.name)).toContain(
      reprocessExecutionName(session.uploadsBucket, BIG_KEY, rejected.version, 1),
    );
    expect(await executionsOfDocument(session, small)).toHaveLength(1);
    expect(await getDocument(session, small)).toMatchObject({ status: 'PROCESSED', generation: 0 });
  });

  it('starts the same generation once: the same request again is a duplicate, and the record keeps the newest run', async () => {
    // Prepare
    const big = documentId(session.uploadsBucket, BIG_KEY);
    const before = await waitForStatus(big, 'PROCESSED', 1);
    const reprocess = (await executionsOfDocument(session, big)).find((execution) =>
      execution.name?.endsWith('-g1'),
    );
    const document = await documentOfExecution(session, reprocess?.executionArn ?? '');
    const executionsBefore = await executionsOfDocument(session, big);

    // Act: the request of generation 1 once more, as the API sent it (an SQS redelivery, or a second
    // request made before the first run claimed the record).
    await session.sqs.send(
      new SendMessageCommand({
        QueueUrl: session.ingestQueue.url,
        MessageBody: reprocessMessageBody(document, 1),
      }),
    );
    await ingestQueueEmpty(session);

    // Assess
    expect((await executionsOfDocument(session, big)).map((execution) => execution.executionArn)).toEqual(
      executionsBefore.map((execution) => execution.executionArn),
    );
    expect(await getDocument(session, big)).toMatchObject({
      status: 'PROCESSED',
      generation: 1,
      updatedAt: before.updatedAt,
      execution: { arn: reprocess?.executionArn },
    });
  });
});
