import { Duration, RemovalPolicy, Stage } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LIMIT_SETTINGS, type Limits } from '../../lambdas/shared/documents/limits';
import { writeDefinition } from '../../statemachines/definition';
import type { Substitutions } from '../../statemachines/substitutions';
import { DocflowFunction } from './docflow-function';
import { allowDerivativeWrites, allowUploadReads, DERIVATIVE_PREFIXES } from './document-store';
import { buildDeadLetterQueue } from './queues';
import { TextractChannel } from './textract-channel';

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
 * The document pipeline: the Standard state machine built from `statemachines/document-pipeline.asl.yaml`,
 * the functions its tasks invoke, the failed-documents queue its Catch branch feeds, and the
 * {@link TextractChannel} its asynchronous text task waits on. A file-based definition gets no
 * permissions from CDK: every grant here is explicit.
 */
export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineLogGroup: logs.LogGroup;
  /** What the Catch branch sends: the original input and the error, for an operator to redrive. */
  readonly failedDocumentsQueue: sqs.Queue;
  // Not named `inspect`: CDK's tree metadata treats a construct with an `inspect` member as inspectable.
  readonly inspectFunction: DocflowFunction;
  readonly thumbnailFunction: DocflowFunction;
  readonly extractTextFunction: DocflowFunction;
  readonly indexMetadataFunction: DocflowFunction;
  /** Where asynchronous Textract jobs report, and the callback that completes their waiting tasks. */
  readonly textractChannel: TextractChannel;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const { uploadsBucket, derivativesBucket, table } = props;
    const common = { metricsNamespace: props.metricsNamespace, logRetention: props.logRetention };
    const limitsEnvironment = limitEnvironment(props.limits);

    this.failedDocumentsQueue = buildDeadLetterQueue(this, 'FailedDocuments');
    // "Default" is left out of logical ids: the channel's resources keep the ids they had when the
    // workflow declared them itself, so no table or queue is replaced.
    this.textractChannel = new TextractChannel(this, 'Default', {
      uploadsBucket,
      derivativesBucket,
      ...common,
    });

    this.inspectFunction = new DocflowFunction(this, 'Inspect', {
      ...common,
      name: 'inspect',
      description: 'Sniffs the type, checks the limits and decides the text strategy',
      memorySize: 1024,
      timeout: Duration.seconds(60),
      nativePackages: ['sharp', 'pdfjs-dist', '@napi-rs/canvas'],
      environment: limitsEnvironment,
    });
    this.thumbnailFunction = new DocflowFunction(this, 'Thumbnail', {
      ...common,
      name: 'thumbnail',
      description: 'Renders the first page or the image as a WebP thumbnail',
      memorySize: 2048,
      timeout: Duration.seconds(90),
      nativePackages: ['sharp', 'pdfjs-dist', '@napi-rs/canvas', 'libheif-js'],
      environment: { ...limitsEnvironment, DERIVATIVES_BUCKET_NAME: derivativesBucket.bucketName },
    });
    this.extractTextFunction = new DocflowFunction(this, 'ExtractText', {
      ...common,
      name: 'extract-text',
      description: 'Extracts text locally or with Textract (sync, or async with a task token)',
      memorySize: 2048,
      timeout: Duration.seconds(240),
      ephemeralStorageMiB: 1024,
      nativePackages: ['sharp', 'pdfjs-dist', '@napi-rs/canvas', 'libheif-js'],
      environment: {
        ...limitsEnvironment,
        DERIVATIVES_BUCKET_NAME: derivativesBucket.bucketName,
        ...this.textractChannel.jobEnvironment,
      },
    });
    this.indexMetadataFunction = new DocflowFunction(this, 'IndexMetadata', {
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

    const readUploads = allowUploadReads(uploadsBucket);
    addPolicy(this.inspectFunction.function, ...readUploads);
    addPolicy(
      this.thumbnailFunction.function,
      ...readUploads,
      allowDerivativeWrites(derivativesBucket, DERIVATIVE_PREFIXES.thumbnails),
    );
    addPolicy(
      this.extractTextFunction.function,
      // Textract reads the object with the caller's permissions.
      ...readUploads,
      allowDerivativeWrites(derivativesBucket, DERIVATIVE_PREFIXES.text),
      // Textract has no resource-level permissions: this action only accepts "*".
      allow(['textract:DetectDocumentText'], ['*']),
    );
    this.textractChannel.grantStartJobs(this.extractTextFunction.function);
    const derivativeObjects = Object.values(DERIVATIVE_PREFIXES).map((prefix) =>
      derivativesBucket.arnForObjects(`${prefix}*`),
    );
    // Statements, not grants, on the metadata table: table.grant() adds `index/*` for its indexes.
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
      definitionBody: sfn.DefinitionBody.fromFile(writeDefinition(assemblyFolderOf(this))),
      definitionSubstitutions: { ...substitutions },
      tracingEnabled: true,
      logs: { destination: this.stateMachineLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // Not grantInvoke: it adds every version and alias (`<arn>:*`) of each function.
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
    this.failedDocumentsQueue.grant(this.stateMachine, 'sqs:SendMessage');
    this.stateMachine.grantTaskResponse(this.textractChannel.callbackFunction.function);
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

/** Where the app being synthesized writes its cloud assembly (the staged definition goes there too). */
const assemblyFolderOf = (scope: Construct): string => {
  const stage = Stage.of(scope);
  if (!stage) throw new Error(`${scope.node.path} is not inside an app`);
  return stage.outdir;
};
