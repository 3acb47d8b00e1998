import { describe, expect, it } from 'vitest';
import { DerivativeTextDocumentWriter } from '../../../../lambdas/shared/adapters/derivative-text-document-writer';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import { TextractJobFailedError, TextractThrottledError } from '../../../../lambdas/shared/documents/errors';
import type { TextDetectionResultsPage } from '../../../../lambdas/shared/ports/text-detection';
import type { TextractJobRecord } from '../../../../lambdas/shared/ports/textract-jobs';
import {
  type CompleteJobDependencies,
  completeTextractJob,
} from '../../../../lambdas/textract-callback/complete-textract-job';
import { FakeDocumentBlobs } from '../../../support/fake-document-blobs';
import {
  type EventLog,
  FakeTaskCallbacks,
  FakeTextract,
  InMemoryTextDocumentStore,
  InMemoryTextractJobs,
  lineBlock,
} from '../../../support/fake-text-pipeline';
import { InMemoryDerivativeStore } from '../../../support/in-memory-derivative-store';

const JOB_TAG = 'f'.repeat(64);
const JOB_ID = 'job-1';
const RECORD: TextractJobRecord = {
  jobTag: JOB_TAG,
  taskToken: 'token-1',
  documentId: 'doc-1',
  version: 'v-1',
  sequencer: '0000000000000000000000000000000A',
  document: { bucket: 'uploads', key: 'incoming/scan.pdf', versionId: 'v-1' },
  createdAt: '2026-11-23T12:00:00.000Z',
  expiresAt: 1_795_000_000,
};
const TEXT_KEY = derivativeKeys.text({
  id: 'doc-1',
  version: 'v-1',
  sequencer: '0000000000000000000000000000000A',
});

const setUp = async () => {
  const events: EventLog = [];
  const jobs = new InMemoryTextractJobs(events);
  await jobs.save(RECORD);
  events.length = 0;
  const textract = new FakeTextract(events);
  const texts = new InMemoryTextDocumentStore('derivatives', events);
  const tasks = new FakeTaskCallbacks(events);
  const deps: CompleteJobDependencies = { jobs, results: textract, texts, tasks };
  return { events, jobs, textract, texts, tasks, deps };
};

const resultsPage = (fields: Partial<TextDetectionResultsPage>): TextDetectionResultsPage => ({
  status: 'SUCCEEDED',
  pages: 2,
  blocks: [],
  warnings: [],
  ...fields,
});

const succeeded = { jobId: JOB_ID, status: 'SUCCEEDED', jobTag: JOB_TAG } as const;

