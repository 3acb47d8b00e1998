import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/**
 * A local service's state, kept in one JSON file of the data directory so that it survives a restart.
 * Written by replace-by-rename: a crash leaves the old file or the new one, never half of one.
 */

/**
 * The state in `file`; undefined when there is none yet. A file that does not match `schema` is an
 * error naming the file and `what` it should be, not a state silently started afresh.
 */
export const readStateFile = <T>(file: string, schema: z.ZodType<T>, what: string): T | undefined => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
};

const temporaryOf = (file: string): string => `${file}.${process.pid}.tmp`;

const jsonText = (state: unknown): string => `${JSON.stringify(state, null, 2)}\n`;

/** Writes the state before the caller goes on (the change is on disk before it is used). */
export const writeStateFileSync = (file: string, state: unknown, options: { mode?: number } = {}): void => {
  writeFileSync(temporaryOf(file), jsonText(state), options);
  renameSync(temporaryOf(file), file);
};

/** Writes the state through the thread pool. */
export const writeStateFile = async (file: string, state: unknown): Promise<void> => {
  await writeFile(temporaryOf(file), jsonText(state));
  await rename(temporaryOf(file), file);
};
