import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
/** The script esbuild runs in; its content is part of every build's digest. */
const BUILDER = join(import.meta.dirname, 'esbuild-process.ts');

/** What the last build of an entry was made from, kept beside its output. */
interface BuildManifest {
  readonly digest: string;
  readonly inputs: readonly string[];
  readonly output: string;
}

const readManifest = (path: string): BuildManifest | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildManifest;
  } catch {
    return undefined;
  }
};

/**
 * Builds of an entry older than this are removed when it is built again. Not at once: a process
 * started from an earlier build (a running `up`) still starts processes from its files, and a split
 * build imports its chunks only when they are needed.
 */
export const STALE_BUILD_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Removes the builds of `key` other than `current` made more than {@link STALE_BUILD_AGE_MS} ago. */
const removeStaleBuilds = (cacheDirectory: string, key: string, current: string): void => {
  const now = Date.now();
  for (const name of readdirSync(cacheDirectory)) {
    const folder = join(cacheDirectory, name);
    if (!name.startsWith(`${key}-`) || folder === current) continue;
    const made = statSync(folder, { throwIfNoEntry: false });
    if (made?.isDirectory() && now - made.mtimeMs > STALE_BUILD_AGE_MS) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
};

/** A source of an entry does not compile; the message names each error's file, line and column. */
export class EntryBuildError extends Error {
  override readonly name = 'EntryBuildError';
}

/** How an entry is built, beyond what every build does. */
export interface EntryBuildOptions {
  /** A linked source map beside each file (`<name>.mjs.map`). @default false */
  readonly sourceMap?: boolean;
  /**
   * What the entry imports dynamically goes into chunks beside it, with the packages it imports, and
   * is loaded only when imported. Without, esbuild lifts every package import of the whole graph to
   * the top of the one file. A module that starts a process on its own `import.meta.url` (a sandboxed
   * task) must not end up in a chunk. @default false
   */
  readonly splitting?: boolean;
}

/**
 * The esbuild version, the build's script and options, and every input's path and content, as one
 * hash; undefined if an input is gone.
 */
const digestOf = (inputs: readonly string[], options: EntryBuildOptions): string | undefined => {
  const digest = createHash('sha256')
    .update(readFileSync(require.resolve('esbuild/package.json')))
    .update(readFileSync(BUILDER))
    .update(JSON.stringify({ sourceMap: options.sourceMap === true, splitting: options.splitting === true }));
  for (const input of inputs) {
    if (!existsSync(input)) return undefined;
    digest.update(input).update('\0').update(readFileSync(input));
  }
  return digest.digest('hex').slice(0, 16);
};

/**
 * The TypeScript module `entry` and the project files it imports, bundled once by esbuild into one
 * JavaScript file under `cacheDirectory` (packages stay imports, found in the project's node_modules
 * from there), and built again only when one of those files changed. A process that runs the result
 * needs no TypeScript loader: run through tsx, a module's imports are compiled again in every process
 * and carry inline source maps, which tsx's source map support decodes and keeps (pdf.js's alone,
 * ~70 MB of heap). esbuild runs in a short-lived process of its own (esbuild-process.ts), where a
 * built module's `import.meta.dirname` and `import.meta.filename` stay its source's. Concurrent
 * builders build apart; the first rename wins. Returns the built file's path (`<name>.mjs`, its map
 * beside it with `sourceMap`).
 */
export const buildJavaScriptEntry = (
  entry: string,
  cacheDirectory: string,
  options: EntryBuildOptions = {},
): string => {
  const name = basename(entry, extname(entry));
  const key = `${name}-${createHash('sha256').update(resolve(entry)).digest('hex').slice(0, 8)}`;
  const manifestPath = join(cacheDirectory, `${key}.json`);
  const previous = readManifest(manifestPath);
  if (previous && existsSync(previous.output) && digestOf(previous.inputs, options) === previous.digest) {
    return previous.output;
  }
  mkdirSync(cacheDirectory, { recursive: true });
  // esbuild names the metafile's inputs from its real working directory, links resolved.
  const workingDirectory = realpathSync(cacheDirectory);
  const staging = join(cacheDirectory, `${key}.${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    try {
      execFileSync(
        process.execPath,
        [
          BUILDER,
          resolve(entry),
          staging,
          `${staging}.meta.json`,
          ...(options.sourceMap ? ['--sourcemap'] : []),
          ...(options.splitting ? ['--splitting'] : []),
        ],
        { cwd: workingDirectory, stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (error) {
      const lines = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw lines ? new EntryBuildError(`could not build ${entry}:\n${lines}`) : error;
    }
    const meta = JSON.parse(readFileSync(`${staging}.meta.json`, 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs).map((input) => resolve(workingDirectory, input));
    const digest = digestOf(inputs, options);
    if (!digest) throw new Error(`an input of ${entry} changed while it was built`);
    const folder = join(cacheDirectory, `${key}-${digest}`);
    try {
      renameSync(staging, folder);
    } catch (error) {
      if (!existsSync(folder)) throw error;
    }
    const manifest: BuildManifest = { digest, inputs, output: join(folder, `${name}.mjs`) };
    const manifestStaging = `${staging}.json`;
    writeFileSync(manifestStaging, JSON.stringify(manifest));
    renameSync(manifestStaging, manifestPath);
    removeStaleBuilds(cacheDirectory, key, folder);
    return manifest.output;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.meta.json`, { force: true });
  }
};
