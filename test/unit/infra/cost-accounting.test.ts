import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EXECUTION_STATUS_CHANGE } from '../../../infra/constructs/cost-accounting';
import { DEFAULT_PRICES, PRICES_ENV } from '../../../lambdas/shared/documents/prices';
import { actionsOf, arnOf, refOf, synthDocflowTemplate } from '../../support/docflow-app';
import { synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('CostAccounting', () => {
  const docflow = synthesizeBeforeAll();

  const fn = () => docflow.stack.costAccounting.recordCostFunction;
  const statements = () => docflow.statementsOfFunction(fn());

  it('routes the pipeline’s terminal status changes, and only those, to the record-cost function', () => {
    // Assess
    docflow.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': [EXECUTION_STATUS_CHANGE],
        detail: {
          stateMachineArn: [refOf(docflow.stack.workflow.stateMachine)],
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: arnOf(fn().function),
          DeadLetterConfig: { Arn: arnOf(docflow.stack.costAccounting.deadLetterQueue) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
    expect(
      docflow.resourceOf('AWS::Events::Rule', docflow.stack.costAccounting.rule).Properties?.Name,
    ).toBeUndefined();
  });

  it('lets EventBridge invoke the function from that rule only', () => {
    docflow.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(fn().function),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(docflow.stack.costAccounting.rule),
    });
  });

  it('dead-letters failed asynchronous invocations into the same retained, encrypted queue', () => {
    // Assess
    const properties = docflow.resourceOf('AWS::Lambda::Function', fn().function).Properties as {
      DeadLetterConfig?: unknown;
    };
    expect(properties.DeadLetterConfig).toEqual({
      TargetArn: arnOf(docflow.stack.costAccounting.deadLetterQueue),
    });
    const queue = docflow.resourceOf('AWS::SQS::Queue', docflow.stack.costAccounting.deadLetterQueue);
    expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    expect(queue.DeletionPolicy).toBe('Retain');
  });

  it('hands the function the table, the two functions outside the execution and the whole price table', () => {
    // Assess
    const environment = docflow.environmentOf(fn());
    expect(environment.METADATA_TABLE_NAME).toEqual(refOf(docflow.stack.metadataTable.table));
    expect(environment.STARTER_FUNCTION_NAME).toEqual(refOf(docflow.stack.ingest.starter.function));
    expect(environment.TEXTRACT_CALLBACK_FUNCTION_NAME).toEqual(
      refOf(docflow.stack.workflow.textractChannel.callbackFunction.function),
    );
    expect(JSON.parse(String(environment[PRICES_ENV]))).toEqual(DEFAULT_PRICES);
  });

  it('passes docflow:prices merged over the defaults', () => {
    // Act
    const overridden = synthDocflowTemplate({
      context: { 'docflow:prices': { region: 'eu-central-1', lambda: { arm64PerGbSecond: 0.00001 } } },
    });

    // Assess
    const prices = JSON.parse(
      String(overridden.environmentOf(overridden.stack.costAccounting.recordCostFunction)[PRICES_ENV]),
    );
    expect(prices).toEqual({
      ...DEFAULT_PRICES,
      region: 'eu-central-1',
      lambda: { ...DEFAULT_PRICES.lambda, arm64PerGbSecond: 0.00001 },
    });
  });

  it('may read the pipeline’s execution histories, the six functions’ configurations and update the table', () => {
    // Prepare
    const all = statements();
    const find = (action: string) => all.filter((statement) => actionsOf(statement).includes(action));

    // Assess
    expect(find('states:GetExecutionHistory')).toHaveLength(1);
    expect(JSON.stringify(find('states:GetExecutionHistory')[0]?.Resource)).toContain(':execution:');
    const functions = [
      docflow.stack.workflow.inspectFunction,
      docflow.stack.workflow.thumbnailFunction,
      docflow.stack.workflow.extractTextFunction,
      docflow.stack.workflow.indexMetadataFunction,
      docflow.stack.ingest.starter,
      docflow.stack.workflow.textractChannel.callbackFunction,
    ].map((pipelineFunction) => arnOf(pipelineFunction.function));
    const readable = find('lambda:GetFunctionConfiguration')[0]?.Resource as unknown[];
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect([...readable].sort(byJson)).toEqual(functions.sort(byJson));
    expect(find('dynamodb:UpdateItem')[0]).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: arnOf(docflow.stack.metadataTable.table),
    });
    expect(
      all
        .flatMap(actionsOf)
        .filter((action) => /^(dynamodb:PutItem|dynamodb:DeleteItem|states:Start)/.test(action)),
    ).toEqual([]);
  });
});
