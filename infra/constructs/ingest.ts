import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DocflowFunction } from './docflow-function';
import { buildDeadLetterQueue, buildWorkQueue, MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR } from './queues';

export interface IngestProps {
  /** The workflow the starter starts. */
  readonly stateMachine: sfn.IStateMachine;
  /** Powertools metrics namespace of the starter. */
  readonly metricsNamespace: string;
  /** Retention of the starter's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Timeout of the starter; the queue's visibility timeout is six times this.
   * @default Duration.seconds(30)
   */
  readonly starterTimeout?: Duration;
  /**
   * Memory of the starter in MiB.
   * @default 256
   */
  readonly starterMemorySize?: number;
  /**
   * Most concurrent starter invocations the event source runs (2–1000); bounds the rate of
   * StartExecution calls.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Messages per starter invocation (1–10).
   * @default 10
   */
  readonly batchSize?: number;
}

/**
 * The ingest queue (fed by the uploads bucket's notifications), its dead-letter queue, and the
 * starter that turns each notification record into one execution, reporting partial batch failures.
 */
export class Ingest extends Construct {
  /** S3 ObjectCreated notifications; SSE-SQS, because S3 cannot publish to a queue under `aws/sqs`. */
  readonly queue: sqs.Queue;
  /** Notifications that failed {@link MAX_RECEIVE_COUNT} times. */
  readonly deadLetterQueue: sqs.Queue;
  /** The only consumer of {@link queue}. */
  readonly starter: DocflowFunction;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const starterTimeout = props.starterTimeout ?? Duration.seconds(30);
    const maxConcurrency = props.maxConcurrency ?? 5;
    const batchSize = props.batchSize ?? 10;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error(`max concurrency must be an integer in 2–1000, got ${maxConcurrency}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`batch size must be an integer in 1–10, got ${batchSize}`);
    }
    if (starterTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR > Duration.hours(12).toSeconds()) {
      throw new Error('starter timeout must be at most 2 hours (visibility timeout limit of 12 hours / 6)');
    }

    this.deadLetterQueue = buildDeadLetterQueue(this, 'DeadLetterQueue');
    this.queue = buildWorkQueue(this, 'Queue', {
      consumerTimeout: starterTimeout,
      deadLetterQueue: this.deadLetterQueue,
    });

    this.starter = new DocflowFunction(this, 'Starter', {
      name: 'starter',
      description: 'Starts one workflow execution per uploaded object version',
      memorySize: props.starterMemorySize ?? 256,
      timeout: starterTimeout,
      metricsNamespace: props.metricsNamespace,
      logRetention: props.logRetention,
      environment: { STATE_MACHINE_ARN: props.stateMachine.stateMachineArn },
    });
    props.stateMachine.grantStartExecution(this.starter.function);
    this.starter.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize, maxConcurrency, reportBatchItemFailures: true }),
    );
  }
}
