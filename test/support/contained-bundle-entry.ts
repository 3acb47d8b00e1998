/**
 * An esbuild entry for the bundle test: the containment runners and the test-only hostile tasks,
 * bundled as a function is. Exports only: a bundle's top-level code runs again in every contained
 * thread (the thread re-enters the bundle), so an entry must not act at import.
 */
export { ContainedPool, runContained } from '../../lambdas/shared/contained-task';
export { allocateWithoutBound, echo, spinForever, whichThread } from './hostile-tasks';
