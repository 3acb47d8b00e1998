import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The definition's source, relative to the repository root. */
export const DEFINITION_SOURCE = 'statemachines/document-pipeline.asl.yaml';

const PROJECT_ROOT = join(import.meta.dirname, '..');

/**
 * The state machine's definition as ASL JSON, `${Placeholder}`s kept, read from its YAML source:
 * YAML only so that a retry or catch policy is written once (an anchor) however many states use it.
 * Aliases resolve to copies of their anchor, so the JSON is what a hand-written file would hold.
 */
export const readDefinition = (): string =>
  `${JSON.stringify(parse(readFileSync(join(PROJECT_ROOT, DEFINITION_SOURCE), 'utf8')), null, 2)}\n`;

/**
 * Writes {@link readDefinition} as `document-pipeline.asl.json` into `directory` (a cloud assembly's
 * folder) and returns its path: CDK's `DefinitionBody.fromFile` then stages it as the asset it
 * deploys, with the same hash as long as the JSON is the same.
 */
export const writeDefinition = (directory: string): string => {
  const path = join(directory, 'document-pipeline.asl.json');
  writeFileSync(path, readDefinition());
  return path;
};
