import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll } from 'vitest';
import { DocflowFunction } from '../../infra/constructs/docflow-function';
import { type BuildOptions, synthDocflowTemplate } from './docflow-app';

/** The synthesized app, its template and the queries bound to it, shared by a describe block's tests. */
export type SynthesizedDocflow = ReturnType<typeof synthDocflowTemplate>;

/**
 * Synthesizes the docflow app once before the enclosing describe block's tests (a synth takes
 * seconds, too slow to repeat per test) and returns the object its app, stack, template and template
 * queries are found on once that hook has run. Register it before any `beforeAll` of the block that reads it.
 */
export const synthesizeBeforeAll = (options?: BuildOptions): SynthesizedDocflow => {
  const synthesized: Partial<SynthesizedDocflow> = {};
  beforeAll(() => {
    Object.assign(synthesized, synthDocflowTemplate(options));
  }, 60_000);
  return synthesized as SynthesizedDocflow;
};

/**
 * Matches the resource-policy statement that denies every request made without TLS
 * (`aws:SecureTransport` false), with whatever else the statement must hold (its action, principal).
 */
export const deniesWithoutTls = (statement: Record<string, unknown> = {}) =>
  Match.objectLike({ Effect: 'Deny', ...statement, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });

/** Every DocflowFunction under a construct (the stack): the functions a bundle or default must cover. */
export const docflowFunctionsOf = (scope: IConstruct): DocflowFunction[] =>
  scope.node
    .findAll()
    .filter((construct): construct is DocflowFunction => construct instanceof DocflowFunction);
