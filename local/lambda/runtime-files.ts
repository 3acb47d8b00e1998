import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, version as esbuildVersion } from 'esbuild';

/** The runtime's entry points and everything they import, which decide the build. */
const SOURCES = ['node-runtime.ts', 'asset-hooks.ts', 'asset-modules.ts', 'runtime-protocol.ts'] as const;

/** The runtime of local execution environments as JavaScript, ready for `node`. */
export interface RuntimeFiles {
  /** `node-runtime.ts` built: what each environment process runs. */
  readonly runtime: string;
  /** `asset-hooks.ts` built, as a URL for `--import` (its settings go in the query). */
  readonly hooksUrl: string;
}

/**
 * Builds the runtime (`node-runtime.ts`) and its preload (`asset-hooks.ts`) into one JavaScript file
 * each, in a folder of `cacheDirectory` named by the sources' digest, unless an earlier run did.
 * Plain JavaScript because Node's own type stripping loads amaro's WebAssembly in every process that
 * imports a `.ts` file: measured 40–80 ms of CPU and 17 MB resident per environment and per parse
 * process. Concurrent runners build to folders of their own and the first rename wins.
 */
export const buildRuntimeFiles = (cacheDirectory: string): RuntimeFiles => {
  const digest = createHash('sha256').update(esbuildVersion);
  for (const source of SOURCES) digest.update(readFileSync(join(import.meta.dirname, source)));
  const folder = join(cacheDirectory, `runtime-${digest.digest('hex').slice(0, 16)}`);
  const files = {
    runtime: join(folder, 'node-runtime.mjs'),
    hooksUrl: pathToFileURL(join(folder, 'asset-hooks.mjs')).href,
  };
  if (existsSync(files.runtime)) return files;
  mkdirSync(cacheDirectory, { recursive: true });
  const staging = `${folder}.${process.pid}-${randomBytes(4).toString('hex')}`;
  buildSync({
    entryPoints: {
      'node-runtime': join(import.meta.dirname, 'node-runtime.ts'),
      'asset-hooks': join(import.meta.dirname, 'asset-hooks.ts'),
    },
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    logLevel: 'silent',
  });
  try {
    renameSync(staging, folder);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(files.runtime)) throw error;
  }
  return files;
};
