/** The deployment plan: what the local cloud creates for a template, every value resolved. */

import type { EventRuleSpec } from '../events/event-bus';
import type { CorsRule } from '../s3/bucket-cors';
import type { PasswordSpec } from '../secrets/service';

export interface StepBase {
  /** The resource the step deploys (for grouped steps, the main one). */
  readonly logicalId: string;
  /** Properties of the template that have no local effect, and why. */
  readonly notes: readonly string[];
}

export interface BucketStep extends StepBase {
  readonly kind: 'bucket';
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly versioned: boolean;
  /** The bucket's CORS rules (`CorsConfiguration.CorsRules`); none when absent or empty. */
  readonly cors?: readonly CorsRule[];
}

/** One rule of a bucket's notification configuration. */
export interface NotificationRuleSpec {
  readonly id?: string;
  readonly destination: { readonly kind: 'queue' | 'topic'; readonly arn: string };
  /** `s3:ObjectCreated:*`, … */
  readonly events: readonly string[];
  readonly filter: { readonly prefix?: string; readonly suffix?: string };
}

/** A bucket's whole notification configuration, from its own property and CDK's custom resource alike. */
export interface BucketNotificationStep extends StepBase {
  readonly kind: 'bucketNotification';
  readonly bucketName: string;
  /** Every resource that contributed rules. */
  readonly sources: readonly string[];
  readonly rules: readonly NotificationRuleSpec[];
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export interface QueueStep extends StepBase {
  readonly kind: 'queue';
  readonly queueName: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  /** As `CreateQueue` takes them (strings; RedrivePolicy as JSON). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly redrivePolicy?: RedrivePolicy;
}

export interface TopicStep extends StepBase {
  readonly kind: 'topic';
  readonly topicName: string;
  readonly topicArn: string;
  /** As `CreateTopic` takes them. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SubscriptionStep extends StepBase {
  readonly kind: 'subscription';
  readonly topicArn: string;
  readonly protocol: 'sqs';
  /** The queue ARN. */
  readonly endpoint: string;
  /** As `Subscribe` takes them (RawMessageDelivery, FilterPolicy, RedrivePolicy, …). */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface KeyElement {
  readonly attributeName: string;
  readonly keyType: 'HASH' | 'RANGE';
}

export interface Throughput {
  readonly readCapacityUnits: number;
  readonly writeCapacityUnits: number;
}

export interface IndexSpec {
  readonly indexName: string;
  readonly keySchema: readonly KeyElement[];
  readonly projectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  readonly nonKeyAttributes?: readonly string[];
  readonly provisionedThroughput?: Throughput;
}

export interface TableStep extends StepBase {
  readonly kind: 'table';
  readonly tableName: string;
  readonly tableArn: string;
  readonly keySchema: readonly KeyElement[];
  readonly attributeDefinitions: readonly {
    readonly attributeName: string;
    readonly attributeType: string;
  }[];
  readonly billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly provisionedThroughput?: Throughput;
  readonly globalSecondaryIndexes: readonly IndexSpec[];
  readonly localSecondaryIndexes: readonly IndexSpec[];
  /** Carried for the record: dynalite has no TTL, items never expire locally. */
  readonly timeToLiveAttribute?: string;
}

/** CloudFormation's `GenerateSecretString`, which is also `GetRandomPassword`'s input. */
export interface GenerateSecretSpec extends PasswordSpec {
  readonly secretStringTemplate?: string;
  readonly generateStringKey?: string;
}

export interface SecretStep extends StepBase {
  readonly kind: 'secret';
  readonly name: string;
  /** The partial ARN (no random suffix) the template's references resolve to. */
  readonly arn: string;
  readonly description?: string;
  /** An explicit value, or how to generate one (generated once: the secret keeps it across restarts). */
  readonly value: { readonly secretString: string } | { readonly generate: GenerateSecretSpec };
}

/** A Lambda function; the fields are named as the local Lambda runner's `register` takes them. */
export interface FunctionStep extends StepBase {
  readonly kind: 'function';
  readonly name: string;
  readonly arn: string;
  /** The function's asset folder: the bundle `cdk deploy` uploads, unzipped (the template's S3 key names it). */
  readonly codeDirectory: string;
  /** `Handler`, as `index.handler`. */
  readonly handler: string;
  /** The TypeScript entry the bundle was built from, as the template's metadata names it. */
  readonly sourceEntry: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
  /** `TracingConfig.Mode`; PassThrough when the template sets none, as Lambda's default. */
  readonly tracing: 'Active' | 'PassThrough';
  /** `Architectures`, as the Lambda API reports them (the code runs on this machine's). @default ['x86_64'] */
  readonly architectures?: readonly string[];
  /** `DeadLetterConfig.TargetArn`: the SQS queue of asynchronous invocations that failed every attempt. */
  readonly deadLetterQueueArn?: string;
}

/** An SQS event source mapping; the fields are named as the local `SqsEventSource` takes them. */
export interface EventSourceStep extends StepBase {
  readonly kind: 'eventSource';
  readonly functionLogicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly queueLogicalId: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly functionResponseTypes: readonly string[];
  readonly maxConcurrency?: number;
  readonly enabled: boolean;
}

/** A state machine; `name`, `definition`, `roleArn` and `tracingEnabled` as the local Step Functions registers them. */
export interface StateMachineStep extends StepBase {
  readonly kind: 'stateMachine';
  readonly name: string;
  readonly arn: string;
  /** The ASL as JSON text, every `${Substitution}` applied. */
  readonly definition: string;
  readonly substitutions: Readonly<Record<string, string>>;
  readonly roleArn?: string;
  readonly tracingEnabled: boolean;
  readonly type: 'STANDARD' | 'EXPRESS';
}

/** One method of a REST API, proxied to a function. */
export interface ApiRoute {
  /** The `AWS::ApiGateway::Method`. */
  readonly logicalId: string;
  readonly httpMethod: string;
  /** The resource path template: `/documents/{id}`, `/{proxy+}`, `/`. */
  readonly path: string;
  readonly functionLogicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** `AWS_IAM`, `NONE`, … (the local API does not check signatures). */
  readonly authorizationType: string;
  /** `method.request.querystring.status` → required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  readonly validateRequestParameters: boolean;
  readonly validateRequestBody: boolean;
}

export interface ApiStep extends StepBase {
  readonly kind: 'api';
  readonly restApiId: string;
  readonly name: string;
  readonly stageNames: readonly string[];
  /** The stages whose `TracingEnabled` is true: API Gateway samples their requests for X-Ray. */
  readonly tracedStageNames: readonly string[];
  readonly routes: readonly ApiRoute[];
  /** The `AWS::ApiGateway::Resource` and `Method` resources the routes come from. */
  readonly sources: readonly string[];
}

/** An EventBridge rule and its targets (`AWS::Events::Rule`), as the local event bus's `putRule` takes it. */
export interface EventRuleStep extends StepBase, EventRuleSpec {
  readonly kind: 'eventRule';
  readonly eventBusName: string;
}

export type DeployStep =
  | BucketStep
  | BucketNotificationStep
  | QueueStep
  | TopicStep
  | SubscriptionStep
  | TableStep
  | SecretStep
  | FunctionStep
  | EventSourceStep
  | StateMachineStep
  | EventRuleStep
  | ApiStep;

/** What the local deployment knows a resource by. */
export interface PlannedResource {
  readonly type: string;
  readonly physicalId: string;
  readonly ref: string;
  readonly arn?: string;
  readonly url?: string;
}

/** A resource whose type has no local behaviour, and why that is fine. */
export interface AcknowledgedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

export interface PlannedOutput {
  readonly value: string;
  readonly description?: string;
}

/** A template turned into what to create locally, in dependency order. */
export interface DeploymentPlan {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly steps: readonly DeployStep[];
  /** Every resource a step deploys, by logical id. */
  readonly resources: Readonly<Record<string, PlannedResource>>;
  readonly acknowledged: readonly AcknowledgedResource[];
  readonly outputs: Readonly<Record<string, PlannedOutput>>;
}
