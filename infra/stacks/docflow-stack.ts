import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { suppressNagFindings } from '../compliance';
import type { DocflowConfig } from '../config';
import { CostAccounting } from '../constructs/cost-accounting';
import { DocumentStore } from '../constructs/document-store';
import { Ingest } from '../constructs/ingest';
import { MetadataTable } from '../constructs/metadata-table';
import { Monitoring } from '../constructs/monitoring';
import { QueryApi } from '../constructs/query-api';
import { Workflow } from '../constructs/workflow';

export interface DocflowStackProps extends StackProps {
  readonly config: DocflowConfig;
}

/** The whole pipeline in one stack. It only composes constructs; each declares its own resources. */
export class DocflowStack extends Stack {
  readonly metadataTable: MetadataTable;
  readonly documentStore: DocumentStore;
  readonly workflow: Workflow;
  readonly ingest: Ingest;
  readonly queryApi: QueryApi;
  readonly costAccounting: CostAccounting;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: DocflowStackProps) {
    super(scope, id, props);
    const { limits, metricsNamespace, logRetention, starterTimeout, uploadCorsOrigins, prices } =
      props.config;

    // The id predates the construct's name; it is kept because it names the table's logical id.
    this.metadataTable = new MetadataTable(this, 'MetadataIndex');
    this.documentStore = new DocumentStore(this, 'DocumentStore', { uploadCorsOrigins });
    this.workflow = new Workflow(this, 'Workflow', {
      uploadsBucket: this.documentStore.uploadsBucket,
      derivativesBucket: this.documentStore.derivativesBucket,
      table: this.metadataTable.table,
      limits,
      metricsNamespace,
      logRetention,
    });
    this.ingest = new Ingest(this, 'Ingest', {
      stateMachine: this.workflow.stateMachine,
      metricsNamespace,
      logRetention,
      starterTimeout,
    });
    this.documentStore.sendUploadEventsTo(this.ingest.queue);
    this.queryApi = new QueryApi(this, 'QueryApi', {
      table: this.metadataTable.table,
      indexArns: this.metadataTable.indexArns(),
      uploadsBucket: this.documentStore.uploadsBucket,
      derivativesBucket: this.documentStore.derivativesBucket,
      ingestQueue: this.ingest.queue,
      maxDocumentBytes: limits.maxDocumentBytes,
      metricsNamespace,
      logRetention,
    });
    this.costAccounting = new CostAccounting(this, 'CostAccounting', {
      stateMachine: this.workflow.stateMachine,
      table: this.metadataTable.table,
      pipelineFunctions: [
        this.workflow.inspectFunction,
        this.workflow.thumbnailFunction,
        this.workflow.extractTextFunction,
        this.workflow.indexMetadataFunction,
      ].map((f) => f.function),
      starterFunction: this.ingest.starter.function,
      textractCallbackFunction: this.workflow.textractChannel.callbackFunction.function,
      prices,
      metricsNamespace,
      logRetention,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      deadLetterQueues: [
        { label: 'Ingest', queue: this.ingest.deadLetterQueue },
        { label: 'FailedDocuments', queue: this.workflow.failedDocumentsQueue },
        { label: 'TextractCallback', queue: this.workflow.textractChannel.callbackDeadLetterQueue },
        { label: 'CostEvents', queue: this.costAccounting.deadLetterQueue },
      ],
      ingestQueue: this.ingest.queue,
      stateMachine: this.workflow.stateMachine,
      functions: [
        this.ingest.starter,
        this.workflow.inspectFunction,
        this.workflow.thumbnailFunction,
        this.workflow.extractTextFunction,
        this.workflow.indexMetadataFunction,
        this.workflow.textractChannel.callbackFunction,
        this.queryApi.handler,
        this.costAccounting.recordCostFunction,
      ],
      restApi: this.queryApi.restApi,
      textractCaller: this.workflow.extractTextFunction,
      metricsNamespace,
    });

    const stateMachineArn = this.workflow.stateMachine.stateMachineArn;
    new CfnOutput(this, 'UploadsBucketName', {
      description: 'Upload documents under incoming/ here',
      value: this.documentStore.uploadsBucket.bucketName,
    });
    new CfnOutput(this, 'DerivativesBucketName', {
      description: 'Thumbnails and extracted text',
      value: this.documentStore.derivativesBucket.bucketName,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'Query API base URL (IAM-signed requests)',
      value: this.queryApi.restApi.url,
    });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachineArn });
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      description: 'The workflow and its executions in the Step Functions console',
      value: Fn.join('', [
        'https://',
        Aws.REGION,
        '.console.aws.amazon.com/states/home?region=',
        Aws.REGION,
        '#/statemachines/view/',
        stateMachineArn,
      ]),
    });
    new CfnOutput(this, 'FailedDocumentsQueueUrl', {
      description: 'Documents that failed after their retries, with input and error (docflow redrive)',
      value: this.workflow.failedDocumentsQueue.queueUrl,
    });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', {
      description: 'Ingest messages the starter could not handle after 5 receives',
      value: this.ingest.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe operators here to receive the alarms',
      value: this.monitoring.alarmTopic.topicArn,
    });

    suppressNagFindings(this);
  }
}
