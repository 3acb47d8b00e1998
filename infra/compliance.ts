import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { UPLOAD_KEY_PREFIX } from '../lambdas/api/upload-keys';
import { DocflowFunction } from './constructs/docflow-function';
import { DERIVATIVE_PREFIXES, INCOMING_PREFIX } from './constructs/document-store';
import type { DocflowStack } from './stacks/docflow-stack';

/**
 * Registers the cdk-nag packs docflow is held to. cdk-nag 3 packs are policy-validation plugins: a
 * finding that is not acknowledged in {@link suppressNagFindings} fails the synth.
 */
export const applyNagPacks = (scope: IConstruct): void => {
  Validations.of(scope).addPlugins(
    new AwsSolutionsChecks(scope, { verbose: true }),
    new ServerlessChecks(scope, { verbose: true }),
  );
};

/**
 * How the construct id of CDK's singleton bucket-notifications Lambda begins (a custom resource,
 * because the queue policy must exist before S3 accepts the configuration). CDK appends a hash that
 * changes between its versions, and its logical id is the construct id.
 */
export const BUCKET_NOTIFICATIONS_HANDLER_PREFIX = 'BucketNotificationsHandler';

/** AWS APIs that accept no resource but "*": the only wildcards an app-owned statement may hold. */
export const ACTIONS_REQUIRING_ANY_RESOURCE = [
  // X-Ray has no resource-level permissions (Lambda active tracing, Step Functions tracing).
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  // CloudWatch Logs vended-log delivery, which Step Functions logging uses.
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  // Textract has no resource-level permissions.
  'textract:DetectDocumentText',
  'textract:StartDocumentTextDetection',
  'textract:GetDocumentTextDetection',
] as const;

/**
 * Every accepted cdk-nag finding, each with its reason. Wildcard findings are acknowledged one by one
 * with their finding id (`AwsSolutions-IAM5[Resource::…]`, cdk-nag 3's form of `appliesTo`), on the
 * construct that owns them, so a new wildcard elsewhere still fails the synth.
 */
export const suppressNagFindings = (stack: DocflowStack): void => {
  const ack = (scope: IConstruct, id: string, reason: string): void => {
    Validations.of(scope).acknowledge({ id, reason });
  };
  const { documentStore, workflow, ingest, queryApi, costAccounting } = stack;

  const functions = stack.node.findAll().filter((c): c is DocflowFunction => c instanceof DocflowFunction);
  for (const fn of functions) {
    const usesTextract =
      fn === workflow.extractTextFunction || fn === workflow.textractChannel.callbackFunction;
    ack(
      fn,
      'AwsSolutions-IAM5[Resource::*]',
      usesTextract
        ? 'Only X-Ray (active tracing) and Textract actions use "*": neither service supports resource-level permissions.'
        : 'Only the X-Ray actions of active tracing use "*": X-Ray supports no resource-level permissions.',
    );
    // record-cost is invoked asynchronously (an EventBridge target) and has its dead-letter queue.
    if (fn === costAccounting.recordCostFunction) continue;
    ack(
      fn,
      'Serverless-LambdaDLQ',
      'Invoked synchronously (Step Functions task, API Gateway, SQS event source): the caller retries and dead-letters (state machine Catch to the failed-documents queue, SQS redrive policy). A function DLQ only serves asynchronous invocations.',
    );
  }
  for (const fn of [ingest.starter, workflow.textractChannel.callbackFunction]) {
    ack(
      fn,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event sources take no on-failure destination: failed messages go to the queue’s dead-letter queue through its redrive policy (5 receives).',
    );
  }

  const objectWildcard = (bucket: IConstruct, prefix: string): string =>
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/${prefix}*]`;
  const prefixReason = (prefix: string) =>
    `Object access limited to the ${prefix} key prefix: naming a prefix in an S3 object ARN needs a trailing wildcard.`;
  ack(stack, objectWildcard(documentStore.uploadsBucket, INCOMING_PREFIX), prefixReason(INCOMING_PREFIX));
  ack(
    queryApi.handler,
    objectWildcard(documentStore.uploadsBucket, UPLOAD_KEY_PREFIX),
    `${prefixReason(UPLOAD_KEY_PREFIX)} The api function signs browser uploads (presigned POSTs) into it.`,
  );
  for (const prefix of Object.values(DERIVATIVE_PREFIXES)) {
    ack(stack, objectWildcard(documentStore.derivativesBucket, prefix), prefixReason(prefix));
  }

  ack(
    workflow.stateMachine,
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray tracing and CloudWatch Logs vended-log delivery use "*": neither supports resource-level permissions.',
  );
  ack(
    costAccounting.recordCostFunction,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(workflow.stateMachine)}"}]}]}:*]`,
    'GetExecutionHistory of the pipeline’s own executions: an execution ARN is the state machine’s name, a colon and the execution name, which is known only when the run ends.',
  );
  ack(
    workflow.failedDocumentsQueue,
    'AwsSolutions-SQS3',
    'This is the workflow’s own dead-letter queue (the Catch branch sends failed documents here for an operator to redrive).',
  );
  for (const queue of [
    workflow.failedDocumentsQueue,
    workflow.textractChannel.callbackDeadLetterQueue,
    ingest.deadLetterQueue,
    costAccounting.deadLetterQueue,
  ]) {
    ack(
      queue,
      'Serverless-SQSRedrivePolicy',
      'A dead-letter queue: its messages wait for an operator (an alarm fires on the first one); a DLQ of a DLQ would only move them.',
    );
  }

  const notificationsHandlers = stack.node.children.filter((child) =>
    child.node.id.startsWith(BUCKET_NOTIFICATIONS_HANDLER_PREFIX),
  );
  for (const notificationsHandler of notificationsHandlers) {
    ack(
      notificationsHandler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK’s own custom-resource function that applies the bucket notification configuration at deploy time; it only writes its logs.',
    );
  }

  ack(
    queryApi.cursorSecret,
    'AwsSolutions-SMG4',
    'An HMAC key for list cursors, not a credential: replacing it only invalidates open cursors (clients start the listing again). Rotate by replacing the secret value.',
  );
  ack(
    queryApi.restApi,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'API Gateway’s account-level role for execution logging; AWS publishes this managed policy for exactly that role.',
  );
  ack(
    queryApi.restApi,
    'AwsSolutions-APIG3',
    'Every method requires SigV4 (IAM) authorization and the stage is throttled; a WAF web ACL would add cost without a public surface to filter.',
  );
  ack(
    queryApi.restApi,
    'AwsSolutions-COG4',
    'The API is for AWS principals: every method uses IAM authorization instead of a Cognito user pool.',
  );
};

const logicalIdOf = (construct: IConstruct): string => {
  const element = construct.node.defaultChild as CfnElement;
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(element)) as string;
};
