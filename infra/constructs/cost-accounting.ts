import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUN_STATUSES } from '../../lambdas/shared/documents/document-cost';
import { PRICES_ENV, type PriceTable } from '../../lambdas/shared/documents/prices';
import { DocflowFunction } from './docflow-function';
import { buildDeadLetterQueue } from './queues';

/** What Step Functions sends EventBridge when an execution's status changes (source `aws.states`). */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

export interface CostAccountingProps {
  /** The pipeline whose ended runs are priced. */
  readonly stateMachine: sfn.IStateMachine;
  /** The metadata table: each document's cost is recorded on its item. */
  readonly table: dynamodb.ITable;
  /** The functions the state machine invokes: their memory and architecture price their invocations. */
  readonly pipelineFunctions: readonly lambda.IFunction[];
  /** The starter, invoked once per run the ingest queue brings (outside the execution). */
  readonly starterFunction: lambda.IFunction;
  /** The Textract callback, invoked once per asynchronous job (outside the execution). */
  readonly textractCallbackFunction: lambda.IFunction;
  /** The price table the runs are priced with (handed to the function whole). */
  readonly prices: PriceTable;
  /** Powertools metrics namespace of the function. */
  readonly metricsNamespace: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The cost of every document: an EventBridge rule on the pipeline's "Step Functions Execution Status
 * Change" events with a terminal status, targeting the record-cost function, which prices the run from
 * its execution history and the functions' configurations and adds it to the document's item. Events
 * the rule cannot deliver, and invocations that still fail after Lambda's retries, are kept in one
 * dead-letter queue.
 */
export class CostAccounting extends Construct {
  readonly recordCostFunction: DocflowFunction;
  readonly rule: events.Rule;
  /** Cost events that could not be delivered or recorded: redeliver them once the cause is fixed. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: CostAccountingProps) {
    super(scope, id);
    if (props.pipelineFunctions.length === 0) throw new Error('cost accounting needs the pipeline functions');

    this.deadLetterQueue = buildDeadLetterQueue(this, 'DeadLetterQueue');
    this.recordCostFunction = new DocflowFunction(this, 'RecordCost', {
      name: 'record-cost',
      description: 'Prices an ended run of the pipeline from its history and adds it to the document’s cost',
      memorySize: 256,
      timeout: Duration.seconds(60),
      metricsNamespace: props.metricsNamespace,
      logRetention: props.logRetention,
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        METADATA_TABLE_NAME: props.table.tableName,
        STARTER_FUNCTION_NAME: props.starterFunction.functionName,
        TEXTRACT_CALLBACK_FUNCTION_NAME: props.textractCallbackFunction.functionName,
        [PRICES_ENV]: JSON.stringify(props.prices),
      },
    });
    const fn = this.recordCostFunction.function;

    props.stateMachine.grantExecution(fn, 'states:GetExecutionHistory');
    // UpdateItem adds a run to the cost; GetItem tells a duplicate from a race when a condition fails.
    // A statement, not table.grant(), which adds `index/*` for the table's indexes.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [props.table.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:GetFunctionConfiguration'],
        resources: [...props.pipelineFunctions, props.starterFunction, props.textractCallbackFunction].map(
          (f) => f.functionArn,
        ),
      }),
    );

    this.rule = new events.Rule(this, 'RunEnded', {
      description: 'A run of the document pipeline ended: price it and add it to the document’s cost',
      eventPattern: {
        source: ['aws.states'],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...RUN_STATUSES] },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(fn, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
  }
}
