import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { build, stop as stopEsbuild } from 'esbuild';

/** The browser app's entry. */
export const APP_ENTRY = resolve(import.meta.dirname, '../app/main.tsx');

/** One built file, served under `/assets/<name>`. */
export interface Asset {
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** The built browser app, held in memory. */
export interface BrowserBundle {
  /** Asset file name → asset; names carry a content hash, so they can be cached for good. */
  readonly assets: ReadonlyMap<string, Asset>;
  readonly script: string;
  readonly stylesheet: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const OUT_DIR = '/assets';

/**
 * ELK's layout engine as published (`elk-worker.min.js`, 1.6 MB of GWT output written to run as a
 * classic Web Worker script): served beside the app under a content-hashed name and started by the
 * execution page only, so the app's own script stays small and the layout never blocks the page.
 */
const ELK_WORKER = createRequire(import.meta.url).resolve('elkjs/lib/elk-worker.min.js');

/** Builds of this module still running, so that esbuild's service is stopped only after the last. */
let buildsRunning = 0;

/**
 * Bundles the browser app with the project's esbuild, in memory, when the console starts (a few hundred
 * milliseconds): a fresh clone needs no build step, and the console always serves the code beside it.
 * Preact and every other import are bundled: the page loads nothing from the network but this server.
 * esbuild's service process (~27 MB resident) is stopped once no build of ours runs: nothing else in
 * the console's process uses esbuild's async API, and a later call would start it again.
 */
export const buildBrowserBundle = async (): Promise<BrowserBundle> => {
  buildsRunning += 1;
  try {
    return await bundleApp();
  } finally {
    buildsRunning -= 1;
    if (buildsRunning === 0) await stopEsbuild();
  }
};

const bundleApp = async (): Promise<BrowserBundle> => {
  const worker = await readFile(ELK_WORKER);
  const workerName = `elk-worker-${createHash('sha256').update(worker).digest('hex').slice(0, 12)}.js`;
  const result = await build({
    entryPoints: { app: APP_ENTRY },
    bundle: true,
    write: false,
    outdir: OUT_DIR,
    entryNames: '[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    // light-dark() in the CSS sets the floor (Baseline 2024); esbuild does not lower it.
    target: ['es2022', 'chrome123', 'firefox120', 'safari17.5'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'silent',
    define: {
      'process.env.NODE_ENV': '"production"',
      ELK_WORKER_URL: JSON.stringify(`${OUT_DIR}/${workerName}`),
    },
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const extension = name.slice(name.lastIndexOf('.'));
    assets.set(name, {
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      body: file.contents,
    });
  }
  assets.set(workerName, { contentType: CONTENT_TYPES['.js'] ?? 'text/javascript', body: worker });
  const named = (extension: string): string => {
    const name = [...assets.keys()].find(
      (candidate) => candidate.startsWith('app-') && candidate.endsWith(extension),
    );
    if (!name) throw new Error(`the console bundle has no ${extension} file`);
    return join(OUT_DIR, name);
  };
  return { assets, script: named('.js'), stylesheet: named('.css') };
};
