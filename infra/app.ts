import { App, Tags } from 'aws-cdk-lib';
import { applyNagPacks } from './compliance';
import { readConfig } from './config';
import { DocflowStack } from './stacks/docflow-stack';

const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));

// Environment-agnostic: the template synthesizes without an account and deploys to the one the CLI uses.
const stack = new DocflowStack(app, `Docflow-${config.stage}`, {
  description: `docflow document pipeline (${config.stage})`,
  config,
});
Tags.of(stack).add('project', 'docflow');
Tags.of(stack).add('stage', config.stage);

// Always on: a finding that is neither fixed nor suppressed with a reason fails the synth.
applyNagPacks(app);
