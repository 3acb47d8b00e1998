import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../../cli/errors';
import { resolveTarget } from '../../../cli/target';
import { writeDeploymentFile } from '../../../local/deployment-file';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const cloudFormation = mockClient(CloudFormationClient);
const dataDir = temporaryFolderPerTest('docflow-target-');

beforeEach(async () => {
  cloudFormation.reset();
});

describe('resolveTarget', () => {
  it('connects to the local cloud of the deployment file, --endpoint and --region winning', async () => {
    // Prepare
    await writeDeploymentFile(dataDir(), {
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      apiUrl: 'http://127.0.0.1:4567/v1/',
      outputs: { UploadsBucketName: 'local-uploads' },
    });

    // Act
    const plain = await resolveTarget({}, dataDir());
    const moved = await resolveTarget({ endpoint: 'http://127.0.0.1:9999' }, dataDir());

    // Assess
    expect([plain.kind, plain.description, plain.uploader.bucket]).toEqual([
      'local',
      'the local cloud at http://127.0.0.1:4566',
      'local-uploads',
    ]);
    expect(moved.description).toBe('the local cloud at http://127.0.0.1:9999');
    expect(() => plain.failedDocuments()).toThrow('has no output FailedDocumentsQueueUrl');
    plain.close();
    moved.close();
  });

  it('says how to start the local cloud when there is no deployment file', async () => {
    // Act & Assess
    await expect(resolveTarget({}, dataDir())).rejects.toThrow(
      new CliError(
        `the local cloud is not running (there is no ${join(dataDir(), 'deployment.json')}).\n` +
          'Start it with `npm start` (or `npx docflow up`), or use --stack <name> for a deployed stack.',
      ),
    );
  });

  it('reads a deployed stack’s outputs with DescribeStacks', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Docflow-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Docflow-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'UploadsBucketName', OutputValue: 'docflow-prod-uploads-abc' },
            { OutputKey: 'ApiUrl', OutputValue: 'https://a1b2c3.execute-api.eu-west-1.amazonaws.com/v1/' },
            {
              OutputKey: 'FailedDocumentsQueueUrl',
              OutputValue: 'https://sqs.eu-west-1.amazonaws.com/1/failed',
            },
          ],
        },
      ],
    });

    // Act
    const target = await resolveTarget({ stack: 'Docflow-prod', region: 'eu-west-1' }, dataDir());

    // Assess
    expect([target.kind, target.description, target.uploader.bucket]).toEqual([
      'stack',
      'stack Docflow-prod in eu-west-1',
      'docflow-prod-uploads-abc',
    ]);
    expect(target.failedDocuments()).toBeDefined();
    target.close();
  });

  it('names a stack that does not exist, and the region it looked in', async () => {
    // Prepare
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));

    // Act & Assess
    await expect(resolveTarget({ stack: 'Nope', region: 'eu-west-1' }, dataDir())).rejects.toThrow(
      new CliError('stack Nope does not exist in eu-west-1 (deploy it, or pass --region)'),
    );
  });
});
