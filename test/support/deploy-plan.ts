import { type PlanOptions, planDeployment } from '../../local/deploy/plan';
import type { DeploymentPlan, DeployStep } from '../../local/deploy/steps';
import { type SynthesizedStack, synthesizeApp } from '../../local/deploy/synth';
import type { CfnResource, CfnTemplate } from '../../local/deploy/template';

/** The gateway URL the local cloud prints; queue URLs in a plan are built on it. */
export const TEST_QUEUE_ENDPOINT = 'http://127.0.0.1:4566';

/** Plans a synthesized stack as the local cloud does (us-east-1, the local account). */
export const planOf = (
  synth: SynthesizedStack,
  overrides: Partial<PlanOptions> = {},
  template: CfnTemplate = synth.template,
): DeploymentPlan =>
  planDeployment(template, {
    stackName: synth.stackName,
    region: 'us-east-1',
    queueEndpoint: TEST_QUEUE_ENDPOINT,
    projectRoot: synth.projectRoot,
    fileAssets: synth.fileAssets,
    ...overrides,
  });

/** Synthesizes the docflow app and plans it. */
export const synthAndPlan = (): { synth: SynthesizedStack; plan: DeploymentPlan } => {
  const synth = synthesizeApp();
  return { synth, plan: planOf(synth) };
};

/** The template's resources of one type, by logical id. */
export const templateResources = (template: CfnTemplate, type: string): Record<string, CfnResource> =>
  Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === type));

/** The plan's steps of one kind, typed. */
export const stepsOf = <K extends DeployStep['kind']>(
  plan: DeploymentPlan,
  kind: K,
): Extract<DeployStep, { kind: K }>[] =>
  plan.steps.filter((step): step is Extract<DeployStep, { kind: K }> => step.kind === kind);

/** A deep copy of a template with resources added or replaced (never mutates the synthesized one). */
export const withResources = (
  template: CfnTemplate,
  resources: Readonly<Record<string, CfnResource>>,
): CfnTemplate => {
  const copy = structuredClone(template) as { Resources: Record<string, CfnResource> } & CfnTemplate;
  Object.assign(copy.Resources, resources);
  return copy;
};
