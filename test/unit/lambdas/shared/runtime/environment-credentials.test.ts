import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { aliasesOf } from '../../../../../bench/bundles';
import { bundlingOptions, PROJECT_ROOT } from '../../../../../infra/constructs/docflow-function';
import { defaultProvider } from '../../../../../lambdas/shared/runtime/environment-credentials';

describe('the credential provider of the bundles', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('answers with the credentials Lambda puts in the environment', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('takes the place of the default chain in a bundle: no STS, SSO or ini provider goes in', {
    timeout: 60_000,
  }, async () => {
    // Act
    const result = await build({
      absWorkingDir: PROJECT_ROOT,
      stdin: {
        contents: "import { S3Client } from '@aws-sdk/client-s3'; export const s3 = new S3Client({});",
        resolveDir: PROJECT_ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      outfile: join(PROJECT_ROOT, 'cdk.out', 'credential-chain-test', 'index.mjs'),
      alias: aliasesOf(bundlingOptions([]).esbuildArgs),
      metafile: true,
      write: false,
      logLevel: 'silent',
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('lambdas/shared/runtime/environment-credentials.ts');
    expect(inputs.filter((input) => /credential-provider-(node|ini|sso)|nested-clients/.test(input))).toEqual(
      [],
    );
  });
});
