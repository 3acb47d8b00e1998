import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_DOCS_DIR } from '../../cli/paths';
import type { ExpectedResult } from '../../scripts/sample-docs/expected-results';

/** A sample document's bytes, by its file name in sample-docs/. */
export const readSampleDocument = (file: string): Promise<Buffer> => readFile(join(SAMPLE_DOCS_DIR, file));

/** What the pipeline must make of each sample document (sample-docs/expected-results.json). */
export const readExpectedResults = async (): Promise<ExpectedResult[]> =>
  JSON.parse(await readFile(join(SAMPLE_DOCS_DIR, 'expected-results.json'), 'utf8')) as ExpectedResult[];

/** The entry of the sample document `file` among `results`; fails naming the file when it has none. */
export const expectedResultOf = <T extends { readonly file: string }>(
  results: readonly T[],
  file: string,
): T => {
  const result = results.find((entry) => entry.file === file);
  if (!result) throw new Error(`expected-results has no entry for ${file}`);
  return result;
};
