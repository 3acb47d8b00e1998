import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import type { Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentId } from '../../lambdas/shared/documents/document';
import { useConsoleBrowser } from '../support/console-browser';
import { upload, waitForTerminal } from '../support/local-cloud-session';
import { processedRunStates } from '../support/pipeline-definition';
import { readSampleDocument } from '../support/sample-docs';

/**
 * The console's Executions, execution page and Failed documents in a real browser (Debian's chromium)
 * against the local cloud: a processed document's execution with every state it entered succeeded on
 * the graph drawn from the deployed definition, a rejected one's Catch to RecordRejected, a failure
 * (the derivatives bucket deleted) caught to RecordFailure and SendToDlq, its message in Failed
 * documents and a redrive from there that succeeds, and a deletion's run. Assertions are on what a user
 * sees: roles, names, text and tooltips. Screenshots of each page, light and dark, wide and narrow, go to
 * test-results/screenshots/ (git-ignored).
 */

/** From an upload to its terminal status; the first invocations compile TypeScript. */
const PROCESSING_BUDGET_MS = 150_000;

const REPORT = { file: 'report-text-layer.pdf', key: 'incoming/console-executions/report-text-layer.pdf' };
const CORRUPT = { file: 'corrupt.pdf', key: 'incoming/console-executions/corrupt.pdf' };
const NOTES = { file: 'notes.txt', key: 'incoming/console-executions/notes.txt' };

const ui = useConsoleBrowser('console-executions');

const idOf = (key: string): string => documentId(ui.session.uploadsBucket, key);

/** A state of the graph: a button named `<state>: <type>, <what happened>`. */
const graphState = (name: string): Locator =>
  ui.page
    .getByRole('group', { name: 'Workflow graph of this execution' })
    .getByRole('button', { name: new RegExp(`^${name}: `) });

const stateLabel = (name: string): Promise<string | null> => graphState(name).getAttribute('aria-label');

/** The executions list's row of a document (by the file name it links to), the upload's and not a deletion's. */
const executionRow = (file: string): Locator =>
  ui.page
    .getByRole('row')
    .filter({ has: ui.page.getByRole('link', { name: file, exact: true }) })
    .filter({ hasNotText: 'deletion' });

/** Opens the execution of a document from the Executions page, as a user would. */
const openExecutionOf = async (file: string): Promise<void> => {
  await ui.page.goto(ui.url('#/executions'));
  await ui.page.getByRole('heading', { level: 1, name: 'Executions' }).waitFor();
  const row = executionRow(file).first();
  await row.waitFor();
  await row.getByRole('cell').first().getByRole('link').click();
  await graphState('RouteEvent').waitFor();
};

/** The selected state's panel. */
const statePanel = (): Locator => ui.page.getByRole('region', { name: 'Selected state' });

const clearDerivatives = async (bucket: string): Promise<void> => {
  const { Contents = [] } = await ui.session.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  if (Contents.length === 0) return;
  await ui.session.s3.send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: Contents.map((object) => ({ Key: object.Key })) },
    }),
  );
};

beforeAll(async () => {
  // Two documents at once: a processed one and a rejected one.
  await upload(ui.session, REPORT.key, await readSampleDocument(REPORT.file));
  await upload(ui.session, CORRUPT.key, await readSampleDocument(CORRUPT.file));
  const deadline = Date.now() + PROCESSING_BUDGET_MS;
  await waitForTerminal(ui.session, idOf(REPORT.key), { deadline });
  await waitForTerminal(ui.session, idOf(CORRUPT.key), { deadline });
});

