import { join } from 'node:path';

/** The project's installed packages (this file is `<root>/local/project-cache.ts`). */
export const PROJECT_MODULES = join(import.meta.dirname, '..', 'node_modules');

/**
 * A cache folder of the local cloud's own, beside the packages where tools keep theirs
 * (`node_modules/.cache/docflow-<name>`): a fresh data folder keeps it, a reinstall empties it.
 */
export const projectCacheFolder = (name: string): string =>
  join(PROJECT_MODULES, '.cache', `docflow-${name}`);
