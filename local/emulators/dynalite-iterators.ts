import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface IteratorClass {
  prototype: { close(): Promise<void>; return?: () => Promise<IteratorReturnResult<undefined>> };
}

/** The abstract-level that dynalite's LevelDB (level → classic-level) is built on: the copy whose iterators it makes. */
const dynaliteAbstractLevel = (): Record<string, unknown> => {
  const level = require.resolve('level', { paths: [require.resolve('dynalite')] });
  const classicLevel = require.resolve('classic-level', { paths: [level] });
  return require(require.resolve('abstract-level', { paths: [classicLevel] })) as Record<string, unknown>;
};

/**
 * dynalite turns LevelDB iterators into streams that close their iterator with `iterator.return()`
 * when the stream ends, but abstract-level's iterators have no `return` (only `close`), so every
 * Query and Scan left its iterator open: attached to the database for good, with the rows it had read
 * and a LevelDB snapshot that keeps old data from being compacted. In `docflow up` that was ~1,000
 * open iterators and ~20 MB of heap per 1,000 documents, growing without end. Giving the iterators the
 * `return` dynalite calls closes each one when its stream is destroyed, as Node destroys a stream once
 * it has ended. Idempotent; a later abstract-level with its own `return` is left as it is.
 */
export const closeDynaliteIteratorsAtTheirEnd = (): void => {
  const abstractLevel = dynaliteAbstractLevel();
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const { prototype } = abstractLevel[name] as IteratorClass;
    if (typeof prototype.return === 'function') continue;
    prototype.return = async function (this: { close(): Promise<void> }) {
      await this.close();
      return { done: true, value: undefined };
    };
  }
};
