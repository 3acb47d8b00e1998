import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PHRASES } from '../../scripts/sample-docs/expected-results';
import { type ConsoleBrowser, NARROW, startConsoleBrowser, WIDE } from '../support/console-browser';
import { type CloudSession, listDocuments } from '../support/local-cloud-session';
import { readSampleDocument } from '../support/sample-docs';

/**
 * The console in a real browser (Debian's chromium) against the local cloud: files go in through the
 * Upload page's file input, and the user watches them reach their terminal status on the Documents
 * page without a reload, then reads a document's page. Assertions are on what a user sees: roles,
 * names and text. Screenshots of every page, light and dark, wide and narrow, go to
 * test-results/screenshots/ (git-ignored) for a person to look at.
 */

/** From the upload to the terminal status of all three files; the first invocations compile TypeScript. */
const PROCESSING_BUDGET_MS = 150_000;

const REPORT = 'report-text-layer.pdf';
const CORRUPT = 'corrupt.pdf';
/** A file name that is HTML: the console must show it as text and never run it. */
const HTML_NAME = '<img src=x onerror=alert(1)>.txt';
const HTML_TEXT = 'Only words here, and <script>alert("text")</script> shown as text.\n';

let consoleBrowser: ConsoleBrowser | undefined;
let session: CloudSession | undefined;
let page: Page;
/** What the page did that a user would see as broken: dialogs, uncaught errors. */
let incidents: string[] = [];

const consoleUrl = (hash = ''): string => consoleBrowser?.url(hash) ?? '';

/** A table row of the documents list, by the file name it shows. */
const documentRow = (name: string): Locator =>
  page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

/** Follows a document's link in the list on screen to its page, and waits for the page's heading. */
const openDocument = async (name: string): Promise<void> => {
  await documentRow(name).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
};

/** A link of the header's navigation. */
const navLink = (name: string): Locator =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** The pager of a document's text. */
const textPager = (): Locator => page.getByRole('navigation', { name: 'Text pages' });

/** An upload in the Upload page's list, by file name. */
const uploadItem = (name: string): Locator => page.getByRole('listitem').filter({ hasText: name });

const screenshot = async (name: string): Promise<void> => {
  await consoleBrowser?.screenshot(name);
};

beforeAll(async () => {
  consoleBrowser = await startConsoleBrowser('console-documents');
  ({ session, page, incidents } = consoleBrowser);
});

afterEach(async (context) => {
  await consoleBrowser?.recordFailure(context);
});

afterAll(async () => {
  await consoleBrowser?.stop();
});

