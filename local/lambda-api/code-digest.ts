import { Worker } from 'node:worker_threads';

/** What Lambda reports of a deployment package: `CodeSize` and `CodeSha256`. */
export interface CodeDigest {
  readonly size: number;
  readonly sha256: string;
}

/** Plain JavaScript, so the worker needs none of `up`'s TypeScript loader. */
const DIGEST_SOURCE = `
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parentPort, workerData: directory } = require('node:worker_threads');
const files = readdirSync(directory, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => join(entry.parentPath, entry.name))
  .sort();
const hash = createHash('sha256');
let size = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  size += bytes.byteLength;
  hash.update(file.slice(directory.length)).update(bytes);
}
parentPort.postMessage({ size, sha256: hash.digest('base64') });
`;

const digestInWorker = (directory: string): Promise<CodeDigest> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(DIGEST_SOURCE, { eval: true, workerData: directory, execArgv: [] });
    worker.once('message', (digest: CodeDigest) => resolve(digest));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the digest of ${directory} stopped with exit code ${code}`)),
    );
  });

/** The digest asked for last: each waits for the one before it. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Size and SHA-256 (base64) of a package folder: its files, by sorted relative path. Computed in a
 * worker thread, one package at a time: a package with its native modules is ~90 MB, and record-cost
 * reads every function's configuration once the first document ends. Hashed on `up`'s loop, that held
 * every emulator ~0.1 s per function; in a worker each, side by side, it took both cores from the
 * documents that followed.
 */
export const digestOf = (directory: string): Promise<CodeDigest> => {
  const digest = queue.then(() => digestInWorker(directory));
  queue = digest.catch(() => undefined);
  return digest;
};
