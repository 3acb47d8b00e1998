import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_METADATA_KEY } from '../../../../infra/keys';
import type { DeploymentPlan } from '../../../../local/deploy/steps';
import { type SynthesizedStack, synthesizeApp } from '../../../../local/deploy/synth';
import { type CfnResource, type CfnTemplate, TemplateError } from '../../../../local/deploy/template';
import { planOf, stepsOf, templateResources, withResources } from '../../../support/deploy-plan';

let synth: SynthesizedStack;
let plan: DeploymentPlan;

beforeAll(() => {
  synth = synthesizeApp();
  plan = planOf(synth);
}, 60_000);

const planError = (template: CfnTemplate): TemplateError => {
  try {
    planOf(synth, {}, template);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('the plan succeeded');
};

const firstOf = (type: string): string => {
  const [id] = Object.keys(templateResources(synth.template, type));
  if (id === undefined) throw new Error(`the template has no ${type}`);
  return id;
};

/** The app's resource of that logical id. */
const resourceOf = (id: string): CfnResource => {
  const resource = synth.template.Resources[id];
  if (!resource) throw new Error(`the template has no ${id}`);
  return resource;
};

/** The app's template with `resources` added, or put in place of those of the same logical id. */
const appWith = (resources: Readonly<Record<string, CfnResource>>): CfnTemplate =>
  withResources(synth.template, resources);

describe('a template the CDK app does not produce today', () => {
  it('refuses an unsupported resource type, naming the type and the logical id', () => {
    // Prepare
    const template = appWith({
      ExtraVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    });

    // Act
    const error = planError(template);

    // Assess
    expect(error.message).toContain('ExtraVpc');
    expect(error.message).toContain('AWS::EC2::VPC');
    expect(error.message).toMatch(/does not support/);
  });

  it('deploys a queue added to the app, with its redrive policy, without touching local/', () => {
    // Prepare
    const deadLetter = firstOf('AWS::SQS::Queue');
    const template = appWith({
      ReportsQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 42,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetter, 'Arn'] }, maxReceiveCount: 3 },
        },
      },
    });

    // Act
    const extended = planOf(synth, {}, template);

    // Assess
    const queue = stepsOf(extended, 'queue').find((step) => step.logicalId === 'ReportsQueue');
    expect(queue?.queueName).toMatch(new RegExp(`^${synth.stackName}-ReportsQueue-[A-Z0-9]{12}$`));
    expect(queue?.attributes.VisibilityTimeout).toBe('42');
    expect(queue?.redrivePolicy).toEqual({
      deadLetterTargetArn: plan.resources[deadLetter]?.arn,
      maxReceiveCount: 3,
    });
    expect(stepsOf(extended, 'queue')).toHaveLength(stepsOf(plan, 'queue').length + 1);
  });

  it('refuses a redrive policy whose dead-letter queue is not in the template', () => {
    // Prepare
    const template = appWith({
      Orphan: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          RedrivePolicy: {
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:elsewhere',
            maxReceiveCount: 3,
          },
        },
      },
    });

    // Assess
    expect(planError(template).message).toMatch(
      /Orphan \(AWS::SQS::Queue\).*elsewhere is not a queue of this template/,
    );
  });

  it('refuses an intrinsic function it does not know, naming it and the resource', () => {
    // Prepare
    const template = appWith({
      OddQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } },
      },
    });

    // Act
    const error = planError(template);

    // Assess
    expect(error.message).toContain('Fn::Cidr');
    expect(error.message).toContain('OddQueue (AWS::SQS::Queue)');
  });

  it('refuses an attribute it cannot give, naming it', () => {
    // Prepare
    const table = firstOf('AWS::DynamoDB::Table');
    const template = appWith({
      StreamQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: { 'Fn::GetAtt': [table, 'StreamArn'] } },
      },
    });

    // Assess
    expect(planError(template).message).toMatch(new RegExp(`StreamQueue.*${table}\\.StreamArn`));
  });

  it('refuses a function that does not name its TypeScript entry', () => {
    // Prepare
    const id = firstOf('AWS::Lambda::Function');
    const original = resourceOf(id);
    const template = appWith({ [id]: { ...original, Metadata: {} } });

    // Act
    const error = planError(template);

    // Assess
    expect(error.message).toContain(id);
    expect(error.message).toContain(ENTRY_METADATA_KEY);
  });

  it('refuses a function whose bundle is not in the asset folder, or whose code is not an asset', () => {
    // Prepare
    const id = firstOf('AWS::Lambda::Function');
    const original = resourceOf(id);
    const withCode = (Code: unknown) =>
      appWith({ [id]: { ...original, Properties: { ...original.Properties, Code } } });
    const unbuilt = withCode({ S3Bucket: 'assets', S3Key: `${'0'.repeat(64)}.zip` });
    const inline = withCode({ ZipFile: 'exports.handler = async () => {}' });

    // Assess
    expect(planError(unbuilt).message).toMatch(
      new RegExp(
        `asset\\.${'0'.repeat(64)} \\(the bundle of lambdas/[a-z-]+/handler\\.ts\\) is not in .*cdk\\.out`,
      ),
    );
    expect(planError(inline).message).toMatch(/Code\.S3Key.*must be the S3 key of a synthesized asset/);
  });

  it('refuses bucket notifications to a function, which the local S3 cannot deliver', () => {
    // Prepare
    const fn = firstOf('AWS::Lambda::Function');
    const template = appWith({
      InboxBucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          NotificationConfiguration: {
            LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Function: { 'Fn::GetAtt': [fn, 'Arn'] } }],
          },
        },
      },
    });

    // Assess
    expect(planError(template).message).toMatch(
      /InboxBucket \(AWS::S3::Bucket\).*LambdaConfigurations: the local S3 sends notifications to queues and topics only/,
    );
  });

  it('merges a bucket’s own notification configuration with CDK’s custom resource', () => {
    // Prepare
    const [notification] = stepsOf(plan, 'bucketNotification');
    const bucket = Object.entries(plan.resources).find(
      ([, resource]) => resource.physicalId === notification?.bucketName,
    )?.[0];
    const topic = firstOf('AWS::SNS::Topic');
    if (!bucket) throw new Error('no notified bucket');
    const original = resourceOf(bucket);
    const template = appWith({
      [bucket]: {
        ...original,
        Properties: {
          ...original.Properties,
          NotificationConfiguration: {
            TopicConfigurations: [
              {
                Event: 's3:ObjectRemoved:*',
                Topic: { Ref: topic },
                Filter: { S3Key: { Rules: [{ Name: 'suffix', Value: '.pdf' }] } },
              },
            ],
          },
        },
      },
    });

    // Act
    const merged = stepsOf(planOf(synth, {}, template), 'bucketNotification');

    // Assess
    expect(merged).toHaveLength(1);
    expect(merged[0]?.rules).toEqual([
      {
        destination: { kind: 'topic', arn: plan.resources[topic]?.arn },
        events: ['s3:ObjectRemoved:*'],
        filter: { suffix: '.pdf' },
      },
      ...(notification?.rules ?? []),
    ]);
  });

  it('leaves out a resource whose condition is false', () => {
    // Prepare
    const template = {
      ...appWith({
        MaybeQueue: { Type: 'AWS::SQS::Queue', Condition: 'IsProduction', Properties: {} },
      }),
      Conditions: { IsProduction: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-north-1'] } },
    };

    // Act
    const local = planOf(synth, {}, template);
    const production = planOf(synth, { region: 'eu-north-1' }, template);

    // Assess
    expect(local.resources.MaybeQueue).toBeUndefined();
    expect(production.resources.MaybeQueue?.type).toBe('AWS::SQS::Queue');
  });

  it('refuses a circular dependency, naming the resources', () => {
    // Prepare
    const template = appWith({
      LoopA: { Type: 'AWS::SQS::Queue', DependsOn: 'LoopB', Properties: {} },
      LoopB: { Type: 'AWS::SQS::Queue', DependsOn: 'LoopA', Properties: {} },
    });

    // Assess
    expect(planError(template).message).toMatch(/circular dependency between .*LoopA, LoopB/);
  });
});
