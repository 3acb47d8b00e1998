import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackOutputs } from '../../../../cli/adapters/cloudformation-outputs';
import { LocalCloudFormation } from '../../../../local/cloudformation/service';
import type { Deployment } from '../../../../local/deploy/apply';
import { TEST_AWS } from '../../../support/aws';

const DEPLOYMENT: Deployment = {
  stackName: 'Docflow-test',
  region: TEST_AWS.region,
  accountId: '000000000000',
  outputs: { UploadsBucketName: 'docflow-test-uploads-abc', ApiUrl: 'http://127.0.0.1:4567/v1/' },
  resources: {
    DocumentStoreUploads: { type: 'AWS::S3::Bucket', physicalId: 'docflow-test-uploads-abc' },
    IngestQueue: { type: 'AWS::SQS::Queue', physicalId: 'docflow-test-ingest', url: 'http://q' },
  },
  notes: {},
};

let server: Server;
let client: CloudFormationClient;
const service = new LocalCloudFormation();

beforeAll(async () => {
  server = createServer(service.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new CloudFormationClient({ ...TEST_AWS, endpoint: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

describe('local CloudFormation, through the real SDK client', () => {
  it('answers a stack it has not deployed yet as CloudFormation does, which the CLI turns into its own error', async () => {
    // Act
    const describing = client.send(new DescribeStacksCommand({ StackName: 'Docflow-test' }));

    // Assess
    await expect(describing).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id Docflow-test does not exist',
    });
    expect((await client.send(new ListStacksCommand({}))).StackSummaries ?? []).toEqual([]);
  });

  it('describes the deployed stack with its outputs, by name and by id', async () => {
    // Prepare
    service.publish(DEPLOYMENT, new Date('2026-12-07T01:00:00.000Z'));

    // Act
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: 'Docflow-test' }));
    const [stack] = Stacks;
    const byId = await client.send(new DescribeStacksCommand({ StackName: stack?.StackId ?? '' }));

    // Assess
    expect(Stacks).toHaveLength(1);
    expect(stack).toMatchObject({
      StackName: 'Docflow-test',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date('2026-12-07T01:00:00.000Z'),
      StackId: expect.stringMatching(
        /^arn:aws:cloudformation:us-east-1:000000000000:stack\/Docflow-test\/[0-9a-f-]{36}$/,
      ),
    });
    expect(stack?.Outputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ OutputKey: 'UploadsBucketName', OutputValue: 'docflow-test-uploads-abc' }),
        expect.objectContaining({ OutputKey: 'ApiUrl', OutputValue: 'http://127.0.0.1:4567/v1/' }),
      ]),
    );
    expect(byId.Stacks?.[0]?.StackName).toBe('Docflow-test');
    expect(await stackOutputs(client, 'Docflow-test')).toMatchObject(DEPLOYMENT.outputs);
  });

  it('lists the stack’s resources with their physical ids', async () => {
    // Prepare
    service.publish(DEPLOYMENT);

    // Act
    const listed = await client.send(new ListStackResourcesCommand({ StackName: 'Docflow-test' }));
    const one = await client.send(
      new DescribeStackResourcesCommand({ StackName: 'Docflow-test', LogicalResourceId: 'IngestQueue' }),
    );

    // Assess
    expect(
      listed.StackResourceSummaries?.map((resource) => [
        resource.LogicalResourceId,
        resource.PhysicalResourceId,
      ]),
    ).toEqual([
      ['DocumentStoreUploads', 'docflow-test-uploads-abc'],
      ['IngestQueue', 'docflow-test-ingest'],
    ]);
    expect(one.StackResources?.map((resource) => resource.ResourceType)).toEqual(['AWS::SQS::Queue']);
  });

  it('refuses, by name, an action it does not answer: nothing is deployed through it', async () => {
    // Prepare
    const { port } = server.address() as AddressInfo;

    // Act
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateStack&Version=2010-05-15&StackName=Other',
    });

    // Assess
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('<Code>InvalidAction</Code>');
    expect(body).toContain('does not answer &quot;CreateStack&quot;');
  });
});
