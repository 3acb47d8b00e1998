import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENCODING_FIXTURES_DIR, type EncodingFixtures } from '../../scripts/make-encoding-fixtures';

/** What each file of test/fixtures/encodings must be read as (its expected.json, which the script writes). */
export const ENCODING_FIXTURES = JSON.parse(
  readFileSync(join(ENCODING_FIXTURES_DIR, 'expected.json'), 'utf8'),
) as EncodingFixtures;

/** The bytes of one file of test/fixtures/encodings. */
export const encodingFixture = (file: string): Buffer => readFileSync(join(ENCODING_FIXTURES_DIR, file));
