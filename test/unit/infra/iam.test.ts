import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_REQUIRING_ANY_RESOURCE } from '../../../infra/compliance';
import {
  actionsOf,
  iamStatements,
  resourcesOf,
  resourcesOfStatement,
  synthDocflowTemplate,
} from '../../support/docflow-app';

/**
 * The only actions an app-owned statement may grant on Resource "*": AWS accepts nothing narrower for
 * them (X-Ray tracing, CloudWatch Logs vended-log delivery used by Step Functions logging, Textract).
 */
const ALLOWED_ON_ANY_RESOURCE = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'textract:DetectDocumentText',
  'textract:StartDocumentTextDetection',
  'textract:GetDocumentTextDetection',
];

describe('IAM policies of the stack', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthDocflowTemplate());
  }, 60_000);

  it('never allow Action "*" or a service-wide or prefix wildcard action', () => {
    // Act
    const wildcards = iamStatements(template).flatMap(({ owner, statement }) =>
      actionsOf(statement)
        .filter((action) => action.includes('*'))
        .map((action) => `${owner}: ${action}`),
    );

    // Assess
    expect(wildcards).toEqual([]);
  });

  it('allow Resource "*" only for the actions AWS accepts on no narrower resource', () => {
    // Act
    const onAnyResource = iamStatements(template).flatMap(({ owner, statement }) =>
      resourcesOfStatement(statement).includes('*')
        ? actionsOf(statement).map((action) => ({ owner, action }))
        : [],
    );

    // Assess
    expect(onAnyResource.length).toBeGreaterThan(0);
    expect(onAnyResource.filter(({ action }) => !ALLOWED_ON_ANY_RESOURCE.includes(action))).toEqual([]);
  });

  it('documents the same allowed list the nag acknowledgements rely on', () => {
    // Assess
    expect([...ACTIONS_REQUIRING_ANY_RESOURCE].sort()).toEqual([...ALLOWED_ON_ANY_RESOURCE].sort());
  });

  it('attach no managed policy to any app-owned role (only the API Gateway account logging role)', () => {
    // Act
    const withManaged = Object.entries(resourcesOf(template, 'AWS::IAM::Role'))
      // CDK's own custom-resource function that applies bucket notifications.
      .filter(([id]) => !id.startsWith('BucketNotificationsHandler'))
      .filter(([, role]) => role.Properties?.ManagedPolicyArns !== undefined)
      .map(([, role]) => JSON.stringify(role.Properties?.ManagedPolicyArns));

    // Assess
    expect(withManaged).toHaveLength(1);
    expect(withManaged[0]).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });
});
