import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_REQUIRING_ANY_RESOURCE } from '../../../infra/compliance';
import type { DocflowFunction } from '../../../infra/constructs/docflow-function';
import type { DocflowStack } from '../../../infra/stacks/docflow-stack';
import { LIMIT_SETTINGS } from '../../../lambdas/shared/documents/limits';
import { readDefinition } from '../../../statemachines/definition';
import { SUBSTITUTION_KEYS } from '../../../statemachines/substitutions';
import {
  actionsOf,
  arnOf,
  environmentOfFunction,
  logicalIdOf,
  refOf,
  resourcesOf,
  statementsOfFunction,
  statementsOfRole,
  synthDocflowTemplate,
  type TemplateStatement,
} from '../../support/docflow-app';

describe('Workflow state machine', () => {
  let app: App;
  let template: Template;
  let stack: DocflowStack;
  let stateMachine: Record<string, unknown>;

  beforeAll(() => {
    ({ app, template, stack } = synthDocflowTemplate());
    const resource = resourcesOf(template, 'AWS::StepFunctions::StateMachine')[
      logicalIdOf(stack.workflow.stateMachine)
    ];
    stateMachine = resource?.Properties ?? {};
  }, 60_000);

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
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf(stack.workflow.stateMachineLogGroup) } }],
    });
  });

  it('uses the ASL file itself as its definition (an asset of the file, unchanged)', () => {
    // Prepare
    const asset = stack.workflow.stateMachine.node.findChild('DefinitionBody') as Asset;

    // Act
    const staged = readFileSync(join(app.outdir, asset.assetPath), 'utf8');

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
    const { workflow, metadataTable } = stack;

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
      statements = statementsOfRole(template, logicalIdOf(stack.workflow.stateMachine.role));
    });

    const withAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action));

    it('may invoke exactly the four task functions, unqualified', () => {
      // Assess
      const { workflow } = stack;
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
        { Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: arnOf(stack.metadataTable.table) },
      ]);
    });

    it('may send to the failed-documents queue only', () => {
      // Assess
      expect(withAction('sqs:SendMessage')).toEqual([
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack.workflow.failedDocumentsQueue) },
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
    const queue = resourcesOf(template, 'AWS::SQS::Queue')[logicalIdOf(stack.workflow.failedDocumentsQueue)];
    expect(queue?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    expect(queue?.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refOf(stack.workflow.failedDocumentsQueue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('Workflow functions', () => {
  let template: Template;
  let stack: DocflowStack;

  beforeAll(() => {
    ({ template, stack } = synthDocflowTemplate({ context: { 'docflow:limits': { maxPages: 7 } } }));
  }, 60_000);

  it('pass the configured limits to every function that reads documents', () => {
    for (const fn of [
      stack.workflow.inspectFunction,
      stack.workflow.thumbnailFunction,
      stack.workflow.extractTextFunction,
    ]) {
      // Assess
      expect(environmentOfFunction(template, fn)).toMatchObject(
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
    const uploads = stack.documentStore.uploadsBucket;
    for (const fn of [
      stack.workflow.inspectFunction,
      stack.workflow.thumbnailFunction,
      stack.workflow.extractTextFunction,
    ]) {
      // Assess
      const statements = statementsOfFunction(template, fn);
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

  it('let thumbnail and text writers write their own derivative prefix only', () => {
    // Prepare
    const derivatives = arnOf(stack.documentStore.derivativesBucket);
    const putsOf = (fn: DocflowFunction) =>
      statementsOfFunction(template, fn).filter((s) => actionsOf(s).includes('s3:PutObject'));

    // Assess
    // AbortMultipartUpload: large derivatives go in parts, and a failed upload is aborted.
    const writes = ['s3:AbortMultipartUpload', 's3:PutObject'];
    expect(putsOf(stack.workflow.thumbnailFunction)).toEqual([
      { Effect: 'Allow', Action: writes, Resource: { 'Fn::Join': ['', [derivatives, '/thumbnails/*']] } },
    ]);
    for (const fn of [stack.workflow.extractTextFunction, stack.workflow.textractChannel.callbackFunction]) {
      expect(putsOf(fn)).toEqual([
        { Effect: 'Allow', Action: writes, Resource: { 'Fn::Join': ['', [derivatives, '/text/*']] } },
      ]);
    }
    expect(putsOf(stack.workflow.inspectFunction)).toEqual([]);
    expect(putsOf(stack.workflow.indexMetadataFunction)).toEqual([]);
  });

  it('let index-metadata write items of the metadata table and nothing else of DynamoDB', () => {
    // Assess
    const dynamo = statementsOfFunction(template, stack.workflow.indexMetadataFunction).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(stack.metadataTable.table),
      },
    ]);
    expect(environmentOfFunction(template, stack.workflow.indexMetadataFunction)).toMatchObject({
      METADATA_TABLE_NAME: refOf(stack.metadataTable.table),
      DERIVATIVES_BUCKET_NAME: refOf(stack.documentStore.derivativesBucket),
    });
  });

  it('let index-metadata list and delete derivatives, and only under their prefixes', () => {
    // Prepare
    const derivatives = arnOf(stack.documentStore.derivativesBucket);

    // Assess
    const s3 = statementsOfFunction(template, stack.workflow.indexMetadataFunction).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('s3:')),
    );
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
    for (const fn of [
      stack.workflow.inspectFunction,
      stack.workflow.thumbnailFunction,
      stack.workflow.extractTextFunction,
    ]) {
      expect(
        statementsOfFunction(template, fn).filter((s) => actionsOf(s).includes('s3:DeleteObject')),
      ).toEqual([]);
    }
  });
});
