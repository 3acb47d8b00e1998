import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PHRASES } from '../../scripts/sample-docs/expected-results';
import { NARROW, useConsoleBrowser, WIDE } from '../support/console-browser';
import { listDocuments } from '../support/local-cloud-session';
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

const ui = useConsoleBrowser('console-documents');

/** A table row of the documents list, by the file name it shows. */
const documentRow = (name: string): Locator =>
  ui.page.getByRole('row').filter({ has: ui.page.getByRole('link', { name, exact: true }) });

/** Follows a document's link in the list on screen to its page, and waits for the page's heading. */
const openDocument = async (name: string): Promise<void> => {
  await documentRow(name).getByRole('link', { name }).click();
  await ui.page.getByRole('heading', { level: 1, name }).waitFor();
};

/** A link of the header's navigation. */
const navLink = (name: string): Locator =>
  ui.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** The pager of a document's text. */
const textPager = (): Locator => ui.page.getByRole('navigation', { name: 'Text pages' });

/** An upload in the Upload page's list, by file name. */
const uploadItem = (name: string): Locator => ui.page.getByRole('listitem').filter({ hasText: name });

describe('the docflow console', () => {
  it('uploads files through the page and shows them reach PROCESSED and REJECTED without a reload', async () => {
    // Prepare
    await ui.page.goto(ui.url());
    await ui.page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await ui.page.getByText('No documents yet.').waitFor();
    // A reload would start a new window object and lose this.
    await ui.page.evaluate(() => {
      (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage = true;
    });

    // Act
    await navLink('Upload').click();
    await ui.page.getByRole('heading', { level: 1, name: 'Upload' }).waitFor();
    await ui.page.getByLabel('Choose files to upload').setInputFiles([
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
    expect(
      await ui.page.evaluate(() => (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage),
    ).toBe(true);
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
    expect(await ui.page.getByRole('link', { name: HTML_NAME, exact: true }).innerText()).toBe(HTML_NAME);
    expect(await ui.page.locator('img[src="x"]').count()).toBe(0);
    // The Upload page followed the same files to the same ends.
    await navLink('Upload').click();
    await uploadItem(CORRUPT).getByText('REJECTED', { exact: true }).waitFor();
    expect(await uploadItem(REPORT).getByText('PROCESSED', { exact: true }).count()).toBe(1);
    await ui.screenshot('upload');
    expect(ui.incidents).toEqual([]);
  });

  it('shows a processed document’s record, thumbnail, execution, trace and text page by page', async () => {
    // Act
    await ui.page.goto(ui.url('#/documents'));
    await openDocument(REPORT);
    await textPager().getByText('Page 1 of 3').waitFor();
    const thumbnail = ui.page.getByRole('img', { name: `Thumbnail of ${REPORT}` });
    await thumbnail.waitFor();
    await textPager().getByRole('button', { name: 'Next page' }).click();
    await textPager().getByText('Page 2 of 3').waitFor();
    await ui.page.getByText(PHRASES.reportPageTwo).waitFor();
    await ui.page.getByText(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/).waitFor();

    // Assess
    // Loaded and decoded: the WebP came through the presigned URL and the browser knows its size.
    expect(
      await ui.page.evaluate(
        "(() => { const image = document.querySelector('main img'); return image?.complete && image.naturalWidth > 0; })()",
      ),
    ).toBe(true);
    expect(await ui.page.getByRole('definition').filter({ hasText: PHRASES.reportTitle }).count()).toBe(1);
    expect(await ui.page.getByRole('link', { name: 'Download original' }).getAttribute('href')).toMatch(
      /\/api\/documents\/[A-Za-z0-9_-]{22}\/original$/,
    );
    const execution = ui.page.getByRole('link', { name: /^report-text-layer/ });
    expect(await execution.getAttribute('href')).toMatch(/^#\/executions\/arn%3Aaws%3Astates%3A/);
    // The original downloads through a fresh presigned URL, as the bytes uploaded.
    const id = /^#\/documents\/([A-Za-z0-9_-]{22})/.exec(new URL(ui.page.url()).hash)?.[1];
    const download = await ui.page.request.get(ui.url(`api/documents/${id}/original`));
    expect(Buffer.from(await download.body()).equals(await readSampleDocument(REPORT))).toBe(true);
    await ui.screenshot('document');
    expect(ui.incidents).toEqual([]);
  });

  it('shows a rejected document’s reason and the HTML file’s text as text', async () => {
    // Act
    await ui.page.goto(ui.url('#/documents'));
    await openDocument(CORRUPT);
    const rejected = await ui.page.getByText(/^Rejected: /).innerText();
    await ui.page.getByRole('link', { name: '← All documents' }).click();
    await openDocument(HTML_NAME);
    const text = await ui.page.getByText('Only words here').innerText();

    // Assess
    expect(rejected).toBe('Rejected: CORRUPT');
    expect(await ui.page.getByText('A rejected document has no text.').count()).toBe(0);
    expect(text.trim()).toBe(HTML_TEXT.trim());
    expect(await ui.page.locator('img[src="x"]').count()).toBe(0);
    expect(ui.incidents).toEqual([]);
  });

  it('filters by status, and is usable by keyboard, in dark and light, wide and narrow', async () => {
    // Act
    await ui.page.goto(ui.url('#/documents'));
    await documentRow(REPORT).waitFor();
    await ui.page.getByLabel('Status').selectOption('REJECTED');
    // The unfiltered rows go first, then the filtered ones come.
    await documentRow(REPORT).waitFor({ state: 'detached' });
    await documentRow(CORRUPT).waitFor();
    const rejectedRows = await ui.page.getByRole('row').count();
    await ui.page.getByRole('button', { name: 'Clear filters' }).click();
    await documentRow(REPORT).waitFor();
    await ui.screenshot('documents');

    await ui.page.reload();
    await ui.page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await ui.page.keyboard.press('Tab');
    const focusedFirst = await ui.page.evaluate('document.activeElement?.textContent');
    await navLink('Upload').focus();
    await ui.page.keyboard.press('Enter');
    await ui.page.getByRole('heading', { level: 1, name: 'Upload' }).waitFor();
    // Focus moves to the new page's heading once it is drawn.
    await ui.page.waitForFunction("document.activeElement?.tagName === 'H1'");
    const focusedAfterNavigation = await ui.page.evaluate(
      "[document.activeElement?.tagName, document.activeElement?.textContent].join(' ')",
    );

    const background = () => ui.page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    const light = await background();
    await ui.page.getByRole('button', { name: 'Theme: System' }).click();
    await ui.page.getByRole('button', { name: 'Theme: Light' }).click();
    await ui.page.getByRole('button', { name: 'Theme: Dark' }).waitFor();
    const dark = await background();
    await ui.page.reload();
    await ui.page.getByRole('button', { name: 'Theme: Dark' }).waitFor();
    const darkAfterReload = await background();
    await ui.page.getByRole('button', { name: 'Theme: Dark' }).click();

    await ui.page.setViewportSize(NARROW);
    await ui.page.goto(ui.url('#/documents'));
    await documentRow(REPORT).waitFor();
    const overflow = Number(
      await ui.page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    );
    await ui.page.setViewportSize(WIDE);

    // Assess
    expect(rejectedRows).toBe(2); // the header row and the corrupt PDF's
    expect(focusedFirst).toBe('Skip to content');
    expect(focusedAfterNavigation).toBe('H1 Upload');
    expect(light).toBe('rgb(246, 247, 249)');
    expect(dark).toBe('rgb(15, 18, 22)');
    expect(darkAfterReload).toBe(dark);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(ui.incidents).toEqual([]);
  });

  it('takes files dropped on the drop zone, as a user drags them in from the desktop', async () => {
    // Prepare
    await ui.page.goto(ui.url('#/upload'));
    const dataTransfer = await ui.page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['Words dropped from the desktop.\\n'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    const zone = ui.page.getByRole('region', { name: 'Drop files to upload' });

    // Act
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
    await uploadItem('dropped.txt')
      .getByText('PROCESSED', { exact: true })
      .waitFor({ timeout: PROCESSING_BUDGET_MS });

    // Assess
    expect(await uploadItem('dropped.txt').innerText()).toContain('dropped.txt · 32 B');
    expect(ui.incidents).toEqual([]);
  });

  it('shows a deleted upload turn DELETED while its page is open, with no image and no download', async () => {
    // Prepare
    const [deleted] = (await listDocuments(ui.session)).filter((item) => item.key.endsWith(HTML_NAME));
    await ui.page.goto(ui.url('#/documents'));
    await openDocument(HTML_NAME);
    await ui.page.getByRole('link', { name: 'Download original' }).waitFor();

    // Act
    await ui.session.s3.send(
      new DeleteObjectCommand({ Bucket: ui.session.uploadsBucket, Key: deleted?.key }),
    );
    await ui.page.getByText('DELETED', { exact: true }).waitFor({ timeout: PROCESSING_BUDGET_MS });

    // Assess
    expect(await ui.page.getByText(/the upload was removed from the bucket/).count()).toBe(1);
    expect(await ui.page.getByText('The document was deleted; its text is gone.').count()).toBe(1);
    expect(await ui.page.getByRole('link', { name: 'Download original' }).count()).toBe(0);
    expect(await ui.page.getByRole('img').count()).toBe(0);
    expect(ui.incidents).toEqual([]);
  });
});
