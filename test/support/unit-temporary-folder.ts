import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * Gives each test of the enclosing block (or file) a fresh, empty temporary folder, removed after
 * the test whatever its outcome, so that no test sees another's files. Returns the current test's
 * folder; it fails outside a test, where there is none.
 */
export const temporaryFolderPerTest = (prefix: string): (() => string) => {
  let folder: string | undefined;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });
  return () => {
    if (!folder) throw new Error('the temporary folder exists only while a test runs');
    return folder;
  };
};
