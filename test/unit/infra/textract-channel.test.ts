import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocflowFunction } from '../../../infra/constructs/docflow-function';
import type { TextractChannel } from '../../../infra/constructs/textract-channel';
import { TEXTRACT_JOBS_TABLE } from '../../../lambdas/shared/ports/textract-jobs';
import { actionsOf, arnOf, refOf } from '../../support/docflow-app';
import { deniesWithoutTls, synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('TextractChannel', () => {
  const docflow = synthesizeBeforeAll();
  let channel: TextractChannel;

  beforeAll(() => {
    channel = docflow.stack.workflow.textractChannel;
  });

  it('encrypts the topic with the AWS-managed SNS key and refuses publishing without TLS', () => {
    // Assess
    const topic = docflow.resourceOf('AWS::SNS::Topic', channel.topic);
    expect(topic.Properties?.KmsMasterKeyId).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':kms:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':alias/aws/sns',
        ],
      ],
    });
    docflow.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [refOf(channel.topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([deniesWithoutTls({ Action: 'sns:Publish' })]),
      },
    });
  });

  it('lets Textract, for this account only, assume the role that may publish to the topic only', () => {
    // Prepare
    const role = channel.publishRole;
    const roleResource = docflow.resourceOf('AWS::IAM::Role', role);

    // Assess
    expect(roleResource.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'textract.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    expect(docflow.statementsOfRole(role)).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: refOf(channel.topic) },
    ]);
  });

  it('gives extract-text the topic and role, and lets it pass that role only', () => {
    // Prepare
    const fn = docflow.stack.workflow.extractTextFunction;

    // Assess
    expect(docflow.environmentOf(fn)).toMatchObject({
      TEXTRACT_TOPIC_ARN: refOf(channel.topic),
      TEXTRACT_ROLE_ARN: arnOf(channel.publishRole),
      DERIVATIVES_BUCKET_NAME: refOf(docflow.stack.documentStore.derivativesBucket),
      TEXTRACT_JOBS_TABLE_NAME: refOf(channel.jobsTable),
    });
    expect(docflow.statementsOfFunction(fn).filter((s) => actionsOf(s).includes('iam:PassRole'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: arnOf(channel.publishRole),
      },
    ]);
  });

  it('delivers job completions raw to the callback queue, dead-lettering what cannot be delivered', () => {
    // Assess
    docflow.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: refOf(channel.topic),
      Endpoint: arnOf(channel.callbackQueue),
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: arnOf(channel.callbackDeadLetterQueue) },
    });
  });

  it('feeds the callback function with partial batch failures, 6× its timeout of visibility, DLQ after 5', () => {
    // Prepare
    const fn = channel.callbackFunction.function;
    const timeout = docflow.resourceOf('AWS::Lambda::Function', fn).Properties?.Timeout as number;
    const queue = docflow.resourceOf('AWS::SQS::Queue', channel.callbackQueue);

    // Assess
    expect(queue.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: arnOf(channel.callbackDeadLetterQueue),
        maxReceiveCount: 5,
      },
    });
    docflow.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(channel.callbackQueue),
      FunctionName: refOf(fn),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('keeps job records in an on-demand table keyed by job tag, expiring them by TTL', () => {
    // Assess
    const table = docflow.resourceOf('AWS::DynamoDB::Table', channel.jobsTable);
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: TEXTRACT_JOBS_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: TEXTRACT_JOBS_TABLE.partitionKey, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: TEXTRACT_JOBS_TABLE.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('lets extract-text write job records and the callback read and delete them, and neither touch the metadata', () => {
    // Prepare
    const dynamoOf = (fn: DocflowFunction) =>
      docflow.statementsOfFunction(fn).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const jobs = arnOf(channel.jobsTable);

    // Assess
    expect(dynamoOf(docflow.stack.workflow.extractTextFunction)).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: jobs },
    ]);
    expect(dynamoOf(channel.callbackFunction)).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem'], Resource: jobs },
    ]);
    expect(docflow.environmentOf(channel.callbackFunction)).toMatchObject({
      TEXTRACT_JOBS_TABLE_NAME: refOf(channel.jobsTable),
      DERIVATIVES_BUCKET_NAME: refOf(docflow.stack.documentStore.derivativesBucket),
    });
  });

  it('lets the callback function complete tasks of this state machine only', () => {
    // Assess
    const states = docflow
      .statementsOfFunction(channel.callbackFunction)
      .filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states).toEqual([
      {
        Effect: 'Allow',
        Action: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
        Resource: refOf(docflow.stack.workflow.stateMachine),
      },
    ]);
  });
});
