import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_STATUS_CHANGE } from '../../../infra/constructs/cost-accounting';
import type { DocflowStack } from '../../../infra/stacks/docflow-stack';
import { DEFAULT_PRICES, PRICES_ENV } from '../../../lambdas/shared/documents/prices';
import {
  actionsOf,
  arnOf,
  environmentOf,
  logicalIdOf,
  refOf,
  resourceOf,
  statementsOfRole,
  synthDocflowTemplate,
} from '../../support/docflow-app';

describe('CostAccounting', () => {
  let template: Template;
  let stack: DocflowStack;

  beforeAll(() => {
    ({ template, stack } = synthDocflowTemplate());
  }, 60_000);

  const fn = () => stack.costAccounting.recordCostFunction;
  const statements = () => {
    const role = fn().function.role;
    if (!role) throw new Error('the record-cost function has no role');
    return statementsOfRole(template, logicalIdOf(role));
  };

  it('routes the pipeline’s terminal status changes, and only those, to the record-cost function', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': [EXECUTION_STATUS_CHANGE],
        detail: {
          stateMachineArn: [refOf(stack.workflow.stateMachine)],
          status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: arnOf(fn().function),
          DeadLetterConfig: { Arn: arnOf(stack.costAccounting.deadLetterQueue) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
    expect(
      resourceOf(template, 'AWS::Events::Rule', stack.costAccounting.rule).Properties?.Name,
    ).toBeUndefined();
  });

  it('lets EventBridge invoke the function from that rule only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(fn().function),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(stack.costAccounting.rule),
    });
  });

  it('dead-letters failed asynchronous invocations into the same retained, encrypted queue', () => {
    // Assess
    const properties = resourceOf(template, 'AWS::Lambda::Function', fn().function).Properties as {
      DeadLetterConfig?: unknown;
    };
    expect(properties.DeadLetterConfig).toEqual({ TargetArn: arnOf(stack.costAccounting.deadLetterQueue) });
    const queue = resourceOf(template, 'AWS::SQS::Queue', stack.costAccounting.deadLetterQueue);
    expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    expect(queue.DeletionPolicy).toBe('Retain');
  });

  it('hands the function the table, the two functions outside the execution and the whole price table', () => {
    // Assess
    const environment = environmentOf(template, fn().function);
    expect(environment.METADATA_TABLE_NAME).toEqual(refOf(stack.metadataTable.table));
    expect(environment.STARTER_FUNCTION_NAME).toEqual(refOf(stack.ingest.starter.function));
    expect(environment.TEXTRACT_CALLBACK_FUNCTION_NAME).toEqual(
      refOf(stack.workflow.textractChannel.callbackFunction.function),
    );
    expect(JSON.parse(String(environment[PRICES_ENV]))).toEqual(DEFAULT_PRICES);
  });

  it('passes docflow:prices merged over the defaults', () => {
    // Act
    const { template: overridden, stack: other } = synthDocflowTemplate({
      context: { 'docflow:prices': { region: 'eu-central-1', lambda: { arm64PerGbSecond: 0.00001 } } },
    });

    // Assess
    const prices = JSON.parse(
      String(environmentOf(overridden, other.costAccounting.recordCostFunction.function)[PRICES_ENV]),
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
      stack.workflow.inspectFunction,
      stack.workflow.thumbnailFunction,
      stack.workflow.extractTextFunction,
      stack.workflow.indexMetadataFunction,
      stack.ingest.starter,
      stack.workflow.textractChannel.callbackFunction,
    ].map((pipelineFunction) => arnOf(pipelineFunction.function));
    const readable = find('lambda:GetFunctionConfiguration')[0]?.Resource as unknown[];
    const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect([...readable].sort(byJson)).toEqual(functions.sort(byJson));
    expect(find('dynamodb:UpdateItem')[0]).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Resource: arnOf(stack.metadataTable.table),
    });
    expect(
      all
        .flatMap(actionsOf)
        .filter((action) => /^(dynamodb:PutItem|dynamodb:DeleteItem|states:Start)/.test(action)),
    ).toEqual([]);
  });
});
