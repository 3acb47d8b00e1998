import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { buildDocflowApp, readCdkJsonContext, SKIP_BUNDLING_CONTEXT } from '../../infra/build-app';
import { DocflowFunction, PROJECT_ROOT } from '../../infra/constructs/docflow-function';
import { ASSET_FOLDER, bundleFunctions } from './function-bundles';
import { asTemplate, type CfnTemplate } from './template';

/** File assets larger than this are not read into memory (definitions are a few kilobytes). */
const MAX_FILE_ASSET_BYTES = 4 * 1024 * 1024;

export interface SynthOptions {
  /** Context on top of cdk.json's, as `cdk synth -c key=value` gives it. */
  readonly context?: Readonly<Record<string, unknown>>;
  /** @default the repository root: cdk.json and the function entries are read from here */
  readonly projectRoot?: string;
  /** Progress of steps that take time (bundling). @default silent */
  readonly log?: (line: string) => void;
}

/** The synthesized stack, detached from the assembly folder (which is removed). */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Contents of the stack's file assets by S3 object key (the state machine definition). */
  readonly fileAssets: Readonly<Record<string, string>>;
  /** Function entries in the template's metadata are relative to this folder. */
  readonly projectRoot: string;
  /** Where the functions' assets are (`asset.<hash>` folders, the template's S3 keys): the project's `cdk.out`. */
  readonly assetDirectory: string;
}

/**
 * Synthesizes the docflow app in this process, built by {@link buildDocflowApp} as `cdk synth` builds
 * it, and returns the template `cdk synth` writes: every function's code is
 * its bundle in the project's `cdk.out`, built by the function's own construct as `cdk synth` builds
 * it (and reused while its inputs are unchanged). cdk-nag and CDK's template validation are left out:
 * they add findings, not resources, and `cdk synth` runs them.
 */
export const synthesizeApp = (options: SynthOptions = {}): SynthesizedStack => {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  const outdir = mkdtempSync(join(tmpdir(), 'docflow-synth-'));
  const cdkJsonContext = readCdkJsonContext(projectRoot);
  try {
    const { app, stack } = buildDocflowApp({
      outdir,
      // Template validation (a WASM rules engine) takes most of the synth time and changes nothing in the
      // template; `cdk synth` and the infra tests run it.
      builtinCloudFormationValidation: false,
      treeMetadata: false,
      context: { ...cdkJsonContext, ...options.context, ...SKIP_BUNDLING_CONTEXT },
      nag: false,
    });
    const assembly = app.synth();
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const template = asTemplate(artifact.template);
    const functions = stack.node
      .findAll()
      .filter((construct): construct is DocflowFunction => construct instanceof DocflowFunction);
    const bundles = bundleFunctions(
      functions.map((fn) => ({ name: fn.name, nativePackages: fn.nativePackages })),
      { projectRoot, context: cdkJsonContext, ...(options.log ? { log: options.log } : {}) },
    );
    for (const fn of functions) {
      const logicalId = stack.resolve(
        stack.getLogicalId(fn.function.node.defaultChild as CfnFunction),
      ) as string;
      const code = template.Resources[logicalId]?.Properties?.Code as Record<string, unknown> | undefined;
      const bundle = bundles.get(fn.name);
      if (!code || !bundle) throw new Error(`the synthesized template has no code for function ${fn.name}`);
      code.S3Key = `${bundle.assetHash}.zip`;
    }
    return {
      stackName: artifact.stackName,
      template,
      fileAssets: readFileAssets(
        assembly.directory,
        artifact.dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact),
      ),
      projectRoot,
      assetDirectory: join(projectRoot, ASSET_FOLDER),
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
