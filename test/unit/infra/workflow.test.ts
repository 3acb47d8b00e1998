import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_REQUIRING_ANY_RESOURCE } from '../../../infra/compliance';
import type { DocflowFunction } from '../../../infra/constructs/docflow-function';
import { LIMIT_SETTINGS } from '../../../lambdas/shared/documents/limits';
import { readDefinition } from '../../../statemachines/definition';
import { SUBSTITUTION_KEYS } from '../../../statemachines/substitutions';
import { actionsOf, arnOf, refOf, type TemplateStatement } from '../../support/docflow-app';
import { deniesWithoutTls, synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('Workflow state machine', () => {
  const docflow = synthesizeBeforeAll();
  let stateMachine: Record<string, unknown>;

  beforeAll(() => {
    stateMachine =
      docflow.resourceOf('AWS::StepFunctions::StateMachine', docflow.stack.workflow.stateMachine)
        .Properties ?? {};
  });

  it('is a Standard workflow traced with X-Ray', () => {
    // Assess
    expect(stateMachine.StateMachineType).toBe('STANDARD');
    expect(stateMachine.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('logs every event, with execution data, to its own log group', () => {
    // Assess
    expect(stateMachine.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: arnOf(docflow.stack.workflow.stateMachineLogGroup) } },
      ],
    });
  });

  it('uses the ASL file itself as its definition (an asset of the file, unchanged)', () => {
    // Prepare
    const asset = docflow.stack.workflow.stateMachine.node.findChild('DefinitionBody') as Asset;

    // Act
    const staged = readFileSync(join(docflow.app.outdir, asset.assetPath), 'utf8');

    // Assess
    expect(staged).toBe(readDefinition());
    expect(JSON.stringify(stateMachine.DefinitionS3Location)).toContain(asset.assetHash);
  });

  it('substitutes exactly the exported substitution keys', () => {
    // Assess
    const substitutions = stateMachine.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual([...SUBSTITUTION_KEYS].sort());
  });

  it('has a substitution for every placeholder of the definition', () => {
    // Prepare
    const definition = readDefinition();
    const placeholders = new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]));

    // Assess
    expect(placeholders.size).toBeGreaterThan(0);
    expect([...placeholders].sort()).toEqual(
      Object.keys(stateMachine.DefinitionSubstitutions as Record<string, unknown>).sort(),
    );
  });

  it('substitutes each placeholder with the resource it names', () => {
    // Prepare
    const { workflow, metadataTable } = docflow.stack;

    // Assess
    expect(stateMachine.DefinitionSubstitutions).toEqual({
      InspectFunctionArn: arnOf(workflow.inspectFunction.function),
      ThumbnailFunctionArn: arnOf(workflow.thumbnailFunction.function),
      ExtractTextFunctionArn: arnOf(workflow.extractTextFunction.function),
      IndexMetadataFunctionArn: arnOf(workflow.indexMetadataFunction.function),
      MetadataTableName: refOf(metadataTable.table),
      FailedDocumentsQueueUrl: refOf(workflow.failedDocumentsQueue),
    });
  });

  describe('role (a file-based definition gets no grants from CDK)', () => {
    let statements: TemplateStatement[];

    beforeAll(() => {
      statements = docflow.statementsOfRole(docflow.stack.workflow.stateMachine.role);
    });

    const withAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action));

    it('may invoke exactly the four task functions, unqualified', () => {
      // Assess
      const { workflow } = docflow.stack;
      expect(withAction('lambda:InvokeFunction')).toHaveLength(1);
      expect(withAction('lambda:InvokeFunction')[0]).toEqual({
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: expect.arrayContaining([
          arnOf(workflow.inspectFunction.function),
          arnOf(workflow.thumbnailFunction.function),
          arnOf(workflow.extractTextFunction.function),
          arnOf(workflow.indexMetadataFunction.function),
        ]),
      });
      expect(withAction('lambda:InvokeFunction')[0]?.Resource).toHaveLength(4);
    });

    it('may update items of the metadata table only', () => {
      // Assess
      expect(withAction('dynamodb:UpdateItem')).toEqual([
        {
          Effect: 'Allow',
          Action: 'dynamodb:UpdateItem',
          Resource: arnOf(docflow.stack.metadataTable.table),
        },
      ]);
    });

    it('may send to the failed-documents queue only', () => {
      // Assess
      expect(withAction('sqs:SendMessage')).toEqual([
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: arnOf(docflow.stack.workflow.failedDocumentsQueue),
        },
      ]);
    });

    it('holds nothing else but the X-Ray and log-delivery actions that need "*"', () => {
      // Assess
      const others = statements.filter(
        (s) =>
          !['lambda:InvokeFunction', 'dynamodb:UpdateItem', 'sqs:SendMessage'].some((a) =>
            actionsOf(s).includes(a),
          ),
      );
      for (const statement of others) {
        expect(statement.Resource).toBe('*');
        for (const action of actionsOf(statement)) expect(ACTIONS_REQUIRING_ANY_RESOURCE).toContain(action);
      }
      expect(others.flatMap(actionsOf)).toEqual(
        expect.arrayContaining(['xray:PutTraceSegments', 'logs:CreateLogDelivery']),
      );
    });
  });

  it('keeps the failed-documents queue encrypted (SSE-SQS), TLS-only, for 14 days, retained', () => {
    // Assess
    const queue = docflow.resourceOf('AWS::SQS::Queue', docflow.stack.workflow.failedDocumentsQueue);
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    expect(queue.DeletionPolicy).toBe('Retain');
    docflow.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refOf(docflow.stack.workflow.failedDocumentsQueue)],
      PolicyDocument: {
        Statement: Match.arrayWith([deniesWithoutTls()]),
      },
    });
  });
});

