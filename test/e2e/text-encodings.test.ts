import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentId } from '../../lambdas/shared/documents/document';
import { ENCODING_FIXTURES_DIR, type EncodingFixtures } from '../../scripts/make-encoding-fixtures';
import { getText, upload, useFreshCloudSession, waitForTerminal } from '../support/local-cloud-session';

/**
 * Text in legacy encodings through the whole local cloud: uploaded through the S3 API, inspected and
 * extracted by the deployed functions, read back through the query API with its text intact.
 */

/** The first invocations of a fresh local cloud compile TypeScript. */
const BUDGET_MS = 120_000;

const FIXTURES = JSON.parse(
  await readFile(join(ENCODING_FIXTURES_DIR, 'expected.json'), 'utf8'),
) as EncodingFixtures;

const session = useFreshCloudSession('encodings');

describe('text in legacy encodings, end to end', () => {
  it.each([
    ['ja-shift_jis.txt', 'incoming/encodings/会議のお知らせ.txt', 'text/plain'],
    ['de-windows-1252.csv', 'incoming/encodings/kunden.csv', 'text/csv'],
  ])('processes %s with its encoding recorded and its text intact', async (file, key, mimeType) => {
    // Prepare
    const expected = FIXTURES.texts.find((text) => text.file === file);
    const id = documentId(session.uploadsBucket, key);

    // Act
    await upload(session, key, await readFile(join(ENCODING_FIXTURES_DIR, file)));
    const document = await waitForTerminal(session, id, { deadline: Date.now() + BUDGET_MS });
    const { text } = await getText(session, id);

    // Assess
    expect(document).toMatchObject({
      status: 'PROCESSED',
      type: 'text',
      mimeType,
      encoding: expected?.encoding,
      textStrategy: 'local',
    });
    expect(text?.pages.map((page) => page.text).join('')).toBe(expected?.text);
  });
});
