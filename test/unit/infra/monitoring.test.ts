import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { TEXTRACT_THROTTLED_METRIC } from '../../../lambdas/shared/documents/textract-errors';
import { logicalIdOf, refOf } from '../../support/docflow-app';
import { synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('Monitoring', () => {
  const docflow = synthesizeBeforeAll();
  const alarm = (construct: IConstruct) => docflow.resourceOf('AWS::CloudWatch::Alarm', construct);

  it('raises an alarm on the first message visible in any of the four dead-letter queues', () => {
    // Prepare
    const queues = [
      docflow.stack.ingest.deadLetterQueue,
      docflow.stack.workflow.failedDocumentsQueue,
      docflow.stack.workflow.textractChannel.callbackDeadLetterQueue,
      docflow.stack.costAccounting.deadLetterQueue,
    ];

    // Assess
    expect(docflow.stack.monitoring.deadLetterAlarms).toHaveLength(queues.length);
    for (const [index, queue] of queues.entries()) {
      const alarmConstruct = docflow.stack.monitoring.deadLetterAlarms[index];
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
    expect(alarm(docflow.stack.monitoring.ingestAgeAlarm).Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalIdOf(docflow.stack.ingest.queue), 'QueueName'] },
        },
      ],
      Threshold: 600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm on any failed execution', () => {
    // Assess
    expect(alarm(docflow.stack.monitoring.executionsFailedAlarm).Properties).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: refOf(docflow.stack.workflow.stateMachine) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm on the Powertools metric extract-text emits when Textract throttles', () => {
    // Assess
    expect(alarm(docflow.stack.monitoring.textractThrottledAlarm).Properties).toMatchObject({
      Namespace: 'docflow',
      MetricName: TEXTRACT_THROTTLED_METRIC,
      Dimensions: [{ Name: 'service', Value: docflow.stack.workflow.extractTextFunction.name }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('notifies the alarm topic from every alarm', () => {
    // Assess
    const alarms = Object.values(docflow.resourcesOf('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const resource of alarms) {
      expect(resource.Properties?.AlarmActions).toEqual([refOf(docflow.stack.monitoring.alarmTopic)]);
    }
  });

  it('shows the whole pipeline on one dashboard', () => {
    // Assess
    const dashboards = Object.values(docflow.resourcesOf('AWS::CloudWatch::Dashboard'));
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
    docflow.template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardBody: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });
});
