/**
 * Writes `sample-docs/`: one small, real document per kind the pipeline handles, plus
 * `expected-results.json` (what the pipeline must make of each) for the end-to-end tests.
 *
 * Deterministic: no clocks, no randomness beyond a seeded generator, fixed dates inside the files, so
 * running it again with the same package versions rewrites the same bytes. Run with `npm run sample-docs`.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED_RESULTS } from './sample-docs/expected-results';
import {
  makeDiagramWebp,
  makePrintedTextPng,
  makeRotatedPhoto,
  registerSampleFont,
} from './sample-docs/images';
import { makeCorruptPdf, makeScannedPdf, makeTextLayerPdf } from './sample-docs/pdfs';
import { makeMemoDocx, makeNotesText } from './sample-docs/text-documents';

/** Where the documents are written. */
export const SAMPLE_DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'sample-docs');

const main = async (): Promise<void> => {
  registerSampleFont();
  const textPdf = makeTextLayerPdf();
  const files: Record<string, Buffer> = {
    'photo-exif-rotated.jpg': await makeRotatedPhoto(),
    'printed-text.png': await makePrintedTextPng(),
    'diagram.webp': await makeDiagramWebp(),
    'report-text-layer.pdf': textPdf,
    'scanned-two-pages.pdf': await makeScannedPdf(),
    'memo.docx': await makeMemoDocx(),
    'notes.txt': makeNotesText(),
    'corrupt.pdf': makeCorruptPdf(textPdf),
  };
  await mkdir(SAMPLE_DOCS_DIR, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) {
    await writeFile(join(SAMPLE_DOCS_DIR, file), bytes);
    const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    console.log(`${file.padEnd(24)} ${String(bytes.length).padStart(8)} bytes  sha256 ${sha}`);
  }
  await writeFile(
    join(SAMPLE_DOCS_DIR, 'expected-results.json'),
    `${JSON.stringify(EXPECTED_RESULTS, null, 2)}\n`,
  );
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