describe('the console’s executions', () => {
  it('lists executions and draws a processed document’s run with every state it entered succeeded', async () => {
    // Act
    await ui.page.goto(ui.url('#/documents'));
    await ui.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Executions' }).click();
    await ui.page.getByRole('heading', { level: 1, name: 'Executions' }).waitFor();
    await executionRow(REPORT.file).getByText('SUCCEEDED', { exact: true }).waitFor();
    await ui.screenshot('executions');
    await openExecutionOf(REPORT.file);
    const entered = processedRunStates('local');
    const labels = Object.fromEntries(
      await Promise.all(entered.map(async (name) => [name, await stateLabel(name)])),
    );
    const notEntered = await stateLabel('RecordFailure');
    // Keyboard: Tab reaches the states, Enter selects one.
    await graphState('Inspect').focus();
    await ui.page.keyboard.press('Enter');
    await statePanel()
      .getByRole('heading', { name: /^Inspect/ })
      .waitFor();
    const panel = await statePanel().innerText();
    // Tab goes on to the next state in reading order, and Enter selects that one.
    await ui.page.keyboard.press('Tab');
    const focusedNext = String(await ui.page.evaluate("document.activeElement?.getAttribute('aria-label')"));
    const nextName = focusedNext.split(':')[0] ?? '';
    await ui.page.keyboard.press('Enter');
    await statePanel()
      .getByRole('heading', { name: new RegExp(`^${nextName} `) })
      .waitFor();
    await ui.page.getByRole('heading', { name: 'Trace' }).scrollIntoViewIfNeeded();
    await ui.page
      .getByRole('table', { name: /Trace segments/ })
      .getByRole('rowheader', { name: /^Inspect · state/ })
      .waitFor();
    const history = await ui.page.getByRole('table', { name: /Event history/ }).innerText();
    await ui.screenshot('execution-processed');

    // Assess
    for (const name of entered) expect(labels[name], name).toMatch(/, Succeeded$/);
    expect(notEntered).toBe('RecordFailure: Task, Not entered');
    expect(focusedNext).toMatch(/^\w+: (Task|Parallel|Choice|Pass|Succeed|Fail), /);
    expect(nextName).not.toBe('Inspect');
    expect(panel).toContain('Task · Lambda');
    expect(panel).toContain(`"key": "${REPORT.key}"`);
    expect(panel).toContain('Output');
    expect(panel).toContain('1 attempt');
    expect(history).toContain('ExecutionSucceeded');
    expect(history).toContain('LambdaFunctionScheduled');
    expect(ui.incidents).toEqual([]);
  });

  it('shows a rejected document’s run caught from Inspect to RecordRejected', async () => {
    // Act
    await openExecutionOf(CORRUPT.file);
    const inspect = await stateLabel('Inspect');
    const recorded = await stateLabel('RecordRejected');
    const rejected = await stateLabel('Rejected');
    const processed = await stateLabel('Processed');
    // The Catch edge the run took says so in its tooltip.
    const takenCatch = await ui.page
      .locator('svg title')
      .filter({ hasText: /^Catch: EmptyDocumentError.*\(taken\)$/ })
      .count();
    await graphState('Inspect').click();
    await statePanel()
      .getByText(/CorruptDocumentError/)
      .first()
      .waitFor();
    const panel = await statePanel().innerText();
    await ui.screenshot('execution-rejected');

    // Assess
    expect(inspect).toBe('Inspect: Task, Caught error');
    expect(recorded).toMatch(/^RecordRejected: Task, Succeeded/);
    expect(rejected).toBe('Rejected: Succeed, Succeeded');
    expect(processed).toBe('Processed: Succeed, Not entered');
    expect(takenCatch).toBe(1);
    expect(panel).toContain('CorruptDocumentError');
    expect(panel).toContain('CORRUPT');
    expect(ui.incidents).toEqual([]);
  });

  it('shows a failure caught to RecordFailure, its message in Failed documents, and a redrive that succeeds', async () => {
    // Prepare: the derivatives bucket is gone, so every write of a derivative fails after its retries.
    const derivatives = ui.session.cloud.localDeployment.outputs.DerivativesBucketName ?? '';
    await clearDerivatives(derivatives);
    await ui.session.s3.send(new DeleteBucketCommand({ Bucket: derivatives }));
    await upload(ui.session, NOTES.key, await readSampleDocument(NOTES.file));
    const failed = await waitForTerminal(ui.session, idOf(NOTES.key), {
      deadline: Date.now() + PROCESSING_BUDGET_MS,
    });
    expect(failed.status).toBe('FAILED');

    // Act: the run, on the graph.
    await openExecutionOf(NOTES.file);
    const labels = Object.fromEntries(
      await Promise.all(
        ['ExtractTextLocally', 'MakeDerivatives', 'RecordFailure', 'SendToDlq', 'Failed'].map(
          async (name) => [name, await stateLabel(name)],
        ),
      ),
    );
    await graphState('ExtractTextLocally').click();
    await statePanel().getByText('3 attempts').waitFor();
    const panel = await statePanel().innerText();
    await ui.screenshot('execution-failed');

    // Act: the failed-documents queue, then a redrive once the bucket is back.
    await ui.page.getByRole('link', { name: 'Failed documents' }).first().click();
    await ui.page.getByRole('heading', { level: 1, name: 'Failed documents' }).waitFor();
    const message = ui.page
      .getByRole('list', { name: 'Failed documents' })
      .getByRole('listitem')
      .filter({ hasText: NOTES.file });
    await message.waitFor();
    const messageText = await message.innerText();
    await ui.screenshot('failed-documents');
    await ui.session.s3.send(new CreateBucketCommand({ Bucket: derivatives }));
    await message.getByRole('button', { name: `Redrive ${NOTES.file}` }).click();
    const outcome = ui.page.getByRole('status').filter({ hasText: 'started again as' });
    await outcome.waitFor();
    const outcomeText = await outcome.innerText();
    await message.waitFor({ state: 'detached' });
    await outcome.getByRole('link').click();
    await ui.page.getByText('SUCCEEDED', { exact: true }).first().waitFor({ timeout: PROCESSING_BUDGET_MS });
    await graphState('Processed').filter({ hasNotText: 'Not entered' }).waitFor();
    const redrivenProcessed = await stateLabel('Processed');
    const redrivenHeading = await ui.page.getByRole('heading', { level: 1 }).innerText();
    const document = await waitForTerminal(ui.session, idOf(NOTES.key), {
      deadline: Date.now() + PROCESSING_BUDGET_MS,
    });

    // Assess
    expect(labels.ExtractTextLocally).toBe('ExtractTextLocally: Task, Failed, 3 attempts');
    expect(labels.MakeDerivatives).toBe('MakeDerivatives: Parallel, Caught error');
    expect(labels.RecordFailure).toMatch(/^RecordFailure: Task, Succeeded/);
    expect(labels.SendToDlq).toMatch(/^SendToDlq: Task, Succeeded/);
    expect(labels.Failed).toBe('Failed: Fail, Failed');
    expect(panel).toContain('NoSuchBucket');
    expect(panel).toContain('Attempt 3 failed');
    expect(messageText).toContain('NoSuchBucket');
    expect(messageText).toContain(NOTES.key);
    expect(outcomeText).toMatch(/notes\.txt started again as notes-txt-[0-9a-f]+-r1/);
    expect(redrivenHeading).toMatch(/-r1$/);
    expect(redrivenProcessed).toBe('Processed: Succeed, Succeeded');
    expect(document.status).toBe('PROCESSED');
    expect(ui.incidents).toEqual([]);
  });

  it('filters executions by status, and shows a deletion’s run', async () => {
    // Prepare
    await ui.session.s3.send(new DeleteObjectCommand({ Bucket: ui.session.uploadsBucket, Key: CORRUPT.key }));

    // Act
    await ui.page.goto(ui.url('#/executions'));
    await ui.page.getByLabel('Status').selectOption('FAILED');
    // The unfiltered list also shows the failed run: it is counted once the succeeded runs have gone.
    await ui.page.getByRole('row').filter({ hasText: 'SUCCEEDED' }).first().waitFor({ state: 'detached' });
    await executionRow(NOTES.file).getByText('FAILED', { exact: true }).waitFor();
    const failedRows = await ui.page.getByRole('row').count();
    await ui.page.getByLabel('Status').selectOption('');
    const deletion = ui.page
      .getByRole('row')
      .filter({ hasText: 'deletion' })
      .filter({ has: ui.page.getByRole('link', { name: CORRUPT.file, exact: true }) });
    await deletion.getByText('SUCCEEDED', { exact: true }).waitFor({ timeout: PROCESSING_BUDGET_MS });
    await deletion.getByRole('cell').first().getByRole('link').click();
    await graphState('RecordDeletion').filter({ hasNotText: 'Not entered' }).waitFor();
    const labels = await Promise.all(['RouteEvent', 'RecordDeletion', 'Deleted', 'Inspect'].map(stateLabel));
    await ui.screenshot('execution-deletion');

    // Assess
    expect(failedRows).toBe(2); // the header row and the failed run's
    expect(labels).toEqual([
      'RouteEvent: Choice, Succeeded',
      expect.stringMatching(/^RecordDeletion: Task, Succeeded/),
      'Deleted: Succeed, Succeeded',
      'Inspect: Task, Not entered',
    ]);
    expect(ui.incidents).toEqual([]);
  });
});
