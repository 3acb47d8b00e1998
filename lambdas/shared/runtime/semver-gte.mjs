/**
 * Stands in for the `semver` package in the bundles (an esbuild alias, infra/constructs/docflow-function.ts).
 * Its one user there, the X-Ray SDK's patcher for SDK v2 clients, calls only `semver.gte`; `semver`'s
 * entry requires all of semver (ranges, comparators, coercion: 29 KB minified), of which `gte` needs
 * the version class and its expressions (about 10 KB). This is semver's own `gte`, reached by path
 * because the alias also rewrites every `semver/…` specifier, this file's included.
 */
export { default as gte } from '../../../node_modules/semver/functions/gte.js';
