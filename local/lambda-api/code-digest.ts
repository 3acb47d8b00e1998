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

/**
 * Size and SHA-256 (base64) of a package folder: its files, by sorted relative path. Computed in a
 * worker thread: a package with its native modules is ~90 MB, and hashing it on `up`'s loop held every
 * emulator ~0.1 s per function while the first document ran (record-cost reads each configuration).
 */
export const digestOf = (directory: string): Promise<CodeDigest> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(DIGEST_SOURCE, { eval: true, workerData: directory, execArgv: [] });
    worker.once('message', (digest: CodeDigest) => resolve(digest));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the digest of ${directory} stopped with exit code ${code}`)),
    );
  });
