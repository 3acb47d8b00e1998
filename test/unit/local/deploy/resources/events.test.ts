import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRY_METADATA_KEY } from '../../../../../infra/keys';
import { planDeployment } from '../../../../../local/deploy/plan';
import type { EventRuleStep, FunctionStep } from '../../../../../local/deploy/steps';
import type { CfnTemplate } from '../../../../../local/deploy/template';

const ASSET_HASH = 'a'.repeat(64);
// A project folder with the function's entry and its asset where `cdk synth` writes it (cdk.out).
const projectRoot = mkdtempSync(join(tmpdir(), 'docflow-rule-plan-'));
mkdirSync(join(projectRoot, 'cdk.out', `asset.${ASSET_HASH}`), { recursive: true });
mkdirSync(join(projectRoot, 'lambdas', 'record-cost'), { recursive: true });
writeFileSync(join(projectRoot, 'lambdas', 'record-cost', 'handler.ts'), 'export const handler = () => 0;\n');
afterAll(() => rmSync(projectRoot, { recursive: true, force: true }));

const STACK = 'Docflow-test';
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** A template like the one CDK synthesizes for `new Rule(...)` with a LambdaFunction target. */
const template = (rule: Record<string, unknown> = {}, target: Record<string, unknown> = {}): CfnTemplate => ({
  Resources: {
    RecordCost: {
      Type: 'AWS::Lambda::Function',
      Metadata: { [ENTRY_METADATA_KEY]: 'lambdas/record-cost/handler.ts' },
      Properties: {
        Code: { S3Bucket: 'cdk-assets', S3Key: `${ASSET_HASH}.zip` },
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        MemorySize: 512,
        Architectures: ['arm64'],
        DeadLetterConfig: { TargetArn: arnOf('FunctionDlq') },
      },
    },
    FunctionDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
    TargetDlq: { Type: 'AWS::SQS::Queue', Properties: {} },
    StatusRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
        },
        State: 'ENABLED',
        Targets: [
          {
            Arn: arnOf('RecordCost'),
            Id: 'Target0',
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
            DeadLetterConfig: { Arn: arnOf('TargetDlq') },
            ...target,
          },
        ],
        ...rule,
      },
    },
    RulePermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: { FunctionName: arnOf('RecordCost'), Principal: 'events.amazonaws.com' },
    },
  },
});

const plan = (cfn: CfnTemplate) =>
  planDeployment(cfn, {
    stackName: STACK,
    region: 'us-east-1',
    queueEndpoint: 'http://127.0.0.1:4566',
    projectRoot,
  });

const ruleOf = (cfn: CfnTemplate): EventRuleStep => {
  const step = plan(cfn).steps.find((candidate) => candidate.kind === 'eventRule');
  if (step?.kind !== 'eventRule') throw new Error('no rule step');
  return step;
};

describe('planDeployment: AWS::Events::Rule', () => {
  it('plans the rule after its function and queues, with its pattern, target, retry policy and dead-letter queue', () => {
    // Act
    const planned = plan(template());

    // Assess
    const kinds = planned.steps.map((step) => step.logicalId);
    expect(kinds.indexOf('StatusRule')).toBeGreaterThan(kinds.indexOf('RecordCost'));
    expect(kinds.indexOf('StatusRule')).toBeGreaterThan(kinds.indexOf('TargetDlq'));
    const rule = ruleOf(template());
    expect(rule).toMatchObject({
      name: expect.stringMatching(/^Docflow-test-StatusRule-[A-Z0-9]{12}$/),
      eventBusName: 'default',
      enabled: true,
      eventPattern: {
        source: ['aws.states'],
        detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      targets: [
        {
          id: 'Target0',
          arn: `arn:aws:lambda:us-east-1:000000000000:function:${planned.resources.RecordCost?.physicalId}`,
          retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeSeconds: 7200 },
          deadLetterQueueArn: planned.resources.TargetDlq?.arn,
        },
      ],
      notes: [],
    });
    expect(rule.arn).toBe(`arn:aws:events:us-east-1:000000000000:rule/${rule.name}`);
    expect(planned.acknowledged.map((resource) => resource.logicalId)).toEqual(['RulePermission']);
  });

  it('carries the function’s architectures and dead-letter queue for the Lambda API', () => {
    // Act
    const fn = plan(template()).steps.find((step): step is FunctionStep => step.kind === 'function');

    // Assess
    expect(fn?.architectures).toEqual(['arm64']);
    expect(fn?.deadLetterQueueArn).toMatch(/^arn:aws:sqs:us-east-1:000000000000:Docflow-test-FunctionDlq-/);
    expect(fn?.notes.some((note) => note.startsWith('DeadLetterConfig'))).toBe(false);
  });

  it('uses EventBridge’s default retry policy when the target sets none, and reads a JSON-text pattern', () => {
    // Act
    const rule = ruleOf(
      template(
        { EventPattern: '{"source":["aws.states"]}' },
        { RetryPolicy: undefined, DeadLetterConfig: undefined },
      ),
    );

    // Assess
    expect(rule.eventPattern).toEqual({ source: ['aws.states'] });
    expect(rule.targets[0]?.retryPolicy).toEqual({
      maximumRetryAttempts: 185,
      maximumEventAgeSeconds: 86_400,
    });
    expect(rule.targets[0]).not.toHaveProperty('deadLetterQueueArn');
  });

  it('notes what has no local effect', () => {
    // Act
    const rule = ruleOf(
      template({ RoleArn: 'arn:aws:iam::000000000000:role/r' }, { RoleArn: 'arn:aws:iam::0:role/t' }),
    );

    // Assess
    expect(rule.notes).toEqual([
      'RoleArn is not applied locally: the local cloud does not check permissions',
      'Targets[Target0].RoleArn is not applied locally: the local cloud does not check permissions',
    ]);
  });

  it.each([
    [
      'a scheduled rule',
      { ScheduleExpression: 'rate(5 minutes)' },
      {},
      /StatusRule.*ScheduleExpression.*scheduled rules/,
    ],
    ['another bus', { EventBusName: 'orders' }, {}, /EventBusName.*default bus only/],
    [
      'an invalid pattern',
      { EventPattern: { source: 'aws.states' } },
      {},
      /EventPattern.*"source" must be an object or an array/,
    ],
    [
      'a target outside the template',
      {},
      { Arn: 'arn:aws:lambda:us-east-1:1:function:x' },
      /not a Lambda function or SQS queue of this template/,
    ],
    [
      'a target setting with no local behaviour',
      {},
      { EcsParameters: {} },
      /EcsParameters is not supported locally/,
    ],
    [
      'a dead-letter queue outside the template',
      {},
      { DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:1:q' } },
      /not an SQS queue of this template/,
    ],
    [
      'two kinds of input',
      {},
      { Input: '{}', InputPath: '$.detail' },
      /only one of Input, InputPath and InputTransformer/,
    ],
  ])('refuses %s, naming it', (_, rule, target, message) => {
    // Act and assess
    expect(() => plan(template(rule, target))).toThrow(message);
  });
});
