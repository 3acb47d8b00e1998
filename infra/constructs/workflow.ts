import { join } from 'node:path';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LIMIT_SETTINGS, type Limits } from '../../lambdas/shared/documents/limits';
import { TEXTRACT_JOBS_TABLE } from '../../lambdas/shared/ports/textract-jobs';
import { DEFINITION_PATH, type Substitutions } from '../../statemachines/substitutions';
import { DERIVATIVE_PREFIXES, INCOMING_PREFIX } from './document-store';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR } from './ingest';
import { PipelineFunction, PROJECT_ROOT } from './pipeline-function';

export interface WorkflowProps {
  /** Where the documents are read from (under `incoming/`). */
  readonly uploadsBucket: s3.IBucket;
  /** Where thumbnails and text are written. */
  readonly derivativesBucket: s3.IBucket;
  /** The metadata table the workflow claims, records and indexes documents in. */
  readonly table: dynamodb.ITable;
  /** Input limits every document-reading function checks. */
  readonly limits: Limits;
  /** Powertools metrics namespace of the functions. */
  readonly metricsNamespace: string;
  /** Retention of every log group of the workflow. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * The document pipeline: the Standard state machine built from `statemachines/document-pipeline.asl.json`,
 * the functions its tasks invoke, the failed-documents queue its Catch branch feeds, and the
 * asynchronous Textract channel (topic, the role Textract publishes with, the job table that maps a
 * job back to its waiting task, the callback queue and its consumer). A file-based definition gets
 * no permissions from CDK: every grant here is explicit.
 */
export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineLogGroup: logs.LogGroup;
  /** What the Catch branch sends: the original input and the error, for an operator to redrive. */
  readonly failedDocumentsQueue: sqs.Queue;
  // Not named `inspect`: CDK's tree metadata treats a construct with an `inspect` member as inspectable.
  readonly inspectFunction: PipelineFunction;
  readonly thumbnailFunction: PipelineFunction;
  readonly extractTextFunction: PipelineFunction;
  readonly indexMetadataFunction: PipelineFunction;
  readonly textractCallbackFunction: PipelineFunction;
  /** Textract publishes asynchronous job completions here. */
  readonly textractTopic: sns.Topic;
  /** The role Textract assumes to publish to {@link textractTopic}. */
  readonly textractPublishRole: iam.Role;
  /** Maps a running Textract job (by its JobTag) to the task token waiting for it; records expire. */
  readonly textractJobsTable: dynamodb.Table;
  /** Job completions, consumed by the textract-callback function. */
  readonly textractCallbackQueue: sqs.Queue;
  readonly textractCallbackDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const { uploadsBucket, derivativesBucket, table } = props;
    const common = { metricsNamespace: props.metricsNamespace, logRetention: props.logRetention };
    const limitsEnvironment = limitEnvironment(props.limits);

