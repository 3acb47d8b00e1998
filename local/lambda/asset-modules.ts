import { existsSync, realpathSync } from 'node:fs';
import { createRequire, isBuiltin, type ResolveHookSync } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What a local execution environment may load: the module resolution policy that
 * `asset-hooks.ts` installs in every environment process (and Node hands on to its worker threads
 * and forked children). In Lambda, `/var/task` holds the unzipped asset and nothing else, so a
 * bundle that leaves a package out fails with `Cannot find package`. Locally the asset sits in the
 * project's `cdk.out`, and Node's upward `node_modules` lookup would find the project's own copy;
 * this policy refuses that. The one allowance: the native packages the asset carries for Lambda's
 * platform (linux-arm64) resolve to the host's installed copy, whose binaries run here.
 */

export interface AssetModuleSettings {
  /** The asset folder (`LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** The host project's `node_modules`, where the host-platform copies of native packages are. */
  readonly hostModules: string;
  /** Packages resolved to the host's copy when, and only when, the asset carries them. */
  readonly hostPackages: readonly string[];
  /** Where Node's compile cache is kept (`module.enableCompileCache`); none when absent. */
  readonly compileCache?: string;
}

/** `sharp/lib/index.js` → `sharp`, `@napi-rs/canvas/x` → `@napi-rs/canvas`; undefined for paths and URLs. */
export const packageNameOf = (specifier: string): string | undefined => {
  if (/^(?:\.{1,2}(?:\/|$)|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};

const realFolder = (path: string): string => {
  const real = existsSync(path) ? realpathSync(path) : path;
  return real.endsWith(sep) ? real : `${real}${sep}`;
};

const pathOf = (url: string): string | undefined =>
  url.startsWith('file:') ? fileURLToPath(url) : undefined;

/**
 * The error Node itself throws when a module cannot be found: `MODULE_NOT_FOUND` for `require`,
 * `ERR_MODULE_NOT_FOUND` for `import`, so the runtime reports `Runtime.ImportModuleError` as Lambda does.
 */
const notFound = (specifier: string, parentPath: string, viaRequire: boolean): Error => {
  const reason = 'outside the function’s asset, where Lambda would not look';
  const error = viaRequire
    ? new Error(`Cannot find module '${specifier}' (${reason})\nRequire stack:\n- ${parentPath}`)
    : new Error(`Cannot find package '${specifier}' imported from ${parentPath} (${reason})`);
  return Object.assign(error, { code: viaRequire ? 'MODULE_NOT_FOUND' : 'ERR_MODULE_NOT_FOUND' });
};

/**
 * The resolve hook of one execution environment. A module inside the asset may load built-ins and
 * what resolves inside the asset; a host package it carries is redirected to the host's copy, whose
 * own dependencies then resolve in the host's `node_modules`. Modules outside the asset (the
 * runtime's own) are not policed.
 */
export const assetResolveHook = (settings: AssetModuleSettings): ResolveHookSync => {
  const taskRoot = realFolder(settings.taskRoot);
  const hostModules = realFolder(settings.hostModules);
  // Resolving from a file in the host project's root finds the host's node_modules first. `require`
  // resolves from its parent module whatever the context says, so it gets a require of its own.
  const hostAnchor = pathToFileURL(join(dirname(hostModules), 'host-packages.js')).href;
  const hostRequire = createRequire(hostAnchor);
  const hostPackages = new Set(settings.hostPackages);
  const inside = (path: string, folder: string): boolean => path.startsWith(folder);

  return (specifier, context, nextResolve) => {
    const parentPath = context.parentURL === undefined ? undefined : pathOf(context.parentURL);
    if (isBuiltin(specifier) || parentPath === undefined || !inside(parentPath, taskRoot)) {
      return nextResolve(specifier, context);
    }
    const resolved = nextResolve(specifier, context);
    const resolvedPath = pathOf(resolved.url);
    if (resolvedPath === undefined || isBuiltin(resolved.url)) return resolved;
    const viaRequire = context.conditions.includes('require');
    if (!inside(resolvedPath, taskRoot)) throw notFound(specifier, parentPath, viaRequire);
    const name = packageNameOf(specifier);
    if (name === undefined || !hostPackages.has(name)) return resolved;
    if (viaRequire) return { url: pathToFileURL(hostRequire.resolve(specifier)).href, shortCircuit: true };
    return nextResolve(specifier, { ...context, parentURL: hostAnchor });
  };
};

/** The settings as a query string of the hooks module's URL, so every thread and child inherits them. */
export const settingsQuery = (settings: AssetModuleSettings): string => {
  const query = new URLSearchParams({ taskRoot: settings.taskRoot, hostModules: settings.hostModules });
  for (const name of settings.hostPackages) query.append('hostPackage', name);
  if (settings.compileCache) query.set('compileCache', settings.compileCache);
  return query.toString();
};

/** The settings back from the query string; undefined when one is missing. */
export const settingsFromQuery = (query: URLSearchParams): AssetModuleSettings | undefined => {
  const taskRoot = query.get('taskRoot');
  const hostModules = query.get('hostModules');
  if (!taskRoot || !hostModules) return undefined;
  const compileCache = query.get('compileCache');
  return {
    taskRoot,
    hostModules,
    hostPackages: query.getAll('hostPackage'),
    ...(compileCache ? { compileCache } : {}),
  };
};