describe('the docflow console', () => {
  it('uploads files through the page and shows them reach PROCESSED and REJECTED without a reload', async () => {
    // Prepare
    await page.goto(consoleUrl());
    await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await page.getByText('No documents yet.').waitFor();
    // A reload would start a new window object and lose this.
    await page.evaluate(() => {
      (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage = true;
    });

    // Act
    await navLink('Upload').click();
    await page.getByRole('heading', { level: 1, name: 'Upload' }).waitFor();
    await page.getByLabel('Choose files to upload').setInputFiles([
      { name: REPORT, mimeType: 'application/pdf', buffer: await readSampleDocument(REPORT) },
      { name: CORRUPT, mimeType: 'application/pdf', buffer: await readSampleDocument(CORRUPT) },
      { name: HTML_NAME, mimeType: 'text/plain', buffer: Buffer.from(HTML_TEXT) },
    ]);
    for (const name of [REPORT, CORRUPT, HTML_NAME]) {
      // Sent: the file name becomes a link to its document page once S3 has it.
      await uploadItem(name).getByRole('link', { name, exact: true }).waitFor();
    }
    await navLink('Documents').click();
    await documentRow(REPORT)
      .getByText('PROCESSED', { exact: true })
      .waitFor({ timeout: PROCESSING_BUDGET_MS });
    await documentRow(CORRUPT)
      .getByText('REJECTED', { exact: true })
      .waitFor({ timeout: PROCESSING_BUDGET_MS });
    await documentRow(HTML_NAME)
      .getByText('PROCESSED', { exact: true })
      .waitFor({ timeout: PROCESSING_BUDGET_MS });

    // Assess
    expect(await page.evaluate(() => (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(
      true,
    );
    expect(await documentRow(REPORT).getByRole('cell').allInnerTexts()).toEqual([
      '',
      expect.stringContaining(REPORT),
      'PROCESSED',
      expect.stringMatching(/pdf/),
      expect.stringMatching(/3/),
      expect.any(String),
      expect.stringMatching(/\d+(\.\d+)? (ms|s)/),
    ]);
    expect(await documentRow(CORRUPT).innerText()).toContain('CORRUPT');
    // The HTML file name is shown as the text it is, and nothing in it ran.
    expect(await page.getByRole('link', { name: HTML_NAME, exact: true }).innerText()).toBe(HTML_NAME);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // The Upload page followed the same files to the same ends.
    await navLink('Upload').click();
    await uploadItem(CORRUPT).getByText('REJECTED', { exact: true }).waitFor();
    expect(await uploadItem(REPORT).getByText('PROCESSED', { exact: true }).count()).toBe(1);
    await screenshot('upload');
    expect(incidents).toEqual([]);
  });

  it('shows a processed document’s record, thumbnail, execution, trace and text page by page', async () => {
    // Act
    await page.goto(consoleUrl('#/documents'));
    await openDocument(REPORT);
    await textPager().getByText('Page 1 of 3').waitFor();
    const thumbnail = page.getByRole('img', { name: `Thumbnail of ${REPORT}` });
    await thumbnail.waitFor();
    await textPager().getByRole('button', { name: 'Next page' }).click();
    await textPager().getByText('Page 2 of 3').waitFor();
    await page.getByText(PHRASES.reportPageTwo).waitFor();
    await page.getByText(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/).waitFor();

    // Assess
    // Loaded and decoded: the WebP came through the presigned URL and the browser knows its size.
    expect(
      await page.evaluate(
        "(() => { const image = document.querySelector('main img'); return image?.complete && image.naturalWidth > 0; })()",
      ),
    ).toBe(true);
    expect(await page.getByRole('definition').filter({ hasText: PHRASES.reportTitle }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Download original' }).getAttribute('href')).toMatch(
      /\/api\/documents\/[A-Za-z0-9_-]{22}\/original$/,
    );
    const execution = page.getByRole('link', { name: /^report-text-layer/ });
    expect(await execution.getAttribute('href')).toMatch(/^#\/executions\/arn%3Aaws%3Astates%3A/);
    // The original downloads through a fresh presigned URL, as the bytes uploaded.
    const id = /^#\/documents\/([A-Za-z0-9_-]{22})/.exec(new URL(page.url()).hash)?.[1];
    const download = await page.request.get(consoleUrl(`api/documents/${id}/original`));
    expect(Buffer.from(await download.body()).equals(await readSampleDocument(REPORT))).toBe(true);
    await screenshot('document');
    expect(incidents).toEqual([]);
  });

  it('shows a rejected document’s reason and the HTML file’s text as text', async () => {
    // Act
    await page.goto(consoleUrl('#/documents'));
    await openDocument(CORRUPT);
    const rejected = await page.getByText(/^Rejected: /).innerText();
    await page.getByRole('link', { name: '← All documents' }).click();
    await openDocument(HTML_NAME);
    const text = await page.getByText('Only words here').innerText();

    // Assess
    expect(rejected).toBe('Rejected: CORRUPT');
    expect(await page.getByText('A rejected document has no text.').count()).toBe(0);
    expect(text.trim()).toBe(HTML_TEXT.trim());
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(incidents).toEqual([]);
  });

  it('filters by status, and is usable by keyboard, in dark and light, wide and narrow', async () => {
    // Act
    await page.goto(consoleUrl('#/documents'));
    await documentRow(REPORT).waitFor();
    await page.getByLabel('Status').selectOption('REJECTED');
    // The unfiltered rows go first, then the filtered ones come.
    await documentRow(REPORT).waitFor({ state: 'detached' });
    await documentRow(CORRUPT).waitFor();
    const rejectedRows = await page.getByRole('row').count();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await documentRow(REPORT).waitFor();
    await screenshot('documents');

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await page.keyboard.press('Tab');
    const focusedFirst = await page.evaluate('document.activeElement?.textContent');
    await navLink('Upload').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Upload' }).waitFor();
    // Focus moves to the new page's heading once it is drawn.
    await page.waitForFunction("document.activeElement?.tagName === 'H1'");
    const focusedAfterNavigation = await page.evaluate(
      "[document.activeElement?.tagName, document.activeElement?.textContent].join(' ')",
    );

    const background = () => page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    const light = await background();
    await page.getByRole('button', { name: 'Theme: System' }).click();
    await page.getByRole('button', { name: 'Theme: Light' }).click();
    await page.getByRole('button', { name: 'Theme: Dark' }).waitFor();
    const dark = await background();
    await page.reload();
    await page.getByRole('button', { name: 'Theme: Dark' }).waitFor();
    const darkAfterReload = await background();
    await page.getByRole('button', { name: 'Theme: Dark' }).click();

    await page.setViewportSize(NARROW);
    await page.goto(consoleUrl('#/documents'));
    await documentRow(REPORT).waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    await page.setViewportSize(WIDE);

    // Assess
    expect(rejectedRows).toBe(2); // the header row and the corrupt PDF's
    expect(focusedFirst).toBe('Skip to content');
    expect(focusedAfterNavigation).toBe('H1 Upload');
    expect(light).toBe('rgb(246, 247, 249)');
    expect(dark).toBe('rgb(15, 18, 22)');
    expect(darkAfterReload).toBe(dark);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(incidents).toEqual([]);
  });

  it('takes files dropped on the drop zone, as a user drags them in from the desktop', async () => {
    // Prepare
    await page.goto(consoleUrl('#/upload'));
    const dataTransfer = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['Words dropped from the desktop.\\n'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    const zone = page.getByRole('region', { name: 'Drop files to upload' });

    // Act
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
    await uploadItem('dropped.txt')
      .getByText('PROCESSED', { exact: true })
      .waitFor({ timeout: PROCESSING_BUDGET_MS });

    // Assess
    expect(await uploadItem('dropped.txt').innerText()).toContain('dropped.txt · 32 B');
    expect(incidents).toEqual([]);
  });

  it('shows a deleted upload turn DELETED while its page is open, with no image and no download', async () => {
    // Prepare
    const [deleted] = (await listDocuments(session as CloudSession)).filter((item) =>
      item.key.endsWith(HTML_NAME),
    );
    await page.goto(consoleUrl('#/documents'));
    await openDocument(HTML_NAME);
    await page.getByRole('link', { name: 'Download original' }).waitFor();

    // Act
    await session?.s3.send(new DeleteObjectCommand({ Bucket: session.uploadsBucket, Key: deleted?.key }));
    await page.getByText('DELETED', { exact: true }).waitFor({ timeout: PROCESSING_BUDGET_MS });

    // Assess
    expect(await page.getByText(/the upload was removed from the bucket/).count()).toBe(1);
    expect(await page.getByText('The document was deleted; its text is gone.').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Download original' }).count()).toBe(0);
    expect(await page.getByRole('img').count()).toBe(0);
    expect(incidents).toEqual([]);
  });
});
