import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectCacheFolder } from '../project-cache';

/** What Lambda reports of a deployment package: `CodeSize` and `CodeSha256`. */
export interface CodeDigest {
  readonly size: number;
  readonly sha256: string;
}

/** Bytes read from a file at a time: the buffer is reused, so hashing holds no more than this. */
export const DIGEST_CHUNK_BYTES = 1 << 20;

/**
 * Plain JavaScript, so the worker needs none of `up`'s TypeScript loader. Files are read through one
 * reused buffer, not whole: a package holds native libraries of 20–40 MB, and glibc keeps what such
 * reads allocated in its arenas after they are freed (reading whole files left `up` ~130 MiB larger
 * for the rest of its life).
 */
const DIGEST_SOURCE = `
const { createHash } = require('node:crypto');
const { closeSync, openSync, readdirSync, readSync } = require('node:fs');
const { join } = require('node:path');
const { parentPort, workerData: { directory, chunkBytes } } = require('node:worker_threads');
const files = readdirSync(directory, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => join(entry.parentPath, entry.name))
  .sort();
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(chunkBytes);
let size = 0;
for (const file of files) {
  hash.update(file.slice(directory.length));
  const fd = openSync(file, 'r');
  try {
    for (let read; (read = readSync(fd, buffer, 0, chunkBytes, null)) > 0; ) {
      size += read;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}
parentPort.postMessage({ size, sha256: hash.digest('base64') });
`;

const digestInWorker = (directory: string): Promise<CodeDigest> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(DIGEST_SOURCE, {
      eval: true,
      workerData: { directory, chunkBytes: DIGEST_CHUNK_BYTES },
      execArgv: [],
    });
    worker.once('message', (digest: CodeDigest) => resolve(digest));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the digest of ${directory} stopped with exit code ${code}`)),
    );
  });

/** The digest asked for last: each waits for the one before it. */
let queue: Promise<unknown> = Promise.resolve();

const hashed = (directory: string): Promise<CodeDigest> => {
  const digest = queue.then(() => digestInWorker(directory));
  queue = digest.catch(() => undefined);
  return digest;
};

/** Digests of synthesized assets, kept across `up`s (a `--fresh` start included). */
const CACHE_FOLDER = projectCacheFolder('code-digests');
/** A CDK asset folder: named by the hash of its content, never rewritten under that name. */
const ASSET_FOLDER = /^asset\.[0-9a-f]{64}$/;

/** A cached digest holds for the folder it was computed from: same inode and modification time. */
interface CachedDigest extends CodeDigest {
  readonly ino: number;
  readonly mtimeMs: number;
}

const readCached = async (file: string): Promise<Partial<CachedDigest> | undefined> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Partial<CachedDigest>;
  } catch {
    return undefined;
  }
};

const writeCached = async (file: string, digest: CachedDigest): Promise<void> => {
  try {
    await mkdir(CACHE_FOLDER, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(digest));
    await rename(temporary, file);
  } catch {
    // A cache that cannot be written only means hashing again at the next start.
  }
};

/**
 * Size and SHA-256 (base64) of a package folder: its files, by sorted relative path. Computed in a
 * worker thread, one package at a time: a package with its native modules is ~90 MB, and record-cost
 * reads every function's configuration once the first document ends. Hashed on `up`'s loop, that held
 * every emulator ~0.1 s per function; in a worker each, side by side, it took both cores from the
 * documents that followed. A synthesized asset's digest is kept on disk (by folder name, inode and
 * modification time), so only a new bundle is hashed: hashing after every start took ~1 s of a core
 * from the documents right after the first.
 */
export const digestOf = async (directory: string): Promise<CodeDigest> => {
  const name = basename(directory);
  if (!ASSET_FOLDER.test(name)) return hashed(directory);
  const { ino, mtimeMs } = await stat(directory);
  const file = join(CACHE_FOLDER, `${name}.json`);
  const cached = await readCached(file);
  if (
    cached?.ino === ino &&
    cached.mtimeMs === mtimeMs &&
    typeof cached.size === 'number' &&
    typeof cached.sha256 === 'string'
  ) {
    return { size: cached.size, sha256: cached.sha256 };
  }
  const { size, sha256 } = await hashed(directory);
  await writeCached(file, { size, sha256, ino, mtimeMs });
  return { size, sha256 };
};
