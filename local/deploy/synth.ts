import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { App, Tags } from 'aws-cdk-lib';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { readConfig } from '../../infra/config';
import { PROJECT_ROOT } from '../../infra/constructs/pipeline-function';
import { DocflowStack } from '../../infra/stacks/docflow-stack';
import { asTemplate, type CfnTemplate } from './template';

/** CDK context that skips asset bundling for every stack: the local cloud runs the TypeScript entries. */
export const SKIP_BUNDLING_CONTEXT = { 'aws:cdk:bundling-stacks': [] } as const;

/** File assets larger than this are not read into memory (definitions are a few kilobytes). */
const MAX_FILE_ASSET_BYTES = 4 * 1024 * 1024;

export interface SynthOptions {
  /** Context on top of cdk.json's, as `cdk synth -c key=value` gives it. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** @default the repository root: cdk.json and the function entries are read from here */
  readonly projectRoot?: string;
}

/** The synthesized stack, detached from the assembly folder (which is removed). */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Contents of the stack's file assets by S3 object key (the state machine definition). */
  readonly fileAssets: Readonly<Record<string, string>>;
  /** Function entries in the template's metadata are relative to this folder. */
  readonly projectRoot: string;
}

/** The `context` of cdk.json, as the CDK CLI passes it to the app. */
export const readCdkJsonContext = (projectRoot: string = PROJECT_ROOT): Record<string, unknown> => {
  const parsed = JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context?: unknown };
  const context = parsed.context;
  return typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
};

/**
 * Synthesizes the docflow app in this process, as infra/app.ts composes it (same config, same stack
 * class and name, same tags), with bundling skipped, and returns its template. cdk-nag and CDK's template
 * validation are left out: they add findings, not resources, and `cdk synth` runs them.
 */
export const synthesizeApp = (options: SynthOptions = {}): SynthesizedStack => {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  const outdir = mkdtempSync(join(tmpdir(), 'docflow-synth-'));
  try {
    const app = new App({
      outdir,
      // Template validation (a WASM rules engine) takes most of the synth time and changes nothing in the
      // template; `cdk synth` and the infra tests run it.
      builtinCloudFormationValidation: false,
      treeMetadata: false,
      context: { ...readCdkJsonContext(projectRoot), ...options.context, ...SKIP_BUNDLING_CONTEXT },
    });
    const config = readConfig((key) => app.node.tryGetContext(key));
    const stack = new DocflowStack(app, `Docflow-${config.stage}`, {
      description: `docflow document pipeline (${config.stage})`,
      config,
    });
    Tags.of(stack).add('project', 'docflow');
    Tags.of(stack).add('stage', config.stage);
    const assembly = app.synth();
    const artifact = assembly.getStackArtifact(stack.artifactId);
    return {
      stackName: artifact.stackName,
      template: asTemplate(artifact.template),
      fileAssets: readFileAssets(
        assembly.directory,
        artifact.dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact),
      ),
      projectRoot,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

/** Single-file assets of the manifests, by destination object key. Directory and zip assets are skipped. */
const readFileAssets = (
  directory: string,
  manifests: readonly AssetManifestArtifact[],
): Record<string, string> => {
  const assets: Record<string, string> = {};
  for (const manifest of manifests) {
    for (const asset of Object.values(manifest.contents.files ?? {})) {
      const { path, packaging } = asset.source;
      if (path === undefined || (packaging !== undefined && packaging !== 'file')) continue;
      const file = isAbsolute(path) ? path : join(directory, path);
      const stats = statSync(file, { throwIfNoEntry: false });
      if (!stats?.isFile() || stats.size > MAX_FILE_ASSET_BYTES) continue;
      const contents = readFileSync(file, 'utf8');
      for (const destination of Object.values(asset.destinations)) assets[destination.objectKey] = contents;
    }
  }
  return assets;
};
