import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder (this file is `<root>/cli/paths.ts`). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The local cloud's data folder unless `--data-dir` says otherwise: `.docflow` (git-ignored) in the
 * project, whatever folder the CLI is run from, so `npm start` and `npx docflow` always meet.
 */
export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, '.docflow');

export const SAMPLE_DOCS_DIR = join(PROJECT_ROOT, 'sample-docs');

/** The data folder to use: `--data-dir` (relative to the working folder) or the default. */
export const dataDirOf = (option: string | undefined, cwd: string): string =>
  option === undefined ? DEFAULT_DATA_DIR : resolve(cwd, option);

/** A path as the user reads it best: relative to the working folder when inside it. */
export const displayPath = (path: string, cwd: string): string => {
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
};

/** Whether `path` (relative to the working folder) is a file on this machine. */
export const isLocalFile =
  (cwd: string) =>
  (path: string): boolean =>
    statSync(resolve(cwd, path), { throwIfNoEntry: false })?.isFile() === true;
