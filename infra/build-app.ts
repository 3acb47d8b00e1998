import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps, Tags } from 'aws-cdk-lib';
import { applyNagPacks } from './compliance';
import { type DocflowConfig, readConfig } from './config';
import { PROJECT_ROOT } from './constructs/docflow-function';
import { DocflowStack } from './stacks/docflow-stack';

/**
 * CDK context that skips asset bundling for every stack: the local cloud bundles each function itself
 * (cached by its inputs) and template tests never run esbuild or npm.
 */
export const SKIP_BUNDLING_CONTEXT = { 'aws:cdk:bundling-stacks': [] } as const;

/** The `context` of cdk.json (feature flags and docflow settings), as the CDK CLI passes it to the app. */
export const readCdkJsonContext = (projectRoot: string = PROJECT_ROOT): Record<string, unknown> => {
  const parsed = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context?: unknown };
  const context = parsed.context;
  return typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
};

export interface DocflowAppProps extends AppProps {
  /**
   * Registers the cdk-nag packs: a finding that is neither fixed nor suppressed with a reason fails
   * the synth. They add findings, not resources, so the local cloud leaves them out.
   * @default true
   */
  readonly nag?: boolean;
}

export interface DocflowApp {
  readonly app: App;
  readonly stack: DocflowStack;
  readonly config: DocflowConfig;
}

/**
 * Composes the docflow app: the config read once from the app's context, one stack named after the
 * stage, tagged, with cdk-nag. `cdk synth` (infra/app.ts), the local cloud and the infra tests all
 * build it here, so what they synthesize cannot drift apart.
 */
export const buildDocflowApp = (props: DocflowAppProps = {}): DocflowApp => {
  const { nag = true, ...appProps } = props;
  const app = new App(appProps);
  const config = readConfig((key) => app.node.tryGetContext(key));
  // Environment-agnostic: the template synthesizes without an account and deploys to the one the CLI uses.
  const stack = new DocflowStack(app, `Docflow-${config.stage}`, {
    description: `docflow document pipeline (${config.stage})`,
    config,
  });
  Tags.of(stack).add('project', 'docflow');
  Tags.of(stack).add('stage', config.stage);
  if (nag) applyNagPacks(app);
  return { app, stack, config };
};
