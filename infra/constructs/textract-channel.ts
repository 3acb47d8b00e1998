import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TEXTRACT_JOBS_TABLE } from '../../lambdas/shared/ports/textract-jobs';
import { DocflowFunction } from './docflow-function';
import { allowDerivativeWrites, allowUploadReads, DERIVATIVE_PREFIXES } from './document-store';
import { buildDeadLetterQueue, buildWorkQueue } from './queues';

export interface TextractChannelProps {
  /** Where the documents are: the callback checks that one is still current before keeping its text. */
  readonly uploadsBucket: s3.IBucket;
  /** Where the callback writes a finished job's text (under the text prefix). */
  readonly derivativesBucket: s3.IBucket;
  /** Powertools metrics namespace of the callback function. */
  readonly metricsNamespace: string;
  /** Retention of the callback function's log group. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * How an asynchronous Textract job finds its way back to the task waiting for it: the topic Textract
 * publishes completions to and the role it publishes with, the job table that maps a job (by its
 * JobTag) to the waiting task token, and the callback queue with its consumer, which collects the
 * text and completes the task. {@link grantStartJobs} lets a function start jobs on this channel.
 */
export class TextractChannel extends Construct {
  /** Textract publishes asynchronous job completions here. */
  readonly topic: sns.Topic;
  /** The role Textract assumes to publish to {@link topic}. */
  readonly publishRole: iam.Role;
  /** Maps a running Textract job (by its JobTag) to the task token waiting for it; records expire. */
  readonly jobsTable: dynamodb.Table;
  /** Job completions, consumed by {@link callbackFunction}. */
  readonly callbackQueue: sqs.Queue;
  /** Completions the callback could not handle, and those SNS could not deliver. */
  readonly callbackDeadLetterQueue: sqs.Queue;
  /** Collects a finished job and completes the waiting task. */
  readonly callbackFunction: DocflowFunction;

  constructor(scope: Construct, id: string, props: TextractChannelProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'TextractTopic', {
      enforceSSL: true,
      // The AWS-managed key works here because Textract publishes with a role of this account.
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    this.publishRole = new iam.Role(this, 'TextractPublishRole', {
      description: 'Assumed by Amazon Textract to publish docflow job completions',
      assumedBy: new iam.ServicePrincipal('textract.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    // Publish only, not topic.grantPublish: that adds KMS actions on the key, whose policy already lets
    // account principals use it through SNS.
    this.publishRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.jobsTable = new dynamodb.Table(this, 'TextractJobs', {
      partitionKey: { name: TEXTRACT_JOBS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TEXTRACT_JOBS_TABLE.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const callbackTimeout = Duration.seconds(120);
    this.callbackFunction = new DocflowFunction(this, 'TextractCallback', {
      name: 'textract-callback',
      description: 'Collects a finished Textract job and completes the waiting task',
      memorySize: 1024,
      timeout: callbackTimeout,
      metricsNamespace: props.metricsNamespace,
      logRetention: props.logRetention,
      environment: {
        DERIVATIVES_BUCKET_NAME: props.derivativesBucket.bucketName,
        TEXTRACT_JOBS_TABLE_NAME: this.jobsTable.tableName,
      },
    });
    const callback = this.callbackFunction.function;
    callback.addToRolePolicy(allowDerivativeWrites(props.derivativesBucket, DERIVATIVE_PREFIXES.text));
    for (const statement of allowUploadReads(props.uploadsBucket)) callback.addToRolePolicy(statement);
    // Textract has no resource-level permissions: this action only accepts "*".
    callback.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['textract:GetDocumentTextDetection'], resources: ['*'] }),
    );
    this.jobsTable.grant(callback, 'dynamodb:GetItem', 'dynamodb:DeleteItem');

    this.callbackDeadLetterQueue = buildDeadLetterQueue(this, 'TextractCallbackDeadLetterQueue');
    this.callbackQueue = buildWorkQueue(this, 'TextractCallbackQueue', {
      consumerTimeout: callbackTimeout,
      deadLetterQueue: this.callbackDeadLetterQueue,
    });
    this.topic.addSubscription(
      new subscriptions.SqsSubscription(this.callbackQueue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.callbackDeadLetterQueue,
      }),
    );
    callback.addEventSource(
      new SqsEventSource(this.callbackQueue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );
  }

  /** The variables a function that starts jobs on this channel reads. */
  get jobEnvironment(): Readonly<Record<string, string>> {
    return {
      TEXTRACT_JOBS_TABLE_NAME: this.jobsTable.tableName,
      TEXTRACT_TOPIC_ARN: this.topic.topicArn,
      TEXTRACT_ROLE_ARN: this.publishRole.roleArn,
    };
  }

  /**
   * Lets `grantee` start asynchronous jobs that report here: record the waiting task first (so the
   * callback can never race it), then start the job with the publish role.
   */
  grantStartJobs(grantee: iam.IGrantable): iam.Grant {
    // Textract has no resource-level permissions: this action only accepts "*".
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['textract:StartDocumentTextDetection'],
      resourceArns: ['*'],
    })
      .combine(this.jobsTable.grant(grantee, 'dynamodb:PutItem'))
      .combine(this.publishRole.grantPassRole(grantee.grantPrincipal));
  }
}
