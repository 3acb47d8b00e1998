import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Receives before a message goes to the dead-letter queue (AWS's minimum advice for Lambda consumers). */
export const MAX_RECEIVE_COUNT = 5;

/** AWS: a queue's visibility timeout should be at least six times its Lambda consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * What every docflow queue holds to: SSE-SQS (S3 and SNS can publish to it, unlike a queue under the
 * AWS-managed `aws/sqs` key), TLS-only access, and messages kept when the stack is deleted.
 */
const SECURE_QUEUE = {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies sqs.QueueProps;

/**
 * A queue whose messages wait for an operator (a dead-letter queue, or the workflow's failed
 * documents): kept 14 days, SQS's longest, so they outlive any source queue's retention.
 */
export const buildDeadLetterQueue = (scope: Construct, id: string): sqs.Queue =>
  new sqs.Queue(scope, id, { ...SECURE_QUEUE, retentionPeriod: Duration.days(14) });

export interface WorkQueueProps {
  /** Timeout of the Lambda function that consumes the queue; the visibility timeout is six times it. */
  readonly consumerTimeout: Duration;
  /** Where a message goes after {@link MAX_RECEIVE_COUNT} receives. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * A queue a Lambda function consumes: visibility timeout six times the consumer's timeout, 4 days'
 * retention, and a dead-letter queue after {@link MAX_RECEIVE_COUNT} receives.
 */
export const buildWorkQueue = (scope: Construct, id: string, props: WorkQueueProps): sqs.Queue =>
  new sqs.Queue(scope, id, {
    ...SECURE_QUEUE,
    visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
  });
