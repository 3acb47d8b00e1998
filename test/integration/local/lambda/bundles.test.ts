import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCdkJsonContext } from '../../../../infra/build-app';
import { readConfig } from '../../../../infra/config';
import {
  bundlingOptions,
  DocflowFunction,
  NATIVE_PACKAGES,
  PROJECT_ROOT,
} from '../../../../infra/constructs/docflow-function';
import { DocflowStack } from '../../../../infra/stacks/docflow-stack';
import { ASSET_FOLDER, withBundlingLock } from '../../../../local/deploy/function-bundles';
import { type SynthesizedStack, synthesizeApp } from '../../../../local/deploy/synth';
import { FunctionStartError } from '../../../../local/lambda/invoke-errors';
import { LambdaRunner } from '../../../../local/lambda/runner';
import { fixtureFunction, fixtureHandler } from '../../../fixtures/lambda-handlers/bundle';
import { planOf, stepsOf, templateResources } from '../../../support/deploy-plan';
import { failureOf } from '../../../support/failure-of';

describe('a bundling mistake', () => {
  // Built inside the project, as cdk.out is: Node's upward lookup from the asset reaches the project's
  // node_modules, which has zod.
  const outdir = mkdtempSync(join(PROJECT_ROOT, ASSET_FOLDER, 'test-bundling-mistake-'));
  const runner = new LambdaRunner({ environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' } });

  beforeAll(() => {
    // Prepare: the same handler bundled right, and with zod left external but not installed.
    const stack = new Stack(new App({ outdir, context: readCdkJsonContext() }), 'Mistake');
    const assetOf = (id: string, externalModules: readonly string[]): string => {
      const built = new NodejsFunction(stack, id, {
        entry: fixtureHandler('needs-zod.ts'),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
        bundling: { ...bundlingOptions([]), externalModules: [...externalModules] },
      });
      const { s3Key } = stack.resolve((built.node.defaultChild as lambda.CfnFunction).code) as {
        s3Key: string;
      };
      return join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    };
    runner.register(fixtureFunction(assetOf('Right', NATIVE_PACKAGES), 'right'));
    runner.register(fixtureFunction(assetOf('Mistaken', [...NATIVE_PACKAGES, 'zod']), 'mistaken'), {
      prewarm: true,
    });
  });

  afterAll(async () => {
    await runner.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('fails the invocation with Runtime.ImportModuleError, as Lambda does, where the right bundle runs', async () => {
    // Act
    const right = await runner.invoke('right', { name: 'docflow' });
    const error = await failureOf(runner.invoke('mistaken', { name: 'docflow' }));

    // Assess
    expect(right).toEqual({ greeting: 'hello docflow' });
    expect(error.name).toBe('Runtime.ImportModuleError');
    expect(error.message).toMatch(/^Error: Cannot find package 'zod' imported from .*\/index\.mjs/);
  });

  it('fails the start of its function with one line naming it and the missing package', async () => {
    // Act
    const error = await failureOf(runner.started());

    // Assess
    expect(error).toBeInstanceOf(FunctionStartError);
    expect(error.message).toMatch(
      /^function mistaken cannot start: Runtime\.ImportModuleError: Error: Cannot find package 'zod' imported from \S+\/index\.mjs \(outside the function’s asset, where Lambda would not look\)$/,
    );
    expect(error.stack).not.toContain('\n');
  });
});

describe('the bundles of the docflow app', () => {
  let synth: SynthesizedStack;

  beforeAll(() => {
    synth = synthesizeApp();
  }, 180_000);

  it('are the assets `cdk synth` builds: the template’s S3 keys equal those of a full bundling synth', {
    timeout: 240_000,
  }, () => {
    // Prepare
    const assetFolder = join(PROJECT_ROOT, ASSET_FOLDER);

    // Act: bundling on, into cdk.out, as the CDK CLI runs the app (constructing it bundles every asset).
    const expected = withBundlingLock(assetFolder, () => {
      // Bundled anew, not taken from what this process staged before.
      AssetStaging.clearAssetHashCache();
      const app = new App({ outdir: assetFolder, context: readCdkJsonContext() });
      const config = readConfig((key) => app.node.tryGetContext(key));
      const stack = new DocflowStack(app, `Docflow-${config.stage}`, { config });
      return Object.fromEntries(
        stack.node
          .findAll()
          .filter((construct): construct is DocflowFunction => construct instanceof DocflowFunction)
          .map((fn) => {
            const cfn = fn.function.node.defaultChild as lambda.CfnFunction;
            const code = stack.resolve(cfn.code) as { s3Key: string };
            return [stack.resolve(stack.getLogicalId(cfn)) as string, code.s3Key];
          }),
      );
    });

    // Assess
    const actual = Object.fromEntries(
      Object.entries(templateResources(synth.template, 'AWS::Lambda::Function'))
        .filter(([id]) => id in expected)
        .map(([id, resource]) => [id, (resource.Properties?.Code as { S3Key?: string } | undefined)?.S3Key]),
    );
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(7);
    expect(actual).toEqual(expected);
  });

  it('each start from their asset in the local runner, native packages included', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const runner = new LambdaRunner({
      environment: {
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });
    const functions = stepsOf(planOf(synth), 'function');

    try {
      // Act
      for (const step of functions) runner.register(step, { prewarm: true });

      // Assess
      await expect(runner.started()).resolves.toBeUndefined();
      expect(functions.map((step) => step.sourceEntry).sort()).toEqual(
        expect.arrayContaining(['lambdas/inspect/handler.ts', 'lambdas/starter/handler.ts']),
      );
    } finally {
      await runner.close();
    }
  });
});
