import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocflowStack } from '../../../infra/stacks/docflow-stack';
import { TEXTRACT_THROTTLED_METRIC } from '../../../lambdas/shared/documents/textract-errors';
import { logicalIdOf, refOf, resourceOf, resourcesOf, synthDocflowTemplate } from '../../support/docflow-app';

describe('Monitoring', () => {
  let template: Template;
  let stack: DocflowStack;
  const alarm = (construct: IConstruct) => resourceOf(template, 'AWS::CloudWatch::Alarm', construct);

  beforeAll(() => {
    ({ template, stack } = synthDocflowTemplate());
  }, 60_000);

  it('raises an alarm on the first message visible in any of the four dead-letter queues', () => {
    // Prepare
    const queues = [
      stack.ingest.deadLetterQueue,
      stack.workflow.failedDocumentsQueue,
      stack.workflow.textractChannel.callbackDeadLetterQueue,
      stack.costAccounting.deadLetterQueue,
    ];

    // Assess
    expect(stack.monitoring.deadLetterAlarms).toHaveLength(queues.length);
    for (const [index, queue] of queues.entries()) {
      const alarmConstruct = stack.monitoring.deadLetterAlarms[index];
      if (!alarmConstruct) throw new Error('missing alarm');
      expect(alarm(alarmConstruct).Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('raises an alarm when the oldest ingest message is ten minutes old', () => {
    // Assess
    expect(alarm(stack.monitoring.ingestAgeAlarm).Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.ingest.queue), 'QueueName'] } },
      ],
      Threshold: 600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm on any failed execution', () => {
    // Assess
    expect(alarm(stack.monitoring.executionsFailedAlarm).Properties).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: refOf(stack.workflow.stateMachine) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm on the Powertools metric extract-text emits when Textract throttles', () => {
    // Assess
    expect(alarm(stack.monitoring.textractThrottledAlarm).Properties).toMatchObject({
      Namespace: 'docflow',
      MetricName: TEXTRACT_THROTTLED_METRIC,
      Dimensions: [{ Name: 'service', Value: stack.workflow.extractTextFunction.name }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('notifies the alarm topic from every alarm', () => {
    // Assess
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const resource of alarms) {
      expect(resource.Properties?.AlarmActions).toEqual([refOf(stack.monitoring.alarmTopic)]);
    }
  });

  it('shows the whole pipeline on one dashboard', () => {
    // Assess
    const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const title of [
      'Ingest queue',
      'Dead-letter queues',
      'Executions',
      'Function errors',
      'Textract throttles',
      'API latency (p90)',
    ]) {
      expect(body).toContain(title);
    }
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardBody: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });
});
