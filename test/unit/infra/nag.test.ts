import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../../support/docflow-app';

interface Violation {
  readonly ruleName: string;
  readonly severity: string;
  readonly violatingResources?: { readonly constructPath: string }[];
  readonly violatingConstructs?: { readonly constructPath: string }[];
}

interface ValidationReport {
  readonly pluginReports: { readonly pluginName: string; readonly violations: Violation[] }[];
}

/** Synthesizes (which runs the validation plugins) and reads CDK's validation report. */
const synthAndReport = (outdir: string, synth: () => unknown): { threw: unknown; violations: string[] } => {
  let threw: unknown;
  try {
    synth();
  } catch (error) {
    threw = error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  const violations = report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      [...(violation.violatingResources ?? []), ...(violation.violatingConstructs ?? [])].map(
        (where) =>
          `${plugin.pluginName} ${violation.severity} ${violation.ruleName} at ${where.constructPath}`,
      ),
    ),
  );
  return { threw, violations };
};

const acknowledgementsOf = (root: IConstruct): { path: string; id: string; reason: string }[] =>
  root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib stores the id with an `Annotation::` prefix; cdk-nag strips it when matching.
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it('finds no unacknowledged error or warning in the stack', { timeout: 120_000 }, () => {
    // Prepare
    const { app } = buildTestApp({ nag: true });

    // Act
    const { threw, violations } = synthAndReport(app.outdir, () => app.synth());

    // Assess
    expect(violations).toEqual([]);
    expect(threw).toBeUndefined();
  });

  it('reports a finding the packs are expected to catch (the check is live)', { timeout: 120_000 }, () => {
    // Prepare: a bucket with none of the store's protections.
    const { app, stack } = buildTestApp({ nag: true });
    new s3.Bucket(stack, 'CarelessBucket', { enforceSSL: false });

    // Act
    const { threw, violations } = synthAndReport(app.outdir, () => app.synth());

    // Assess
    expect(violations).toEqual(
      expect.arrayContaining([
        `AwsSolutions error AwsSolutions-S10 at ${stack.node.path}/CarelessBucket/Resource`,
        `AwsSolutions error AwsSolutions-S1 at ${stack.node.path}/CarelessBucket/Resource`,
      ]),
    );
    expect(violations.every((violation) => violation.includes('CarelessBucket'))).toBe(true);
    expect(String(threw)).toMatch(/^ValidationFailed: .*CarelessBucket/s);
  });

  it('gives every acknowledgement a reason, and names the exact finding for wildcard and managed-policy rules', () => {
    // Prepare
    const { stack } = buildTestApp();

    // Act
    const acknowledgements = acknowledgementsOf(stack);

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason, path } of acknowledgements) {
      expect(reason.length, `${id} at ${path}`).toBeGreaterThanOrEqual(40);
      if (/-(IAM4|IAM5)/.test(id))
        expect(id, path).toMatch(/^AwsSolutions-IAM[45]\[(Resource|Action|Policy)::.+\]$/);
    }
  });

  it('acknowledges Resource "*" only on the roles whose statements need it, never for the whole stack', () => {
    // Prepare
    const { stack } = buildTestApp();

    // Act
    const anyResource = acknowledgementsOf(stack).filter(({ id }) => id === 'AwsSolutions-IAM5[Resource::*]');

    // Assess
    expect(anyResource.map(({ path }) => path).sort()).toEqual(
      [
        'CostAccounting/RecordCost',
        'Ingest/Starter',
        'QueryApi/Handler',
        'Workflow/ExtractText',
        'Workflow/IndexMetadata',
        'Workflow/Inspect',
        'Workflow/StateMachine',
        'Workflow/Default/TextractCallback',
        'Workflow/Thumbnail',
      ]
        .map((path) => `${stack.node.path}/${path}`)
        .sort(),
    );
  });
});
