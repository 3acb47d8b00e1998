import { CfnElement, CfnOutput, CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { refOf } from '../../support/docflow-app';
import { synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

/**
 * Logical ids of the stateful resources. Changing one makes CloudFormation create a new resource and
 * orphan (retain) the old one with its data: a rename must be a deliberate migration, not a refactor.
 */
const STATEFUL_LOGICAL_IDS = {
  'AWS::DynamoDB::Table': ['MetadataIndexTable034FCF48', 'WorkflowTextractJobs2C1A677A'],
  'AWS::S3::Bucket': [
    'DocumentStoreAccessLogs517656C3',
    'DocumentStoreDerivatives91B006FB',
    'DocumentStoreUploads126F6511',
  ],
  'AWS::SQS::Queue': [
    'CostAccountingDeadLetterQueue5BF580D3',
    'IngestDeadLetterQueueE8016E9B',
    'IngestQueue95F6DB49',
    'WorkflowFailedDocuments570F3CCD',
    'WorkflowTextractCallbackDeadLetterQueueDA31F769',
    'WorkflowTextractCallbackQueue595CB190',
  ],
} as const;

describe('DocflowStack', () => {
  const docflow = synthesizeBeforeAll();

  it.each(Object.entries(STATEFUL_LOGICAL_IDS))('keeps the logical ids of every %s', (type, ids) => {
    // Assess
    expect(Object.keys(docflow.resourcesOf(type)).sort()).toEqual([...ids].sort());
  });

  it('retains every stateful resource when the stack is deleted or the resource replaced', () => {
    for (const type of Object.keys(STATEFUL_LOGICAL_IDS)) {
      for (const [id, resource] of Object.entries(docflow.resourcesOf(type))) {
        // Assess
        expect({ id, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy }).toEqual({
          id,
          deletion: 'Retain',
          replace: 'Retain',
        });
      }
    }
  });

  it('outputs the bucket names, the API URL, the state machine ARN and its console URL', () => {
    // Assess
    const outputs = docflow.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.UploadsBucketName?.Value).toEqual(refOf(docflow.stack.documentStore.uploadsBucket));
    expect(outputs.DerivativesBucketName?.Value).toEqual(
      refOf(docflow.stack.documentStore.derivativesBucket),
    );
    expect(outputs.StateMachineArn?.Value).toEqual(refOf(docflow.stack.workflow.stateMachine));
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain('.execute-api.');
    expect(outputs.StateMachineConsoleUrl?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'AWS::Region' },
          '.console.aws.amazon.com/states/home?region=',
          { Ref: 'AWS::Region' },
          '#/statemachines/view/',
          refOf(docflow.stack.workflow.stateMachine),
        ],
      ],
    });
    expect(outputs.AlarmTopicArn?.Value).toEqual(refOf(docflow.stack.monitoring.alarmTopic));
  });

  it('outputs both dead-letter queues, which the CLI reads and redrives', () => {
    // Assess
    const outputs = docflow.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.FailedDocumentsQueueUrl?.Value).toEqual(
      refOf(docflow.stack.workflow.failedDocumentsQueue),
    );
    expect(outputs.IngestDeadLetterQueueUrl?.Value).toEqual(refOf(docflow.stack.ingest.deadLetterQueue));
  });

  it('only composes constructs: it declares no resource of its own', () => {
    // Prepare
    const composed = new Set<unknown>([
      docflow.stack.metadataTable,
      docflow.stack.documentStore,
      docflow.stack.workflow,
      docflow.stack.ingest,
      docflow.stack.queryApi,
      docflow.stack.costAccounting,
      docflow.stack.monitoring,
    ]);

    // Act
    const own = docflow.stack.node.children.filter(
      (child) =>
        !composed.has(child) &&
        !(child instanceof CfnOutput) &&
        // CDK's singleton that applies bucket notifications is created at stack level by the S3 module.
        !child.node.id.startsWith('BucketNotificationsHandler') &&
        !(child instanceof CfnElement && !(child instanceof CfnResource)),
    );

    // Assess
    expect(own.map((child) => child.node.id)).toEqual([]);
  });

  it('is environment-agnostic: it synthesizes without an account or region', () => {
    // Assess
    expect(docflow.stack.resolve(docflow.stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(docflow.stack.resolve(docflow.stack.region)).toEqual({ Ref: 'AWS::Region' });
  });
});
