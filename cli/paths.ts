import { statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DEMO_PREFIX, INCOMING_PREFIX } from './command-options';

/** The project folder (this file is `<root>/cli/paths.ts`). */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

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

/**
 * The keys `upload` and `demo` gave a file of this machine (`path` relative to the working folder):
 * `incoming/<its name>`, and for a file of sample-docs/ also `incoming/demo/<its path there>`; none
 * when `path` is not a file here.
 */
export const localUploadKeys =
  (cwd: string) =>
  (path: string): string[] => {
    const file = resolve(cwd, path);
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return [];
    const inSamples = relative(SAMPLE_DOCS_DIR, file);
    const sample = !inSamples.startsWith('..') && !isAbsolute(inSamples);
    return [
      `${INCOMING_PREFIX}${basename(file)}`,
      ...(sample ? [`${DEMO_PREFIX}${inSamples.split(sep).join('/')}`] : []),
    ];
  };
