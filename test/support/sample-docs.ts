import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_DOCS_DIR } from '../../cli/paths';
import type { ExpectedResult } from '../../scripts/sample-docs/expected-results';

/** A sample document's bytes, by its file name in sample-docs/. */
export const readSampleDocument = (file: string): Promise<Buffer> => readFile(join(SAMPLE_DOCS_DIR, file));

/** What the pipeline must make of each sample document (sample-docs/expected-results.json). */
export const readExpectedResults = async (): Promise<ExpectedResult[]> =>
  JSON.parse(await readFile(join(SAMPLE_DOCS_DIR, 'expected-results.json'), 'utf8')) as ExpectedResult[];
