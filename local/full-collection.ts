/**
 * A full, compacting collection that also shrinks the young generation (V8's own "last resort"
 * collection): what a process that has gone quiet can give back. Needs `--expose-gc`, which Lambda's
 * bootstrap passes to every environment and the launcher passes to `docflow up`; undefined without it.
 */
export const fullCollection = (): (() => void) | undefined => {
  const gc = globalThis.gc as ((options: object) => void) | undefined;
  return gc && (() => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }));
};
