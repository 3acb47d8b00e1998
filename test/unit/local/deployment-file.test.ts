import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeploymentFileError,
  deploymentFilePath,
  type LocalDeployment,
  MissingStackOutputError,
  readDeploymentFile,
  removeDeploymentFile,
  requireOutput,
  writeDeploymentFile,
} from '../../../local/deployment-file';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const dataDir = temporaryFolderPerTest('docflow-deployment-');

const deployment: LocalDeployment = {
  endpoint: 'http://127.0.0.1:4566',
  region: 'us-east-1',
  apiUrl: 'http://127.0.0.1:4567/prod/',
  outputs: {
    UploadsBucketName: 'docflow-uploads-1a2b3c',
    ApiUrl: 'http://127.0.0.1:4567/prod/',
    FailedDocumentsQueueUrl: 'http://127.0.0.1:4566/000000000000/docflow-failed',
  },
};

describe('the deployment file', () => {
  it('round-trips through .docflow/deployment.json, created with its folder', async () => {
    // Prepare
    const nested = join(dataDir(), 'not-yet');

    // Act
    const path = await writeDeploymentFile(nested, deployment);
    const read = await readDeploymentFile(nested);

    // Assess
    expect(path).toBe(join(nested, 'deployment.json'));
    expect(read).toEqual(deployment);
  });

  it('is undefined when the local cloud is not up, and gone once removed', async () => {
    // Prepare
    await writeDeploymentFile(dataDir(), deployment);

    // Act
    await removeDeploymentFile(dataDir());
    await removeDeploymentFile(dataDir());

    // Assess
    expect(await readDeploymentFile(dataDir())).toBeUndefined();
  });

  it('refuses a file that is not JSON or not a deployment, naming what is wrong', async () => {
    // Prepare
    const other = await mkdtemp(join(tmpdir(), 'docflow-deployment-'));
    await writeFile(deploymentFilePath(dataDir()), '{"endpoint": "http://127.0.0.1:4566"');
    await writeFile(
      deploymentFilePath(other),
      JSON.stringify({ ...deployment, apiUrl: 'not a url', outputs: { A: 1 } }),
    );

    // Act & Assess
    await expect(readDeploymentFile(dataDir())).rejects.toThrow(DeploymentFileError);
    await expect(readDeploymentFile(other)).rejects.toThrow(/apiUrl: .*outputs\.A: /);
    await rm(other, { recursive: true, force: true });
  });

  it('refuses to write a malformed deployment', async () => {
    // Act & Assess
    await expect(writeDeploymentFile(dataDir(), { ...deployment, endpoint: '' })).rejects.toThrow();
    expect(await readDeploymentFile(dataDir())).toBeUndefined();
  });
});

describe('requireOutput', () => {
  it('returns an output or names the missing one and where', () => {
    // Act & Assess
    expect(requireOutput(deployment.outputs, 'UploadsBucketName', 'the local cloud')).toBe(
      'docflow-uploads-1a2b3c',
    );
    expect(() => requireOutput(deployment.outputs, 'StateMachineArn', 'stack Docflow in eu-west-1')).toThrow(
      new MissingStackOutputError(
        'stack Docflow in eu-west-1 has no output StateMachineArn: redeploy the stack (or restart the local cloud)',
      ),
    );
  });
});
