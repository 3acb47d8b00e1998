import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { projectCacheFolder } from '../project-cache';

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
    const entry = createRequire(import.meta.url).resolve('aws-local-stepfunctions');
    const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    interpreterVersion = manifest.version;
  }
  return interpreterVersion;
};

/** The name a definition accepted once is remembered by. */
export const validationKeyOf = (definition: StateMachineDefinition): string =>
  createHash('sha256')
    .update(`${versionOfInterpreter()}\n${JSON.stringify(definition)}`)
    .digest('hex');

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
