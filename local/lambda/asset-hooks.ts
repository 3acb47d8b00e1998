import { registerHooks } from 'node:module';

/**
 * Preloaded with `--import` into every local execution environment process: installs the module
 * resolution policy of `asset-modules.ts` (a function loads only what its asset carries). Its
 * settings travel in this module's URL query, and a preload runs again in every worker thread and
 * forked child that inherits the process's arguments, so parsers in threads are held to it too.
 * Runs under Node's own type stripping: `node:` imports only, the policy by URL.
 */

const policy = (await import(
  new URL('./asset-modules.ts', import.meta.url).href
)) as typeof import('./asset-modules');
const settings = policy.settingsFromQuery(new URL(import.meta.url).searchParams);
if (!settings) throw new Error('asset-hooks.ts needs its settings in the URL query (taskRoot, hostModules)');
registerHooks({ resolve: policy.assetResolveHook(settings) });
