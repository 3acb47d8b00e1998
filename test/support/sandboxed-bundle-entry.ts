/**
 * An esbuild entry for the bundle test: the containment runners and the test-only hostile tasks,
 * bundled as a function is. Exports only: a bundle's top-level code runs again in every contained
 * process (the process runs the bundle itself), so an entry must not act at import.
 */
export { runSandboxed, SandboxPool } from '../../lambdas/shared/sandbox/sandboxed-task';
export {
  allocateAtOnce,
  allocateWithoutBound,
  echo,
  heapLimit,
  holdOutsideHeap,
  spinForever,
  whichProcess,
} from './hostile-tasks';
