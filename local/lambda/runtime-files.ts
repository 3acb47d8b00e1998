import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildJavaScriptEntry } from '../build/javascript-entry';

/** The runtime of local execution environments as JavaScript, ready for `node`. */
export interface RuntimeFiles {
  /** `node-runtime.ts` built: what each environment process runs. */
  readonly runtime: string;
  /** `asset-hooks.ts` built, as a URL for `--import` (its settings go in the query). */
  readonly hooksUrl: string;
}

/**
 * The runtime (`node-runtime.ts`) and its preload (`asset-hooks.ts`), each built once into one
 * JavaScript file under `cacheDirectory` and again only when a file they import changes. Plain
 * JavaScript because Node's own type stripping loads amaro's WebAssembly in every process that imports
 * a `.ts` file: measured 40–80 ms of CPU and 17 MB resident per environment and per parse process.
 * Neither imports a package at run time, so nothing they load is refused by the asset's resolve hook.
 */
export const buildRuntimeFiles = (cacheDirectory: string): RuntimeFiles => ({
  runtime: buildJavaScriptEntry(join(import.meta.dirname, 'node-runtime.ts'), cacheDirectory),
  hooksUrl: pathToFileURL(buildJavaScriptEntry(join(import.meta.dirname, 'asset-hooks.ts'), cacheDirectory))
    .href,
});
