import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { Ingest } from '../../../infra/constructs/ingest';
import { arnOf, refOf, SKIP_BUNDLING } from '../../support/docflow-app';
import { deniesWithoutTls, synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('Ingest', () => {
  const docflow = synthesizeBeforeAll();
  const queue = (construct: IConstruct) => docflow.resourceOf('AWS::SQS::Queue', construct);

  it('encrypts both queues with SSE-SQS (S3 cannot publish to a queue under aws/sqs) and retains them', () => {
    for (const construct of [docflow.stack.ingest.queue, docflow.stack.ingest.deadLetterQueue]) {
      // Assess
      const resource = queue(construct);
      expect(resource.Properties?.SqsManagedSseEnabled).toBe(true);
      expect(resource.Properties?.KmsMasterKeyId).toBeUndefined();
      expect(resource.DeletionPolicy).toBe('Retain');
    }
  });

  it.each(['queue', 'deadLetterQueue'] as const)('denies requests to the %s without TLS', (name) => {
    // Assess
    docflow.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refOf(docflow.stack.ingest[name])],
      PolicyDocument: {
        Statement: Match.arrayWith([deniesWithoutTls({ Action: 'sqs:*' })]),
      },
    });
  });

  it('keeps a message invisible for at least six times the starter timeout', () => {
    // Prepare
    const starter = docflow.resourceOf('AWS::Lambda::Function', docflow.stack.ingest.starter.function);
    const starterTimeout = starter.Properties?.Timeout as number;

    // Assess
    expect(starterTimeout).toBeGreaterThan(0);
    expect(queue(docflow.stack.ingest.queue).Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * starterTimeout,
    );
  });

  it('dead-letters a message after 5 receives, into a queue that keeps it longer', () => {
    // Prepare
    const source = queue(docflow.stack.ingest.queue).Properties;
    const dlq = queue(docflow.stack.ingest.deadLetterQueue).Properties;

    // Assess
    expect(source?.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(docflow.stack.ingest.deadLetterQueue),
      maxReceiveCount: 5,
    });
    expect(dlq?.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());
    expect(dlq?.MessageRetentionPeriod as number).toBeGreaterThan(source?.MessageRetentionPeriod as number);
  });

  it('feeds the starter from the queue with partial batch failures and a bounded concurrency', () => {
    // Assess
    docflow.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(docflow.stack.ingest.queue),
      FunctionName: refOf(docflow.stack.ingest.starter.function),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      BatchSize: 10,
    });
  });

  it('gives the starter the state machine ARN and lets it start executions of that state machine only', () => {
    // Prepare
    const statements = docflow.statementsOfFunction(docflow.stack.ingest.starter);

    // Assess
    docflow.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ STATE_MACHINE_ARN: refOf(docflow.stack.workflow.stateMachine) }),
      },
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
    });
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('states:')))).toEqual([
      {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: refOf(docflow.stack.workflow.stateMachine),
      },
    ]);
  });

  it.each([
    [{ maxConcurrency: 1 }, 'max concurrency must be an integer in 2–1000, got 1'],
    [{ batchSize: 11 }, 'batch size must be an integer in 1–10, got 11'],
    [{ starterTimeout: Duration.hours(3) }, 'starter timeout must be at most 2 hours'],
  ])('rejects %o', (override, message) => {
    // Prepare
    const scope = new Stack(new App({ context: SKIP_BUNDLING }), 'S');
    const stateMachine = sfn.StateMachine.fromStateMachineArn(
      scope,
      'Sm',
      'arn:aws:states:us-east-1:111111111111:stateMachine:sm',
    );

    // Act + Assess
    expect(
      () =>
        new Ingest(scope, 'Ingest', {
          stateMachine,
          metricsNamespace: 'ns',
          logRetention: RetentionDays.ONE_WEEK,
          ...override,
        }),
    ).toThrow(message);
  });
});
