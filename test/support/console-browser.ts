import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterEach, type TestContext } from 'vitest';
import { localConsoleTarget } from '../../cli/local-console-target';
import { type ConsoleServer, startConsoleServer } from '../../console/server/console-server';
import { PROJECT_ROOT } from '../../local/cloud';
import { type CloudSession, startCloudSession } from './local-cloud-session';
import { startedForFile } from './started-for-file';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const WIDE = { width: 1280, height: 800 } as const;
export const NARROW = { width: 400, height: 800 } as const;

/** A fresh local cloud, the console server on it, and one page of Debian's chromium open on nothing yet. */
export interface ConsoleBrowser {
  readonly session: CloudSession;
  readonly page: Page;
  /** What the page did that a user would see as broken: dialogs, uncaught errors. */
  readonly incidents: string[];
  /** The console's URL with `hash` (`#/executions`). */
  url(hash?: string): string;
  /** The page in light and dark, wide and narrow, under test-results/screenshots/<name>/. */
  screenshot(name: string): Promise<void>;
  /** For `afterEach`: when the test failed, what the user saw, as a picture and as text in the report. */
  recordFailure(context: TestContext): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts what a console e2e test drives, as `docflow up` does: the local cloud on its own data folder,
 * the console server on any free port, and a browser page that records dialogs and page errors.
 * `name` names the data folder and the screenshots' folder (emptied first).
 */
export const startConsoleBrowser = async (name: string): Promise<ConsoleBrowser> => {
  const dataDir = await mkdtemp(join(tmpdir(), `docflow-${name}-e2e-`));
  const screenshots = join(PROJECT_ROOT, 'test-results', 'screenshots', name);
  await rm(screenshots, { recursive: true, force: true });
  await mkdir(screenshots, { recursive: true });
  let session: CloudSession | undefined;
  let webConsole: ConsoleServer | undefined;
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    await browser?.close();
    await webConsole?.stop();
    await session?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    session = await startCloudSession({ dataDir, fresh: true });
    const { cloud } = session;
    webConsole = await startConsoleServer({
      target: localConsoleTarget(cloud),
      port: 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await (await browser.newContext({ viewport: WIDE, colorScheme: 'light' })).newPage();
    const incidents: string[] = [];
    page.on('dialog', (dialog) => {
      incidents.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => incidents.push(`page error: ${error.message}`));
    const consoleUrl = webConsole.url;
    return {
      session,
      page,
      incidents,
      url: (hash = '') => `${consoleUrl}${hash}`,
      screenshot: async (shot) => {
        for (const scheme of ['light', 'dark'] as const) {
          for (const viewport of [WIDE, NARROW]) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.setViewportSize(viewport);
            const path = join(screenshots, `${shot}-${scheme}-${viewport.width}.png`);
            await page.screenshot({ path, fullPage: true });
          }
        }
        await page.emulateMedia({ colorScheme: 'light' });
        await page.setViewportSize(WIDE);
      },
      recordFailure: async (context) => {
        if (context.task.result?.state !== 'fail') return;
        const path = join(screenshots, `failed-${context.task.name.slice(0, 40)}.png`);
        await page.screenshot({ path, fullPage: true });
        console.error(
          `the page when "${context.task.name}" failed:\n${await page.locator('body').innerText()}`,
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};

/**
 * The console browser of the calling test file: started before its tests, its page recorded after each
 * test that failed, stopped after them all. What it returns is read while the tests run.
 */
export const useConsoleBrowser = (
  name: string,
): Pick<ConsoleBrowser, 'session' | 'page' | 'incidents' | 'url' | 'screenshot'> => {
  const current = startedForFile(
    `the console browser ${name}`,
    () => startConsoleBrowser(name),
    (browser) => browser.stop(),
  );
  afterEach(async (context) => {
    await current().recordFailure(context);
  });
  return {
    get session() {
      return current().session;
    },
    get page() {
      return current().page;
    },
    get incidents() {
      return current().incidents;
    },
    url: (hash) => current().url(hash),
    screenshot: (shot) => current().screenshot(shot),
  };
};
