import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildStateMachine,
  VALIDATED_DEFINITIONS_FOLDER,
  validationKeyOf,
} from '../../../../local/stepfunctions/validated-definitions';

/** A definition of this test alone, so that no other test's cache entry answers for it. */
const definitionWith = (result: string, extra: Record<string, unknown> = {}): StateMachineDefinition =>
  ({
    StartAt: 'Done',
    States: { Done: { Type: 'Pass', Result: `${result}-${process.pid}-${Date.now()}`, End: true, ...extra } },
  }) as unknown as StateMachineDefinition;

const markers: string[] = [];
const markerOf = (definition: StateMachineDefinition): string => {
  const marker = join(VALIDATED_DEFINITIONS_FOLDER, validationKeyOf(definition));
  markers.push(marker);
  return marker;
};

afterEach(() => {
  for (const marker of markers.splice(0)) rmSync(marker, { force: true });
});

describe('buildStateMachine', () => {
  it('remembers a definition it accepted, by its text', async () => {
    // Prepare
    const definition = definitionWith('valid');
    const marker = markerOf(definition);

    // Act
    const machine = buildStateMachine(definition);

    // Assess
    expect(existsSync(marker)).toBe(true);
    await expect(machine.run({}).result).resolves.toMatch(/^valid-/);
  });

  it('refuses an invalid definition every time, and never remembers it', () => {
    // Prepare: a Pass state cannot also be Next and End
    const definition = definitionWith('invalid', { Next: 'Done' });
    const marker = markerOf(definition);

    // Act
    const first = () => buildStateMachine(definition);
    const second = () => buildStateMachine(definition);

    // Assess
    expect(first).toThrow(/State machine definition is invalid/);
    expect(second).toThrow(/State machine definition is invalid/);
    expect(existsSync(marker)).toBe(false);
  });

  it('does not validate a definition it remembers again', () => {
    // Prepare: an invalid definition planted as remembered shows that the validator is not asked
    const definition = definitionWith('planted', { Next: 'Done' });
    const marker = markerOf(definition);
    mkdirSync(VALIDATED_DEFINITIONS_FOLDER, { recursive: true });
    writeFileSync(marker, '');

    // Act
    const build = () => buildStateMachine(definition);

    // Assess
    expect(build).not.toThrow();
  });
});