    this.failedDocumentsQueue = new sqs.Queue(this, 'FailedDocuments', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.textractTopic = new sns.Topic(this, 'TextractTopic', {
      enforceSSL: true,
      // The AWS-managed key works here because Textract publishes with a role of this account.
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    this.textractPublishRole = new iam.Role(this, 'TextractPublishRole', {
      description: 'Assumed by Amazon Textract to publish docflow job completions',
      assumedBy: new iam.ServicePrincipal('textract.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    // Publish only: the AWS-managed key's policy already lets account principals use it through SNS.
    this.textractPublishRole.addToPolicy(allow(['sns:Publish'], [this.textractTopic.topicArn]));
    this.textractJobsTable = new dynamodb.Table(this, 'TextractJobs', {
      partitionKey: { name: TEXTRACT_JOBS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TEXTRACT_JOBS_TABLE.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.inspectFunction = new PipelineFunction(this, 'Inspect', {
      ...common,
      name: 'inspect',
      description: 'Sniffs the type, checks the limits and decides the text strategy',
      memorySize: 1024,
      timeout: Duration.seconds(60),
      nativePackages: ['sharp', 'pdfjs-dist', '@napi-rs/canvas'],
      environment: limitsEnvironment,
    });
    this.thumbnailFunction = new PipelineFunction(this, 'Thumbnail', {
      ...common,
      name: 'thumbnail',
      description: 'Renders the first page or the image as a WebP thumbnail',
      memorySize: 2048,
      timeout: Duration.seconds(90),
      nativePackages: ['sharp', 'pdfjs-dist', '@napi-rs/canvas'],
      environment: { ...limitsEnvironment, DERIVATIVES_BUCKET_NAME: derivativesBucket.bucketName },
    });
    this.extractTextFunction = new PipelineFunction(this, 'ExtractText', {
      ...common,
      name: 'extract-text',
      description: 'Extracts text locally or with Textract (sync, or async with a task token)',
      memorySize: 2048,
      timeout: Duration.seconds(240),
      ephemeralStorageMiB: 1024,
      nativePackages: ['sharp', 'pdfjs-dist', '@napi-rs/canvas'],
      environment: {
        ...limitsEnvironment,
        DERIVATIVES_BUCKET_NAME: derivativesBucket.bucketName,
        TEXTRACT_JOBS_TABLE_NAME: this.textractJobsTable.tableName,
        TEXTRACT_TOPIC_ARN: this.textractTopic.topicArn,
        TEXTRACT_ROLE_ARN: this.textractPublishRole.roleArn,
      },
    });
    this.indexMetadataFunction = new PipelineFunction(this, 'IndexMetadata', {
      ...common,
      name: 'index-metadata',
      description: 'Writes the PROCESSED, REJECTED or DELETED item and deletes derivatives no item points at',
      memorySize: 256,
      timeout: Duration.seconds(45),
      environment: {
        METADATA_TABLE_NAME: table.tableName,
        DERIVATIVES_BUCKET_NAME: derivativesBucket.bucketName,
      },
    });
    const callbackTimeout = Duration.seconds(120);
    this.textractCallbackFunction = new PipelineFunction(this, 'TextractCallback', {
      ...common,
      name: 'textract-callback',
      description: 'Collects a finished Textract job and completes the waiting task',
      memorySize: 1024,
      timeout: callbackTimeout,
      environment: {
        DERIVATIVES_BUCKET_NAME: derivativesBucket.bucketName,
        TEXTRACT_JOBS_TABLE_NAME: this.textractJobsTable.tableName,
      },
    });

    const readUploads = [
      allow(['s3:GetObject', 's3:GetObjectVersion'], [uploadsBucket.arnForObjects(`${INCOMING_PREFIX}*`)]),
      // Without ListBucket, S3 answers a missing key or version with 403 instead of 404, and a deleted
      // upload would end FAILED after retries instead of REJECTED (NOT_FOUND).
      allow(['s3:ListBucket'], [uploadsBucket.bucketArn]),
    ];
    // Large derivatives are written in parts: s3:PutObject covers CreateMultipartUpload, UploadPart and
    // CompleteMultipartUpload; a failed upload is aborted so that its parts do not linger.
    const writeDerivatives = (prefix: string) =>
      allow(['s3:PutObject', 's3:AbortMultipartUpload'], [derivativesBucket.arnForObjects(`${prefix}*`)]);
    const writeText = writeDerivatives(DERIVATIVE_PREFIXES.text);
    addPolicy(this.inspectFunction.function, ...readUploads);
    addPolicy(
      this.thumbnailFunction.function,
      ...readUploads,
      writeDerivatives(DERIVATIVE_PREFIXES.thumbnails),
    );
    addPolicy(
      this.extractTextFunction.function,
      // Textract reads the object with the caller's permissions.
      ...readUploads,
      writeText,
      // Textract has no resource-level permissions: these actions only accept "*".
      allow(['textract:DetectDocumentText', 'textract:StartDocumentTextDetection'], ['*']),
      // The job record is written before the job starts, so the callback can never race it.
      allow(['dynamodb:PutItem'], [this.textractJobsTable.tableArn]),
    );
    this.textractPublishRole.grantPassRole(this.extractTextFunction.function.grantPrincipal);
    const derivativeObjects = Object.values(DERIVATIVE_PREFIXES).map((prefix) =>
      derivativesBucket.arnForObjects(`${prefix}*`),
    );
    addPolicy(
      this.indexMetadataFunction.function,
      // PutItem records an outcome; UpdateItem a deletion; GetItem tells a lost race's winner.
      allow(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], [table.tableArn]),
      // A deletion lists a document's derivatives and deletes them; so does a run that lost its race.
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [derivativesBucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': Object.values(DERIVATIVE_PREFIXES).map((prefix) => `${prefix}*`) },
        },
      }),
      allow(['s3:DeleteObject'], derivativeObjects),
    );
    addPolicy(
      this.textractCallbackFunction.function,
      writeText,
      allow(['textract:GetDocumentTextDetection'], ['*']),
      allow(['dynamodb:GetItem', 'dynamodb:DeleteItem'], [this.textractJobsTable.tableArn]),
    );

    this.textractCallbackDeadLetterQueue = new sqs.Queue(this, 'TextractCallbackDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.textractCallbackQueue = new sqs.Queue(this, 'TextractCallbackQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(callbackTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.textractCallbackDeadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.textractTopic.addSubscription(
      new subscriptions.SqsSubscription(this.textractCallbackQueue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.textractCallbackDeadLetterQueue,
      }),
    );
    this.textractCallbackFunction.function.addEventSource(
      new SqsEventSource(this.textractCallbackQueue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );

    this.stateMachineLogGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const substitutions: Substitutions = {
      InspectFunctionArn: this.inspectFunction.function.functionArn,
      ThumbnailFunctionArn: this.thumbnailFunction.function.functionArn,
      ExtractTextFunctionArn: this.extractTextFunction.function.functionArn,
      IndexMetadataFunctionArn: this.indexMetadataFunction.function.functionArn,
      MetadataTableName: table.tableName,
      FailedDocumentsQueueUrl: this.failedDocumentsQueue.queueUrl,
    };
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(join(PROJECT_ROOT, DEFINITION_PATH)),
      definitionSubstitutions: { ...substitutions },
      tracingEnabled: true,
      logs: { destination: this.stateMachineLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.stateMachine.addToRolePolicy(
      allow(
        ['lambda:InvokeFunction'],
        [
          this.inspectFunction,
          this.thumbnailFunction,
          this.extractTextFunction,
          this.indexMetadataFunction,
        ].map((f) => f.function.functionArn),
      ),
    );
    this.stateMachine.addToRolePolicy(allow(['dynamodb:UpdateItem'], [table.tableArn]));
    this.stateMachine.addToRolePolicy(allow(['sqs:SendMessage'], [this.failedDocumentsQueue.queueArn]));
    this.stateMachine.grantTaskResponse(this.textractCallbackFunction.function);
  }
}

/** The limit variables `readLimits` reads, from the configured limits. */
export const limitEnvironment = (limits: Limits): Record<string, string> =>
  Object.fromEntries(
    (Object.keys(LIMIT_SETTINGS) as (keyof Limits)[]).map((key) => [
      LIMIT_SETTINGS[key].env,
      String(limits[key]),
    ]),
  );

const allow = (actions: string[], resources: string[]): iam.PolicyStatement =>
  new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources });

const addPolicy = (fn: lambda.IFunction, ...statements: iam.PolicyStatement[]): void => {
  for (const statement of statements) fn.addToRolePolicy(statement);
};