describe('Workflow functions', () => {
  const docflow = synthesizeBeforeAll({ context: { 'docflow:limits': { maxPages: 7 } } });

  it('pass the configured limits to every function that reads documents', () => {
    for (const fn of [
      docflow.stack.workflow.inspectFunction,
      docflow.stack.workflow.thumbnailFunction,
      docflow.stack.workflow.extractTextFunction,
    ]) {
      // Assess
      expect(docflow.environmentOf(fn)).toMatchObject(
        Object.fromEntries(
          Object.entries(LIMIT_SETTINGS).map(([key, setting]) => [
            setting.env,
            key === 'maxPages' ? '7' : String(setting.default),
          ]),
        ),
      );
    }
  });

  it('let the document readers read uploads under incoming/ only, and list the bucket (404 instead of 403)', () => {
    const uploads = docflow.stack.documentStore.uploadsBucket;
    for (const fn of [
      docflow.stack.workflow.inspectFunction,
      docflow.stack.workflow.thumbnailFunction,
      docflow.stack.workflow.extractTextFunction,
    ]) {
      // Assess
      const statements = docflow.statementsOfFunction(fn);
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [arnOf(uploads), '/incoming/*']] },
      });
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: arnOf(uploads),
      });
    }
  });

  it('let thumbnail and text writers write (and take back) their own derivative prefix only', () => {
    // Prepare
    const derivatives = arnOf(docflow.stack.documentStore.derivativesBucket);
    const putsOf = (fn: DocflowFunction) =>
      docflow.statementsOfFunction(fn).filter((s) => actionsOf(s).includes('s3:PutObject'));

    // Assess
    // AbortMultipartUpload: large derivatives go in parts, and a failed upload is aborted.
    // DeleteObject: a writer takes back what it wrote for an upload deleted meanwhile (putDerivativeOf).
    const writes = ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'];
    expect(putsOf(docflow.stack.workflow.thumbnailFunction)).toEqual([
      { Effect: 'Allow', Action: writes, Resource: { 'Fn::Join': ['', [derivatives, '/thumbnails/*']] } },
    ]);
    for (const fn of [
      docflow.stack.workflow.extractTextFunction,
      docflow.stack.workflow.textractChannel.callbackFunction,
    ]) {
      expect(putsOf(fn)).toEqual([
        { Effect: 'Allow', Action: writes, Resource: { 'Fn::Join': ['', [derivatives, '/text/*']] } },
      ]);
    }
    expect(putsOf(docflow.stack.workflow.inspectFunction)).toEqual([]);
    expect(putsOf(docflow.stack.workflow.indexMetadataFunction)).toEqual([]);
  });

  it('let index-metadata write items of the metadata table and nothing else of DynamoDB', () => {
    // Assess
    const dynamo = docflow
      .statementsOfFunction(docflow.stack.workflow.indexMetadataFunction)
      .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(docflow.stack.metadataTable.table),
      },
    ]);
    expect(docflow.environmentOf(docflow.stack.workflow.indexMetadataFunction)).toMatchObject({
      METADATA_TABLE_NAME: refOf(docflow.stack.metadataTable.table),
      DERIVATIVES_BUCKET_NAME: refOf(docflow.stack.documentStore.derivativesBucket),
    });
  });

  it('let index-metadata list and delete derivatives, and only under their prefixes', () => {
    // Prepare
    const derivatives = arnOf(docflow.stack.documentStore.derivativesBucket);

    // Assess
    const s3 = docflow
      .statementsOfFunction(docflow.stack.workflow.indexMetadataFunction)
      .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: derivatives,
        Condition: { StringLike: { 's3:prefix': ['thumbnails/*', 'text/*'] } },
      },
      {
        Effect: 'Allow',
        Action: 's3:DeleteObject',
        Resource: [
          { 'Fn::Join': ['', [derivatives, '/text/*']] },
          { 'Fn::Join': ['', [derivatives, '/thumbnails/*']] },
        ],
      },
    ]);
    expect(
      docflow
        .statementsOfFunction(docflow.stack.workflow.inspectFunction)
        .filter((s) => actionsOf(s).includes('s3:DeleteObject')),
    ).toEqual([]);
  });

  it('let the Textract callback read uploads, to keep a text only while its upload is current', () => {
    // Prepare
    const uploads = arnOf(docflow.stack.documentStore.uploadsBucket);

    // Assess
    const reads = docflow
      .statementsOfFunction(docflow.stack.workflow.textractChannel.callbackFunction)
      .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:Get') || a === 's3:ListBucket'));
    expect(reads).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [uploads, '/incoming/*']] },
      },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: uploads },
    ]);
  });
});
