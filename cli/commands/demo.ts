import { join } from 'node:path';
import { DEMO_PREFIX, demoOptions } from '../command-options';
import type { Command } from '../context';
import { demoMatches, fullText, renderDemo } from '../demo-report';
import { EXIT } from '../errors';
import { compareWithExpected, readExpectedResults } from '../expected-results';
import { SAMPLE_DOCS_DIR } from '../paths';
import { planUploads } from '../upload-plan';
import { uploadSession } from '../upload-session';

/** Files of sample-docs/ that describe the samples rather than being ones. */
const NOT_SAMPLES = new Set(['README.md', 'expected-results.json']);

/** `docflow demo [--timeout 300]` */
export const demo: Command = async ({ values }, context) => {
  const options = demoOptions(values);
  const { terminal } = context;
  const expected = await readExpectedResults(join(SAMPLE_DOCS_DIR, 'expected-results.json'));
  const plan = await planUploads({
    inputs: [SAMPLE_DOCS_DIR],
    prefix: DEMO_PREFIX,
    exclude: (path) => NOT_SAMPLES.has(path),
  });
  const target = await context.target();
  terminal.info(`Uploading ${plan.length} sample documents to ${target.description} and waiting for them…`);
  const entries = await uploadSession(plan, target, {
    wait: true,
    timeoutMs: options.timeoutSeconds * 1000,
    terminal,
    now: context.now,
    sleep: context.sleep,
  });
  const rows = await Promise.all(
    entries.map(async (entry) => {
      const file = entry.planned.key.slice(DEMO_PREFIX.length);
      const expectation = expected.find((candidate) => candidate.file === file);
      const document = entry.outcome?.timedOut ? undefined : entry.outcome?.document;
      const text =
        expectation?.phrase && document?.text ? await fullText(target.documents, document.id) : undefined;
      return {
        file,
        entry,
        ...(expectation ? { comparisons: compareWithExpected(expectation, document, text) } : {}),
      };
    }),
  );
  for (const line of renderDemo(rows, terminal.columns)) terminal.out(line);
  const matched = rows.filter(demoMatches).length;
  terminal.info(`${matched}/${rows.length} documents as expected.`);
  return matched === rows.length ? EXIT.ok : EXIT.failed;
};