describe('completeTextractJob', () => {
  it('collects every page of results through NextToken, stores the text, then completes the task', async () => {
    // Prepare
    const { textract, texts, tasks, jobs, events, deps } = await setUp();
    textract.resultPages.set(
      '',
      resultsPage({
        blocks: [{ BlockType: 'PAGE', Page: 1 }, lineBlock('Invoice number 4711', 1)],
        nextToken: 't2',
      }),
    );
    textract.resultPages.set(
      't2',
      resultsPage({
        blocks: [
          { BlockType: 'WORD', Text: 'Invoice', Page: 1 },
          { BlockType: 'PAGE', Page: 2 },
        ],
        nextToken: 't3',
      }),
    );
    textract.resultPages.set(
      't3',
      resultsPage({ blocks: [lineBlock('Delivery accepted by the night shift', 2)] }),
    );

    // Act
    const outcome = await completeTextractJob(succeeded, deps);

    // Assess
    expect(textract.resultCalls).toEqual([
      { jobId: JOB_ID },
      { jobId: JOB_ID, nextToken: 't2' },
      { jobId: JOB_ID, nextToken: 't3' },
    ]);
    expect(texts.documents.get(TEXT_KEY)).toMatchObject({
      documentId: 'doc-1',
      version: 'v-1',
      source: 'textract',
      pages: [
        { number: 1, text: 'Invoice number 4711' },
        { number: 2, text: 'Delivery accepted by the night shift' },
      ],
    });
    const text = {
      bucket: 'derivatives',
      key: TEXT_KEY,
      pages: 2,
      characters: 55,
      words: 9,
      source: 'textract',
    };
    expect(tasks.successes).toEqual([{ taskToken: 'token-1', output: { text } }]);
    expect(outcome).toMatchObject({ kind: 'succeeded', status: 'SUCCEEDED', delivery: 'delivered', text });
    expect(events.slice(-3)).toEqual([`texts.save ${TEXT_KEY}`, 'sfn.succeed', `jobs.remove ${JOB_TAG}`]);
    expect(jobs.records.size).toBe(0);
  });

  it('on PARTIAL_SUCCESS keeps what was read, marks the failed pages, and succeeds', async () => {
    // Prepare
    const { textract, texts, tasks, deps } = await setUp();
    textract.resultPages.set(
      '',
      resultsPage({
        status: 'PARTIAL_SUCCESS',
        pages: 3,
        blocks: [lineBlock('page one', 1), lineBlock('page three', 3)],
        warnings: [{ errorCode: 'UNREADABLE_PAGE', pages: [2] }],
      }),
    );

    // Act
    const outcome = await completeTextractJob(succeeded, deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'succeeded', status: 'PARTIAL_SUCCESS' });
    expect(
      texts.documents.get(TEXT_KEY)?.pages.map(({ number, text, error }) => ({ number, text, error })),
    ).toEqual([
      { number: 1, text: 'page one', error: undefined },
      { number: 2, text: '', error: 'Textract could not read this page (UNREADABLE_PAGE)' },
      { number: 3, text: 'page three', error: undefined },
    ]);
    expect(tasks.successes[0]?.output).toEqual({ text: expect.objectContaining({ pages: 3, words: 4 }) });
  });

  it('fails the task as NOT_FOUND and keeps no text when the upload was deleted while the job ran', async () => {
    // Prepare: the writer of the deployed callback, over a bucket whose upload is gone.
    const { textract, tasks, jobs, deps } = await setUp();
    textract.resultPages.set('', resultsPage({ blocks: [lineBlock('Invoice number 4711', 1)] }));
    const uploads = new FakeDocumentBlobs()
      .put(RECORD.document, Buffer.from('%PDF'))
      .deleteKey(RECORD.document);
    const derivatives = new InMemoryDerivativeStore();
    const texts = new DerivativeTextDocumentWriter(derivatives, uploads);

    // Act
    const outcome = await completeTextractJob(succeeded, { ...deps, texts });

    // Assess
    expect(tasks.failures).toEqual([
      {
        taskToken: 'token-1',
        error: 'DocumentNotFoundError',
        cause: expect.stringMatching(
          /^NOT_FOUND: s3:\/\/uploads\/incoming\/scan\.pdf was deleted or replaced/,
        ),
      },
    ]);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'DocumentNotFoundError' });
    expect(derivatives.objects.size).toBe(0);
    expect(jobs.records.size).toBe(0);
  });

  it('fails the task with a typed rejection when the job FAILED on the document, and stores nothing', async () => {
    // Prepare
    const { textract, texts, tasks, jobs, deps } = await setUp();
    textract.resultPages.set(
      '',
      resultsPage({
        status: 'FAILED',
        statusMessage: 'BadDocumentException: Unable to read the document',
        pages: 0,
      }),
    );

    // Act
    const outcome = await completeTextractJob({ ...succeeded, status: 'FAILED' }, deps);

    // Assess
    expect(tasks.failures).toEqual([
      {
        taskToken: 'token-1',
        error: 'CorruptDocumentError',
        cause:
          'CORRUPT: Textract cannot read the document: BadDocumentException: Unable to read the document',
      },
    ]);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'CorruptDocumentError', delivery: 'delivered' });
    expect(texts.documents.size).toBe(0);
    expect(jobs.records.size).toBe(0);
  });

  it('fails the task with a transient error when the job FAILED for a reason of its own', async () => {
    // Prepare
    const { textract, tasks, deps } = await setUp();
    textract.resultPages.set(
      '',
      resultsPage({ status: 'FAILED', statusMessage: 'InternalServerError: boom' }),
    );

    // Act
    await completeTextractJob({ ...succeeded, status: 'FAILED' }, deps);

    // Assess
    expect(tasks.failures.map(({ error }) => error)).toEqual(['TextractJobFailedError']);
  });

  it('fails the task without asking for results when Textract reports ERROR', async () => {
    // Prepare
    const { textract, tasks, deps } = await setUp();

    // Act
    await completeTextractJob({ ...succeeded, status: 'ERROR' }, deps);

    // Assess
    expect(textract.resultCalls).toEqual([]);
    expect(tasks.failures.map(({ error }) => error)).toEqual(['TextractJobFailedError']);
  });

  it('fails the task when the results are gone', async () => {
    // Prepare
    const { textract, tasks, jobs, deps } = await setUp();
    textract.resultPages.set('', resultsPage({ nextToken: 't2' }));
    textract.resultPages.set('t2', new TextractJobFailedError('the results of Textract job job-1 are gone'));

    // Act
    const outcome = await completeTextractJob(succeeded, deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'failed', error: 'TextractJobFailedError' });
    expect(tasks.failures).toHaveLength(1);
    expect(jobs.records.size).toBe(0);
  });

  it('acknowledges a notification whose record is gone (already handled or expired), touching nothing', async () => {
    // Prepare
    const { textract, tasks, deps } = await setUp();

    // Act
    const outcome = await completeTextractJob({ ...succeeded, jobTag: 'someone-else' }, deps);

    // Assess
    expect(outcome).toEqual({ kind: 'unknown-job', jobTag: 'someone-else' });
    expect(textract.resultCalls).toEqual([]);
    expect([...tasks.successes, ...tasks.failures]).toEqual([]);
  });

  it('ignores a notification without a job tag: docflow did not start that job', async () => {
    // Prepare
    const { deps } = await setUp();

    // Act
    const outcome = await completeTextractJob({ jobId: JOB_ID, status: 'SUCCEEDED' }, deps);

    // Assess
    expect(outcome).toEqual({ kind: 'not-ours' });
  });

  it('acknowledges a task that no longer waits (timed out, or its execution ended) and forgets the job', async () => {
    // Prepare
    const { textract, tasks, jobs, deps } = await setUp();
    tasks.gone.add('token-1');
    textract.resultPages.set('', resultsPage({ blocks: [lineBlock('late', 1)] }));

    // Act
    const outcome = await completeTextractJob(succeeded, deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'succeeded', delivery: 'task-gone' });
    expect(jobs.records.size).toBe(0);
  });

  it('keeps the record and throws when the work cannot be done now, so the message is retried', async () => {
    // Prepare
    const throttled = await setUp();
    throttled.textract.resultPages.set('', new TextractThrottledError('ThrottlingException: Rate exceeded'));
    const inProgress = await setUp();
    inProgress.textract.resultPages.set('', resultsPage({ status: 'IN_PROGRESS' }));
    const sfnDown = await setUp();
    sfnDown.textract.resultPages.set('', resultsPage({ blocks: [lineBlock('x', 1)] }));
    sfnDown.tasks.failWith = Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });

    // Act
    const outcomes = await Promise.allSettled(
      [throttled, inProgress, sfnDown].map(({ deps }) => completeTextractJob(succeeded, deps)),
    );

    // Assess
    expect(
      outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).name),
    ).toEqual(['TextractThrottledError', 'Error', 'ServiceUnavailable']);
    expect([throttled, inProgress, sfnDown].map(({ jobs }) => jobs.records.has(JOB_TAG))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('stops following a NextToken that repeats', async () => {
    // Prepare
    const { textract, tasks, deps } = await setUp();
    textract.resultPages.set('', resultsPage({ nextToken: 'again' }));
    textract.resultPages.set('again', resultsPage({ nextToken: 'again' }));

    // Act
    const outcome = completeTextractJob(succeeded, deps);

    // Assess
    await expect(outcome).rejects.toThrow(/do not end after 2 calls/);
    expect(tasks.successes).toEqual([]);
  });

  it('fails the task as CORRUPT when Textract could read no page at all', async () => {
    // Prepare
    const { textract, tasks, deps } = await setUp();
    textract.resultPages.set(
      '',
      resultsPage({
        status: 'PARTIAL_SUCCESS',
        pages: 2,
        warnings: [{ errorCode: 'UNREADABLE_PAGE', pages: [1, 2] }],
      }),
    );

    // Act
    await completeTextractJob(succeeded, deps);

    // Assess
    expect(tasks.failures).toEqual([
      expect.objectContaining({ error: 'CorruptDocumentError', cause: expect.stringMatching(/^CORRUPT: /) }),
    ]);
  });
});
