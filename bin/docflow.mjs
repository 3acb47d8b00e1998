#!/usr/bin/env node
// The `docflow` command (package.json "bin"). It runs the TypeScript CLI in cli/, built into
// JavaScript, on the project's own Node 24 (the `node` devDependency) even when the `node` on PATH is
// older: npx and npm scripts put node_modules/.bin first on PATH, but a direct call of this file may not.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

/**
 * V8's heap settings of `docflow up`, however it is started (npm start, npx, a direct call): a busy
 * `up` would otherwise grow its young generation to 3 × 64 MiB and let its heap limit run to several
 * times what is alive, and keep what a burst grew (docs/decisions.md 51, 57, 65: `--expose-gc` lets it
 * collect once requests stop). A flag the user gives (on the command line or in NODE_OPTIONS) wins.
 */
const UP_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50', '--expose-gc'];
/**
 * glibc's malloc arenas for `up`: by default up to eight per core, one per thread that allocates
 * (the thread pool, LevelDB, the OCR workers), each keeping what it once held; two hold `up`'s
 * growth over 2,000 documents to half (decision 65). Functions never see it: their environments get
 * Lambda's variables only. A value the user sets wins.
 */
const UP_ENVIRONMENT = { MALLOC_ARENA_MAX: '2' };
const isUp = process.argv[2] === 'up';
const givenFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const missingFlags = isUp
  ? UP_NODE_FLAGS.filter((flag) => !givenFlags.some((given) => given.split('=')[0] === flag.split('=')[0]))
  : [];
const missingEnvironment = isUp
  ? Object.fromEntries(Object.entries(UP_ENVIRONMENT).filter(([name]) => process.env[name] === undefined))
  : {};
const script = fileURLToPath(import.meta.url);
const upEnvironment = { ...process.env, ...missingEnvironment };

if (
  major >= REQUIRED_MAJOR &&
  (missingFlags.length > 0 || Object.keys(missingEnvironment).length > 0) &&
  typeof process.execve === 'function'
) {
  try {
    // The same process again, with the flags and variables: same pid, nothing left waiting behind it.
    process.execve(
      process.execPath,
      [process.execPath, ...process.execArgv, ...missingFlags, script, ...process.argv.slice(2)],
      upEnvironment,
    );
  } catch {
    // Not replaced (a system that refuses it): `up` runs on as it was started.
  }
}

if (major < REQUIRED_MAJOR) {
  const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(projectNode) || process.env.DOCFLOW_REEXEC === '1') {
    process.stderr.write(
      `docflow needs Node ${REQUIRED_MAJOR} or newer (this is ${process.version}): run \`npm ci\` in the project, ` +
        'then use `npx docflow …`.\n',
    );
    process.exit(2);
  }
  // Node's own flags go along (they were given for the CLI, not for this), with `up`'s settings.
  const child = spawn(projectNode, [...process.execArgv, ...missingFlags, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...upEnvironment, DOCFLOW_REEXEC: '1' },
  });
  // Ctrl-C reaches the child from the terminal itself (a second copy would force-stop `up`);
  // signals sent to this process alone are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
} else {
  // The CLI as JavaScript, built once from cli/entry.ts and again when a file it imports changes
  // (docs/decisions.md 71): no TypeScript loader, and Node's compile cache serves it. The two modules
  // imported here import only Node's own; Node erases their types.
  const { buildJavaScriptEntry } = await import('../local/build/javascript-entry.ts');
  const { projectCacheFolder } = await import('../local/project-cache.ts');
  const entry = fileURLToPath(new URL('../cli/entry.ts', import.meta.url));
  let cli;
  try {
    cli = buildJavaScriptEntry(entry, projectCacheFolder('cli'), { sourceMap: true, splitting: true });
  } catch (error) {
    // A source that does not compile: one line per error, each with its file, line and column.
    if (error?.name !== 'EntryBuildError') throw error;
    process.stderr.write(`docflow: ${error.message}\n`);
    process.exit(1);
  }
  // Not imported above: Node 20, which only starts the project's Node 24, has no such export.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache(projectCacheFolder('cli-compile-cache'));
  await import(pathToFileURL(cli).href);
}
