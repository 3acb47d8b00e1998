import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TEXTRACT_THROTTLED_METRIC } from '../../lambdas/shared/documents/textract-errors';
import type { DocflowFunction } from './docflow-function';

export interface MonitoredQueue {
  /** Short label for the alarm and the dashboard. */
  readonly label: string;
  readonly queue: sqs.IQueue;
}

export interface MonitoringProps {
  /** Every dead-letter queue: one message in any of them raises its alarm. */
  readonly deadLetterQueues: readonly MonitoredQueue[];
  /** The queue whose oldest message must not grow old. */
  readonly ingestQueue: sqs.IQueue;
  readonly stateMachine: sfn.IStateMachine;
  /** Functions shown on the dashboard. */
  readonly functions: readonly DocflowFunction[];
  readonly restApi: apigw.RestApi;
  /**
   * The function that calls Textract and counts its throttling answers; the metric carries its
   * Powertools service name as the `service` dimension.
   */
  readonly textractCaller: DocflowFunction;
  /** Powertools metrics namespace of the functions. */
  readonly metricsNamespace: string;
  /**
   * Age of the ingest queue's oldest message that raises the alarm.
   * @default Duration.minutes(10)
   */
  readonly maxIngestAge?: Duration;
}

/**
 * Alarms (any dead-lettered message, an old ingest backlog, failed executions, Textract throttling),
 * the topic they notify, and one dashboard of the whole pipeline.
 */
export class Monitoring extends Construct {
  /** Every alarm notifies this topic; subscribe operators to it. */
  readonly alarmTopic: sns.Topic;
  readonly deadLetterAlarms: cloudwatch.Alarm[];
  readonly ingestAgeAlarm: cloudwatch.Alarm;
  readonly executionsFailedAlarm: cloudwatch.Alarm;
  readonly textractThrottledAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const maxIngestAge = props.maxIngestAge ?? Duration.minutes(10);
    if (maxIngestAge.toSeconds() < 60) throw new Error('max ingest age must be at least one minute');

    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and
    // alarm notifications carry no document data.
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { enforceSSL: true });
    const notify = new actions.SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(notify);
      return created;
    };

    this.deadLetterAlarms = props.deadLetterQueues.map(({ label, queue }) =>
      alarm(`${label}DeadLetterAlarm`, {
        alarmDescription: `A message reached the ${label} dead-letter queue: read it, fix the cause, redrive it.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.ingestAgeAlarm = alarm('IngestAgeAlarm', {
      alarmDescription: 'Uploads wait in the ingest queue: the starter is failing, throttled or too slow.',
      metric: props.ingestQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: maxIngestAge.toSeconds(),
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.executionsFailedAlarm = alarm('ExecutionsFailedAlarm', {
      alarmDescription:
        'A workflow execution failed: the document is FAILED and in the failed-documents queue.',
      metric: props.stateMachine.metricFailed({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const textractThrottles = new cloudwatch.Metric({
      namespace: props.metricsNamespace,
      metricName: TEXTRACT_THROTTLED_METRIC,
      dimensionsMap: { service: props.textractCaller.name },
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
    });
    this.textractThrottledAlarm = alarm('TextractThrottledAlarm', {
      alarmDescription: 'Textract throttled docflow: request a quota increase or lower the concurrency.',
      metric: textractThrottles,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    const functions = props.functions.map((fn) => ({ label: fn.name, fn: fn.function }));
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        alarms: [
          ...this.deadLetterAlarms,
          this.ingestAgeAlarm,
          this.executionsFailedAlarm,
          this.textractThrottledAlarm,
        ],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Ingest queue',
        width: 12,
        left: [props.ingestQueue.metricApproximateNumberOfMessagesVisible({ label: 'Visible' })],
        right: [props.ingestQueue.metricApproximateAgeOfOldestMessage({ label: 'Oldest (s)' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queues',
        width: 12,
        left: props.deadLetterQueues.map(({ label, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ label, statistic: cloudwatch.Stats.MAXIMUM }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Executions',
        width: 12,
        left: [
          props.stateMachine.metricStarted({ label: 'Started' }),
          props.stateMachine.metricSucceeded({ label: 'Succeeded' }),
          props.stateMachine.metricFailed({ label: 'Failed' }),
          props.stateMachine.metricTimedOut({ label: 'Timed out' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Execution time (p90)',
        width: 12,
        left: [props.stateMachine.metricTime({ statistic: cloudwatch.Stats.p(90), label: 'p90' })],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        width: 8,
        left: functions.map(({ label, fn }) => fn.metricErrors({ label })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration (p90)',
        width: 8,
        left: functions.map(({ label, fn }) =>
          fn.metricDuration({ label, statistic: cloudwatch.Stats.p(90) }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function throttles',
        width: 8,
        left: functions.map(({ label, fn }) => fn.metricThrottles({ label })),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Textract throttles',
        width: 8,
        left: [textractThrottles.with({ label: 'Throttled calls' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        width: 8,
        left: [
          props.restApi.metricCount({ label: 'Requests' }),
          props.restApi.metricClientError({ label: '4xx' }),
          props.restApi.metricServerError({ label: '5xx' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (p90)',
        width: 8,
        left: [props.restApi.metricLatency({ statistic: cloudwatch.Stats.p(90), label: 'p90' })],
      }),
    );
  }
}
