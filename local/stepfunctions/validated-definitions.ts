import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { projectCacheFolder } from '../project-cache';
import { definitionHash } from './execution-store';

/**
 * aws-local-stepfunctions validates a definition (asl-validator, on ajv) each time it builds a
 * `StateMachine`: ~0.5 s of CPU, a tenth of `docflow up`'s start, for a definition that changes only
 * when the ASL does. A definition it accepted once is remembered, by the hash of its text and the
 * interpreter's version, in this process and in node_modules/.cache (which a reinstall empties), and is
 * built again without validating. One it refused is never remembered: it is refused again, with the same
 * errors.
 */
export const VALIDATED_DEFINITIONS_FOLDER = projectCacheFolder('asl-validated');

let interpreterVersion: string | undefined;

/** The installed aws-local-stepfunctions' version (its package.json is not among its exports). */
const versionOfInterpreter = (): string => {
  if (interpreterVersion === undefined) {
    const manifest = findPackageJSON('aws-local-stepfunctions', import.meta.url);
    if (!manifest) throw new Error('aws-local-stepfunctions has no package.json');
    interpreterVersion = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  return interpreterVersion;
};

/** The name a definition accepted once is remembered by. */
export const validationKeyOf = (definition: StateMachineDefinition): string =>
  definitionHash(`${versionOfInterpreter()}\n${JSON.stringify(definition)}`);

const validatedHere = new Set<string>();

/** Builds the interpreter of a definition, validating it unless it was accepted before; throws if refused. */
export const buildStateMachine = (definition: StateMachineDefinition): StateMachine => {
  const key = validationKeyOf(definition);
  const marker = join(VALIDATED_DEFINITIONS_FOLDER, key);
  if (validatedHere.has(key) || existsSync(marker)) {
    return new StateMachine(definition, { validationOptions: { noValidate: true } });
  }
  const machine = new StateMachine(definition);
  validatedHere.add(key);
  try {
    mkdirSync(VALIDATED_DEFINITIONS_FOLDER, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    // Only a cache: the next start validates again.
  }
  return machine;
};
