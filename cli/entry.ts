/**
 * What `bin/docflow.mjs` runs: this module built into JavaScript (`buildJavaScriptEntry`, with its
 * source map), so that a command loads no TypeScript loader and Node's compile cache serves its code.
 * Stacks of unexpected errors still name the TypeScript sources (the map is read only then).
 */
import { mapStacksOnDemand } from '../lambdas/shared/runtime/source-mapped-stacks';
import { processEnvironment, runCli } from './main';

mapStacksOnDemand(import.meta.url);
const code = await runCli(process.argv.slice(2), processEnvironment());
process.exitCode = code;
// SDK clients are closed by the command; should anything else hold the event loop, do not hang.
setTimeout(() => process.exit(code), 2000).unref();
