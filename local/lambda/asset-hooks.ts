import { enableCompileCache, registerHooks } from 'node:module';
import { assetResolveHook, settingsFromQuery } from './asset-modules';

/**
 * Preloaded with `--import` into every local execution environment process: installs the module
 * resolution policy of `asset-modules.ts` (a function loads only what its asset carries) and Node's
 * compile cache. Its settings travel in this module's URL query, and a preload runs again in every
 * worker thread and forked child that inherits the process's arguments, so parsers in threads and
 * processes are held to the policy and share the cache too. The runner runs it built to JavaScript
 * (`runtime-files.ts`).
 */

const settings = settingsFromQuery(new URL(import.meta.url).searchParams);
if (!settings) throw new Error('asset-hooks needs its settings in the URL query (taskRoot, hostModules)');
registerHooks({ resolve: assetResolveHook(settings) });
// V8's compiled code of the bundles (1–3.5 MB each), so that every later process skips compiling them.
if (settings.compileCache) enableCompileCache(settings.compileCache);
