import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ENTRY_METADATA_KEY } from '../../infra/constructs/pipeline-function';
import { planEventRule } from './event-rule';
import { IntrinsicResolver, referencedLogicalIds, type ValueLocation } from './intrinsics';
import { LOCAL_ACCOUNT_ID, ResourceIdentities, type StackEnvironment } from './physical-ids';
import type {
  AcknowledgedResource,
  ApiRoute,
  ApiStep,
  BucketNotificationStep,
  BucketStep,
  CorsRuleSpec,
  DeploymentPlan,
  DeployStep,
  EventSourceStep,
  FunctionStep,
  GenerateSecretSpec,
  IndexSpec,
  KeyElement,
  NotificationRuleSpec,
  PlannedOutput,
  PlannedResource,
  QueueStep,
  RedrivePolicy,
  SecretStep,
  StateMachineStep,
  SubscriptionStep,
  TableStep,
  Throughput,
  TopicStep,
} from './steps';
import { type CfnResource, type CfnTemplate, describeLocation, TemplateError } from './template';

export interface PlanOptions {
  readonly stackName: string;
  readonly region: string;
  /** @default {@link LOCAL_ACCOUNT_ID} */
  readonly accountId?: string;
  /** The SQS endpoint clients use: queue URLs are built on it. */
  readonly queueEndpoint: string;
  /** Function entries in the template metadata are relative to this folder. */
  readonly projectRoot: string;
  /**
   * Where the functions' assets are: `asset.<hash>` folders, named by the template's S3 keys.
   * @default `<projectRoot>/cdk.out`, where `cdk synth` writes them
   */
  readonly assetDirectory?: string;
  /** File assets by S3 object key (a state machine's `DefinitionS3Location`). */
  readonly fileAssets?: Readonly<Record<string, string>>;
  /** Template parameter values. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The types the local cloud creates something for. */
export const SUPPORTED_TYPES = [
  'AWS::S3::Bucket',
  'Custom::S3BucketNotifications',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::DynamoDB::Table',
  'AWS::SecretsManager::Secret',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::StepFunctions::StateMachine',
  'AWS::Events::Rule',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
] as const;

const NO_PERMISSIONS = 'the local cloud does not check permissions';
const NO_CLOUDWATCH = 'the local cloud has no CloudWatch: functions log to its output';

/** Types with no local behaviour, and why deploying nothing for them is right. Any other type is an error. */
export const ACKNOWLEDGED_TYPES: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': NO_PERMISSIONS,
  'AWS::IAM::Policy': NO_PERMISSIONS,
  'AWS::IAM::ManagedPolicy': NO_PERMISSIONS,
  'AWS::Lambda::Permission': NO_PERMISSIONS,
  'AWS::S3::BucketPolicy': NO_PERMISSIONS,
  'AWS::SQS::QueuePolicy': NO_PERMISSIONS,
  'AWS::SNS::TopicPolicy': NO_PERMISSIONS,
  'AWS::Logs::LogGroup': NO_CLOUDWATCH,
  'AWS::Logs::MetricFilter': NO_CLOUDWATCH,
  'AWS::CloudWatch::Alarm': NO_CLOUDWATCH,
  'AWS::CloudWatch::CompositeAlarm': NO_CLOUDWATCH,
  'AWS::CloudWatch::Dashboard': NO_CLOUDWATCH,
  'Custom::LogRetention': NO_CLOUDWATCH,
  'AWS::ApiGateway::Deployment': 'the local API serves the methods as soon as they are deployed',
  'AWS::ApiGateway::Stage':
    'its name and TracingEnabled are read into the API; throttling and logging have no local effect',
  'AWS::ApiGateway::Account': 'an account-wide CloudWatch role: nothing local',
  'AWS::ApiGateway::RequestValidator': 'its settings are read into the route table of each method using it',
  'AWS::CDK::Metadata': 'CDK usage metadata',
};

/** Custom resources whose provider function the local deployer stands in for. */
const PROVIDED_CUSTOM_TYPES = new Set(['Custom::S3BucketNotifications', 'Custom::LogRetention']);

const PROVIDER_REASON = 'the provider of a custom resource the local deployer handles itself';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const dependsOnOf = (resource: CfnResource): readonly string[] =>
  resource.DependsOn === undefined
    ? []
    : typeof resource.DependsOn === 'string'
      ? [resource.DependsOn]
      : resource.DependsOn;

/**
 * Orders resources so that each comes after what it refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
 * `DependsOn`); among resources ready at once, template order wins.
 */
export const dependencyOrder = (template: CfnTemplate, included: readonly string[]): string[] => {
  const members = new Set(included);
  const dependencies = new Map<string, Set<string>>();
  for (const logicalId of included) {
    const resource = template.Resources[logicalId] as CfnResource;
    const on = referencedLogicalIds(template, resource.Properties ?? {});
    for (const name of dependsOnOf(resource)) {
      if (!Object.hasOwn(template.Resources, name)) {
        throw new TemplateError(
          `${describeLocation(template, logicalId)} DependsOn ${name}, which does not exist`,
        );
      }
      on.add(name);
    }
    dependencies.set(logicalId, new Set([...on].filter((name) => members.has(name) && name !== logicalId)));
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < included.length) {
    const next = included.find(
      (logicalId) =>
        !placed.has(logicalId) && [...(dependencies.get(logicalId) ?? [])].every((name) => placed.has(name)),
    );
    if (next === undefined) {
      const stuck = included.filter((logicalId) => !placed.has(logicalId));
      throw new TemplateError(`circular dependency between ${stuck.join(', ')}`);
    }
    order.push(next);
    placed.add(next);
  }
  return order;
};

/**
 * Turns a synthesized template into the ordered list of what to create locally. Every resource is
 * either deployed (a {@link SUPPORTED_TYPES} type), acknowledged (an {@link ACKNOWLEDGED_TYPES} type,
 * or the provider function of a custom resource handled here), or a {@link TemplateError} naming its
 * type and logical id. Every value is resolved: no intrinsic is left in the plan.
 */
export const planDeployment = (template: CfnTemplate, options: PlanOptions): DeploymentPlan => {
  const env: StackEnvironment = {
    stackName: options.stackName,
    region: options.region,
    accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
    queueEndpoint: options.queueEndpoint,
  };
  const resolver = new IntrinsicResolver(template, env, {
    ...(options.parameters ? { parameters: options.parameters } : {}),
  });
  const identities = new ResourceIdentities(template, env, (logicalId, name) =>
    resolver.property(logicalId, name),
  );
  resolver.bind(identities);
  return new Planner(template, env, resolver, options).plan();
};

const SUPPORTED = new Set<string>(SUPPORTED_TYPES);

class Planner {
  readonly #template: CfnTemplate;
  readonly #env: StackEnvironment;
  readonly #resolver: IntrinsicResolver;
  readonly #options: PlanOptions;
  readonly #included: string[];

  constructor(
    template: CfnTemplate,
    env: StackEnvironment,
    resolver: IntrinsicResolver,
    options: PlanOptions,
  ) {
    this.#template = template;
    this.#env = env;
    this.#resolver = resolver;
    this.#options = options;
    this.#included = Object.entries(template.Resources)
      .filter(([, resource]) => resolver.isIncluded(resource.Condition))
      .map(([logicalId]) => logicalId);
  }

  plan(): DeploymentPlan {
    const acknowledged = this.#classify();
    const acknowledgedIds = new Set(acknowledged.map((resource) => resource.logicalId));
    const order = dependencyOrder(this.#template, this.#included).filter((id) => !acknowledgedIds.has(id));
    const steps = this.#steps(order);
    const resources: Record<string, PlannedResource> = {};
    for (const logicalId of order) {
      const identity = this.#resolver.identity(logicalId);
      resources[logicalId] = {
        type: identity.type,
        physicalId: identity.physicalId,
        ref: identity.ref,
        ...(identity.arn === undefined ? {} : { arn: identity.arn }),
        ...(identity.url === undefined ? {} : { url: identity.url }),
      };
    }
    return {
      stackName: this.#env.stackName,
      region: this.#env.region,
      accountId: this.#env.accountId,
      steps,
      resources,
      acknowledged,
      outputs: this.#outputs(),
    };
  }

  /** Acknowledged resources; throws for a type that is neither supported nor acknowledged. */
  #classify(): AcknowledgedResource[] {
    const providers = this.#providerFunctions();
    const acknowledged: AcknowledgedResource[] = [];
    for (const logicalId of this.#included) {
      const { Type: type, Metadata: metadata } = this.#resource(logicalId);
      if (type === 'AWS::Lambda::Function' && metadata?.[ENTRY_METADATA_KEY] === undefined) {
        if (!providers.has(logicalId)) {
          throw new TemplateError(
            `${describeLocation(this.#template, logicalId)} has no "${ENTRY_METADATA_KEY}" metadata: the local cloud cannot tell which TypeScript entry it runs (build functions with the PipelineFunction construct)`,
          );
        }
        acknowledged.push({ logicalId, type, reason: PROVIDER_REASON });
        continue;
      }
      if (SUPPORTED.has(type)) continue;
      const reason = ACKNOWLEDGED_TYPES[type];
      if (reason === undefined) {
        throw new TemplateError(
          `${logicalId} is of type ${type}, which the local cloud does not support: it would not exist locally. ` +
            'Support it in local/deploy/plan.ts, or acknowledge it there if it needs no local behaviour.',
        );
      }
      acknowledged.push({ logicalId, type, reason });
    }
    return acknowledged;
  }

  /** Functions that are only the `ServiceToken` of custom resources the deployer handles itself. */
  #providerFunctions(): Set<string> {
    const tokens = new Set<string>();
    const others = new Set<string>();
    for (const logicalId of this.#included) {
      const resource = this.#resource(logicalId);
      const token = resource.Properties?.ServiceToken;
      if (PROVIDED_CUSTOM_TYPES.has(resource.Type)) {
        for (const id of referencedLogicalIds(this.#template, token)) tokens.add(id);
        continue;
      }
      if (ACKNOWLEDGED_TYPES[resource.Type] !== undefined) continue;
      for (const id of referencedLogicalIds(this.#template, resource.Properties ?? {})) others.add(id);
    }
    return new Set([...tokens].filter((id) => !others.has(id)));
  }

  #resource(logicalId: string): CfnResource {
    const resource = this.#template.Resources[logicalId];
    if (!resource) throw new TemplateError(`the template has no resource ${logicalId}`);
    return resource;
  }

  #error(logicalId: string, path: readonly (string | number)[], message: string): TemplateError {
    return new TemplateError(`${describeLocation(this.#template, logicalId, path)}: ${message}`);
  }

  #prop(logicalId: string, name: string): unknown {
    return this.#resolver.property(logicalId, name);
  }

  #at(logicalId: string, ...path: (string | number)[]): ValueLocation {
    return { owner: logicalId, path: ['Properties', ...path] };
  }

  #string(logicalId: string, name: string): string | undefined {
    const value = this.#prop(logicalId, name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.#error(logicalId, ['Properties', name], 'must be a string');
  }

  #number(logicalId: string, name: string, value: unknown = this.#prop(logicalId, name)): number | undefined {
    if (value === undefined) return undefined;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw this.#error(logicalId, ['Properties', name], `must be a number, got ${JSON.stringify(value)}`);
    }
    return number;
  }

  /** Notes for the properties present that the step does not carry. */
  #notes(
    logicalId: string,
    carried: readonly string[],
    reasons: Readonly<Record<string, string>> = {},
    extra: readonly string[] = [],
  ): string[] {
    const properties = Object.keys(this.#resource(logicalId).Properties ?? {});
    const ignored = properties.filter(
      (name) => !carried.includes(name) && !['Tags', 'Description'].includes(name),
    );
    return [
      ...ignored.map(
        (name) => `${name} is not applied locally: ${reasons[name] ?? 'it has no local behaviour'}`,
      ),
      ...extra,
    ];
  }

  #steps(order: readonly string[]): DeployStep[] {
    // Steps that gather several resources (a bucket's notifications, a REST API's methods) come once
    // the last of their resources is reached.
    const groups = new Map<
      string,
      { last: number; members: string[]; build: (members: string[]) => DeployStep }
    >();
    const join = (
      key: string,
      index: number,
      logicalId: string,
      build: (members: string[]) => DeployStep,
    ) => {
      const group = groups.get(key) ?? { last: index, members: [], build };
      group.last = index;
      group.members.push(logicalId);
      groups.set(key, group);
    };
    const restApis = this.#byRef(order, 'AWS::ApiGateway::RestApi');
    order.forEach((logicalId, index) => {
      const { Type: type, Properties: properties } = this.#resource(logicalId);
      if (
        type === 'Custom::S3BucketNotifications' ||
        (type === 'AWS::S3::Bucket' && properties?.NotificationConfiguration)
      ) {
        const bucketName =
          type === 'AWS::S3::Bucket'
            ? this.#resolver.identity(logicalId).physicalId
            : this.#resolver.resolveString(properties?.BucketName, this.#at(logicalId, 'BucketName'));
        join(`notifications:${bucketName}`, index, logicalId, (members) =>
          this.#notifications(bucketName, members),
        );
      }
      if (type.startsWith('AWS::ApiGateway::')) {
        const restApi =
          type === 'AWS::ApiGateway::RestApi'
            ? logicalId
            : restApis.get(
                this.#resolver.resolveString(properties?.RestApiId, this.#at(logicalId, 'RestApiId')),
              );
        if (restApi === undefined) {
          throw this.#error(logicalId, ['Properties', 'RestApiId'], 'is not a REST API of this template');
        }
        join(`api:${restApi}`, index, logicalId, (members) => this.#api(restApi, members, order));
      }
    });
    const steps: DeployStep[] = [];
    order.forEach((logicalId, index) => {
      const step = this.#step(logicalId, steps);
      if (step) steps.push(step);
      for (const group of groups.values()) if (group.last === index) steps.push(group.build(group.members));
    });
    return steps;
  }

  /** Resources of a type by what `Ref` gives for them. */
  #byRef(order: readonly string[], type: string): Map<string, string> {
    return new Map(
      order
        .filter((logicalId) => this.#resource(logicalId).Type === type)
        .map((logicalId) => [this.#resolver.identity(logicalId).ref, logicalId] as const),
    );
  }

  #step(logicalId: string, earlier: readonly DeployStep[]): DeployStep | undefined {
    switch (this.#resource(logicalId).Type) {
      case 'AWS::S3::Bucket':
        return this.#bucket(logicalId);
      case 'AWS::SQS::Queue':
        return this.#queue(logicalId, earlier);
      case 'AWS::SNS::Topic':
        return this.#topic(logicalId);
      case 'AWS::SNS::Subscription':
        return this.#subscription(logicalId, earlier);
      case 'AWS::DynamoDB::Table':
        return this.#table(logicalId);
      case 'AWS::SecretsManager::Secret':
        return this.#secret(logicalId);
      case 'AWS::Lambda::Function':
        return this.#function(logicalId);
      case 'AWS::Lambda::EventSourceMapping':
        return this.#eventSource(logicalId, earlier);
      case 'AWS::StepFunctions::StateMachine':
        return this.#stateMachine(logicalId);
      case 'AWS::Events::Rule': {
        const identity = this.#resolver.identity(logicalId);
        return planEventRule(
          {
            logicalId,
            name: identity.physicalId,
            arn: identity.arn ?? '',
            property: (name) => this.#prop(logicalId, name),
            error: (path, message) => this.#error(logicalId, path, message),
            notes: (carried, reasons) => this.#notes(logicalId, carried, reasons),
          },
          earlier,
        );
      }
      default:
        // Grouped types (notifications, API resources and methods) become their group's step.
        return undefined;
    }
  }

  #bucket(logicalId: string): BucketStep {
    const identity = this.#resolver.identity(logicalId);
    const versioning = this.#prop(logicalId, 'VersioningConfiguration');
    const versioned = isRecord(versioning) && versioning.Status === 'Enabled';
    const cors = this.#prop(logicalId, 'CorsConfiguration');
    const strings = (value: unknown): string[] => asList(value).map(String);
    return {
      kind: 'bucket',
      logicalId,
      bucketName: identity.physicalId,
      bucketArn: identity.arn ?? '',
      versioned,
      cors: (isRecord(cors) ? asList(cors.CorsRules) : []).filter(isRecord).map(
        (rule): CorsRuleSpec => ({
          ...(typeof rule.Id === 'string' ? { id: rule.Id } : {}),
          allowedMethods: strings(rule.AllowedMethods),
          allowedOrigins: strings(rule.AllowedOrigins),
          allowedHeaders: strings(rule.AllowedHeaders),
          exposedHeaders: strings(rule.ExposedHeaders),
          ...(rule.MaxAge === undefined ? {} : { maxAgeSeconds: Number(rule.MaxAge) }),
        }),
      ),
      notes: this.#notes(
        logicalId,
        ['BucketName', 'VersioningConfiguration', 'NotificationConfiguration', 'CorsConfiguration'],
        {
          BucketEncryption: 'objects are not encrypted at rest locally',
          LifecycleConfiguration: 'nothing expires locally',
          LoggingConfiguration: 'the local S3 writes no server access logs',
          OwnershipControls: NO_PERMISSIONS,
          PublicAccessBlockConfiguration: NO_PERMISSIONS,
        },
        versioned
          ? [
              'versioning is requested, but fauxqs keeps no object versions: objects have no versionId locally',
            ]
          : [],
      ),
    };
  }

  #notifications(bucketName: string, members: readonly string[]): BucketNotificationStep {
    const rules: NotificationRuleSpec[] = [];
    let bucketLogicalId: string | undefined;
    for (const logicalId of members) {
      const resource = this.#resource(logicalId);
      if (resource.Type === 'AWS::S3::Bucket') {
        bucketLogicalId = logicalId;
        rules.push(...this.#nativeNotificationRules(logicalId));
      } else {
        rules.push(...this.#customNotificationRules(logicalId));
      }
    }
    return {
      kind: 'bucketNotification',
      logicalId: bucketLogicalId ?? (members[0] as string),
      bucketName,
      sources: [...members],
      rules,
      notes: [],
    };
  }

  /** `AWS::S3::Bucket.NotificationConfiguration`: `Event` (one), `Queue`/`Topic`, `Filter.S3Key.Rules`. */
  #nativeNotificationRules(logicalId: string): NotificationRuleSpec[] {
    const configuration = this.#prop(logicalId, 'NotificationConfiguration');
    if (!isRecord(configuration)) return [];
    const path = ['Properties', 'NotificationConfiguration'];
    for (const unsupported of ['LambdaConfigurations', 'EventBridgeConfiguration']) {
      if (configuration[unsupported] !== undefined) {
        throw this.#error(
          logicalId,
          [...path, unsupported],
          'the local S3 sends notifications to queues and topics only',
        );
      }
    }
    const rules: NotificationRuleSpec[] = [];
    for (const [list, kind, arnKey] of [
      ['QueueConfigurations', 'queue', 'Queue'],
      ['TopicConfigurations', 'topic', 'Topic'],
    ] as const) {
      for (const entry of asList(configuration[list])) {
        if (!isRecord(entry)) continue;
        const filter =
          isRecord(entry.Filter) && isRecord(entry.Filter.S3Key) ? entry.Filter.S3Key.Rules : undefined;
        rules.push({
          destination: { kind, arn: String(entry[arnKey]) },
          events: [String(entry.Event)],
          filter: filterOf(filter),
        });
      }
    }
    return rules;
  }

  /** CDK's `Custom::S3BucketNotifications`: the `PutBucketNotificationConfiguration` shape. */
  #customNotificationRules(logicalId: string): NotificationRuleSpec[] {
    const configuration = this.#prop(logicalId, 'NotificationConfiguration');
    if (!isRecord(configuration)) return [];
    const path = ['Properties', 'NotificationConfiguration'];
    for (const unsupported of ['LambdaFunctionConfigurations', 'EventBridgeConfiguration']) {
      if (configuration[unsupported] !== undefined && asList(configuration[unsupported]).length !== 0) {
        throw this.#error(
          logicalId,
          [...path, unsupported],
          'the local S3 sends notifications to queues and topics only',
        );
      }
    }
    const rules: NotificationRuleSpec[] = [];
    for (const [list, kind, arnKey] of [
      ['QueueConfigurations', 'queue', 'QueueArn'],
      ['TopicConfigurations', 'topic', 'TopicArn'],
    ] as const) {
      for (const entry of asList(configuration[list])) {
        if (!isRecord(entry)) continue;
        const filter =
          isRecord(entry.Filter) && isRecord(entry.Filter.Key) ? entry.Filter.Key.FilterRules : undefined;
        rules.push({
          ...(typeof entry.Id === 'string' ? { id: entry.Id } : {}),
          destination: { kind, arn: String(entry[arnKey]) },
          events: asList(entry.Events).map(String),
          filter: filterOf(filter),
        });
      }
    }
    return rules;
  }

  #queue(logicalId: string, earlier: readonly DeployStep[]): QueueStep {
    const identity = this.#resolver.identity(logicalId);
    const attributes: Record<string, string> = {};
    for (const name of [
      'VisibilityTimeout',
      'MessageRetentionPeriod',
      'DelaySeconds',
      'MaximumMessageSize',
      'ReceiveMessageWaitTimeSeconds',
      'FifoQueue',
      'ContentBasedDeduplication',
      'DeduplicationScope',
      'FifoThroughputLimit',
    ]) {
      const value = this.#string(logicalId, name);
      if (value !== undefined) attributes[name] = value;
    }
    let redrivePolicy: RedrivePolicy | undefined;
    const redrive = parseJsonish(this.#prop(logicalId, 'RedrivePolicy'));
    if (redrive !== undefined) {
      if (!isRecord(redrive) || typeof redrive.deadLetterTargetArn !== 'string') {
        throw this.#error(logicalId, ['Properties', 'RedrivePolicy'], 'needs a deadLetterTargetArn');
      }
      const maxReceiveCount = this.#number(
        logicalId,
        'RedrivePolicy.maxReceiveCount',
        redrive.maxReceiveCount,
      );
      if (maxReceiveCount === undefined) {
        throw this.#error(logicalId, ['Properties', 'RedrivePolicy'], 'needs a maxReceiveCount');
      }
      const target = redrive.deadLetterTargetArn;
      if (!earlier.some((step) => step.kind === 'queue' && step.queueArn === target)) {
        throw this.#error(
          logicalId,
          ['Properties', 'RedrivePolicy'],
          `dead-letter queue ${target} is not a queue of this template`,
        );
      }
      redrivePolicy = { deadLetterTargetArn: target, maxReceiveCount };
      attributes.RedrivePolicy = JSON.stringify(redrivePolicy);
    }
    const redriveAllow = parseJsonish(this.#prop(logicalId, 'RedriveAllowPolicy'));
    if (redriveAllow !== undefined) attributes.RedriveAllowPolicy = JSON.stringify(redriveAllow);
    return {
      kind: 'queue',
      logicalId,
      queueName: identity.physicalId,
      queueArn: identity.arn ?? '',
      queueUrl: identity.url ?? '',
      attributes,
      ...(redrivePolicy ? { redrivePolicy } : {}),
      notes: this.#notes(
        logicalId,
        ['QueueName', 'RedrivePolicy', 'RedriveAllowPolicy', ...Object.keys(attributes)],
        {
          SqsManagedSseEnabled: 'messages are not encrypted at rest locally',
          KmsMasterKeyId: 'messages are not encrypted at rest locally',
          KmsDataKeyReusePeriodSeconds: 'messages are not encrypted at rest locally',
        },
      ),
    };
  }

  #topic(logicalId: string): TopicStep {
    if (this.#prop(logicalId, 'Subscription') !== undefined) {
      throw this.#error(
        logicalId,
        ['Properties', 'Subscription'],
        'inline subscriptions are not supported locally: use AWS::SNS::Subscription resources (CDK does)',
      );
    }
    const identity = this.#resolver.identity(logicalId);
    const attributes: Record<string, string> = {};
    for (const name of ['FifoTopic', 'ContentBasedDeduplication']) {
      const value = this.#string(logicalId, name);
      if (value !== undefined) attributes[name] = value;
    }
    return {
      kind: 'topic',
      logicalId,
      topicName: identity.physicalId,
      topicArn: identity.arn ?? '',
      attributes,
      notes: this.#notes(logicalId, ['TopicName', ...Object.keys(attributes)], {
        KmsMasterKeyId: 'messages are not encrypted at rest locally',
      }),
    };
  }

  #subscription(logicalId: string, earlier: readonly DeployStep[]): SubscriptionStep {
    const protocol = this.#string(logicalId, 'Protocol');
    if (protocol !== 'sqs') {
      throw this.#error(
        logicalId,
        ['Properties', 'Protocol'],
        `protocol ${protocol} is not supported locally (only sqs)`,
      );
    }
    const topicArn = this.#string(logicalId, 'TopicArn') ?? '';
    const endpoint = this.#string(logicalId, 'Endpoint') ?? '';
    if (!earlier.some((step) => step.kind === 'topic' && step.topicArn === topicArn)) {
      throw this.#error(logicalId, ['Properties', 'TopicArn'], `${topicArn} is not a topic of this template`);
    }
    if (!earlier.some((step) => step.kind === 'queue' && step.queueArn === endpoint)) {
      throw this.#error(logicalId, ['Properties', 'Endpoint'], `${endpoint} is not a queue of this template`);
    }
    const attributes: Record<string, string> = {};
    for (const name of ['RawMessageDelivery', 'FilterPolicyScope']) {
      const value = this.#string(logicalId, name);
      if (value !== undefined) attributes[name] = value;
    }
    for (const name of ['FilterPolicy', 'RedrivePolicy']) {
      const value = parseJsonish(this.#prop(logicalId, name));
      if (value !== undefined) attributes[name] = JSON.stringify(value);
    }
    return {
      kind: 'subscription',
      logicalId,
      topicArn,
      protocol,
      endpoint,
      attributes,
      notes: this.#notes(logicalId, ['Protocol', 'TopicArn', 'Endpoint', ...Object.keys(attributes)]),
    };
  }

  #table(logicalId: string): TableStep {
    const identity = this.#resolver.identity(logicalId);
    const keySchema = this.#keySchema(logicalId, this.#prop(logicalId, 'KeySchema'), ['KeySchema']);
    const definitions = asList(this.#prop(logicalId, 'AttributeDefinitions')).map((definition, index) => {
      if (!isRecord(definition) || typeof definition.AttributeName !== 'string') {
        throw this.#error(logicalId, ['Properties', 'AttributeDefinitions', index], 'needs an AttributeName');
      }
      return { attributeName: definition.AttributeName, attributeType: String(definition.AttributeType) };
    });
    const billingMode = this.#string(logicalId, 'BillingMode') ?? 'PROVISIONED';
    if (billingMode !== 'PAY_PER_REQUEST' && billingMode !== 'PROVISIONED') {
      throw this.#error(logicalId, ['Properties', 'BillingMode'], `unknown billing mode ${billingMode}`);
    }
    const throughput = this.#throughput(logicalId, this.#prop(logicalId, 'ProvisionedThroughput'));
    const indexes = (name: string) =>
      asList(this.#prop(logicalId, name)).map((index, position): IndexSpec => {
        if (!isRecord(index) || typeof index.IndexName !== 'string') {
          throw this.#error(logicalId, ['Properties', name, position], 'needs an IndexName');
        }
        const projection = isRecord(index.Projection) ? index.Projection : {};
        const projectionType = String(projection.ProjectionType ?? 'ALL');
        if (projectionType !== 'ALL' && projectionType !== 'KEYS_ONLY' && projectionType !== 'INCLUDE') {
          throw this.#error(
            logicalId,
            ['Properties', name, position],
            `unknown projection ${projectionType}`,
          );
        }
        const indexThroughput = this.#throughput(logicalId, index.ProvisionedThroughput);
        return {
          indexName: index.IndexName,
          keySchema: this.#keySchema(logicalId, index.KeySchema, [name, position, 'KeySchema']),
          projectionType,
          ...(Array.isArray(projection.NonKeyAttributes)
            ? { nonKeyAttributes: projection.NonKeyAttributes.map(String) }
            : {}),
          ...(indexThroughput ? { provisionedThroughput: indexThroughput } : {}),
        };
      });
    const ttl = this.#prop(logicalId, 'TimeToLiveSpecification');
    const timeToLiveAttribute =
      isRecord(ttl) && ttl.Enabled !== false && typeof ttl.AttributeName === 'string'
        ? ttl.AttributeName
        : undefined;
    return {
      kind: 'table',
      logicalId,
      tableName: identity.physicalId,
      tableArn: identity.arn ?? '',
      keySchema,
      attributeDefinitions: definitions,
      billingMode,
      ...(throughput ? { provisionedThroughput: throughput } : {}),
      globalSecondaryIndexes: indexes('GlobalSecondaryIndexes'),
      localSecondaryIndexes: indexes('LocalSecondaryIndexes'),
      ...(timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute }),
      notes: this.#notes(
        logicalId,
        [
          'TableName',
          'KeySchema',
          'AttributeDefinitions',
          'BillingMode',
          'ProvisionedThroughput',
          'GlobalSecondaryIndexes',
          'LocalSecondaryIndexes',
        ],
        {
          TimeToLiveSpecification: `dynalite has no TTL: items never expire locally (attribute ${timeToLiveAttribute ?? 'none'})`,
          PointInTimeRecoverySpecification: 'the local DynamoDB keeps no backups',
          SSESpecification: 'items are not encrypted at rest locally',
          DeletionProtectionEnabled: 'local tables are only deleted by starting fresh',
          StreamSpecification: 'dynalite has no streams',
        },
      ),
    };
  }

  #keySchema(logicalId: string, value: unknown, path: readonly (string | number)[]): KeyElement[] {
    const elements = asList(value).map((element) => {
      if (!isRecord(element) || typeof element.AttributeName !== 'string') return undefined;
      const keyType = element.KeyType;
      return keyType === 'HASH' || keyType === 'RANGE'
        ? { attributeName: element.AttributeName, keyType }
        : undefined;
    });
    if (elements.length === 0 || elements.some((element) => element === undefined)) {
      throw this.#error(
        logicalId,
        ['Properties', ...path],
        'must list AttributeName and KeyType (HASH or RANGE)',
      );
    }
    return elements as KeyElement[];
  }

  #throughput(logicalId: string, value: unknown): Throughput | undefined {
    if (!isRecord(value)) return undefined;
    return {
      readCapacityUnits: this.#number(logicalId, 'ReadCapacityUnits', value.ReadCapacityUnits) ?? 1,
      writeCapacityUnits: this.#number(logicalId, 'WriteCapacityUnits', value.WriteCapacityUnits) ?? 1,
    };
  }

  #secret(logicalId: string): SecretStep {
    const identity = this.#resolver.identity(logicalId);
    const secretString = this.#string(logicalId, 'SecretString');
    const generate = this.#prop(logicalId, 'GenerateSecretString');
    if ((secretString === undefined) === (generate === undefined)) {
      throw this.#error(
        logicalId,
        ['Properties'],
        'needs exactly one of SecretString and GenerateSecretString',
      );
    }
    const description = this.#string(logicalId, 'Description');
    return {
      kind: 'secret',
      logicalId,
      name: identity.physicalId,
      arn: identity.arn ?? '',
      ...(description === undefined ? {} : { description }),
      value:
        secretString === undefined ? { generate: this.#generateSpec(logicalId, generate) } : { secretString },
      notes: this.#notes(logicalId, ['Name', 'SecretString', 'GenerateSecretString'], {
        KmsKeyId: 'secrets are kept in plain JSON locally',
        ReplicaRegions: 'the local cloud has one region',
      }),
    };
  }

  #generateSpec(logicalId: string, value: unknown): GenerateSecretSpec {
    if (!isRecord(value))
      throw this.#error(logicalId, ['Properties', 'GenerateSecretString'], 'must be an object');
    const flag = (name: string) =>
      value[name] === undefined ? {} : { [lowerFirst(name)]: isTrue(value[name]) };
    const text = (name: string) =>
      value[name] === undefined ? {} : { [lowerFirst(name)]: String(value[name]) };
    const length = this.#number(logicalId, 'GenerateSecretString.PasswordLength', value.PasswordLength);
    return {
      ...(length === undefined ? {} : { passwordLength: length }),
      ...text('ExcludeCharacters'),
      ...flag('ExcludeNumbers'),
      ...flag('ExcludePunctuation'),
      ...flag('ExcludeUppercase'),
      ...flag('ExcludeLowercase'),
      ...flag('IncludeSpace'),
      ...flag('RequireEachIncludedType'),
      ...text('SecretStringTemplate'),
      ...text('GenerateStringKey'),
    };
  }

  #function(logicalId: string): FunctionStep {
    const resource = this.#resource(logicalId);
    const identity = this.#resolver.identity(logicalId);
    const sourceEntry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (typeof sourceEntry !== 'string' || sourceEntry.length === 0) {
      throw this.#error(logicalId, ['Metadata', ENTRY_METADATA_KEY], 'must name the TypeScript entry');
    }
    const code = this.#prop(logicalId, 'Code');
    const s3Key = isRecord(code) ? code.S3Key : undefined;
    if (typeof s3Key !== 'string' || !/^[0-9a-f]{64}\.zip$/.test(s3Key)) {
      throw this.#error(
        logicalId,
        ['Properties', 'Code', 'S3Key'],
        'must be the S3 key of a synthesized asset (<hash>.zip)',
      );
    }
    const assetDirectory = this.#options.assetDirectory ?? join(this.#options.projectRoot, 'cdk.out');
    const codeDirectory = join(assetDirectory, `asset.${s3Key.slice(0, -'.zip'.length)}`);
    if (!existsSync(codeDirectory)) {
      throw this.#error(
        logicalId,
        ['Properties', 'Code', 'S3Key'],
        `its asset ${basename(codeDirectory)} (the bundle of ${sourceEntry}) is not in ${assetDirectory}: synthesize the app with bundling`,
      );
    }
    const runtime = this.#string(logicalId, 'Runtime') ?? '';
    if (!runtime.startsWith('nodejs')) {
      throw this.#error(
        logicalId,
        ['Properties', 'Runtime'],
        `runtime ${runtime || 'none'} cannot run locally (only nodejs*)`,
      );
    }
    const handler = this.#string(logicalId, 'Handler') ?? '';
    if (/\s/.test(handler) || !/^[^.]+\.[^.]/.test(basename(handler))) {
      throw this.#error(logicalId, ['Properties', 'Handler'], `"${handler}" is not <module>.<export>`);
    }
    const environment: Record<string, string> = {};
    const variables = this.#prop(logicalId, 'Environment');
    if (isRecord(variables) && isRecord(variables.Variables)) {
      for (const [name, value] of Object.entries(variables.Variables)) {
        environment[name] = this.#resolver.resolveString(
          value,
          this.#at(logicalId, 'Environment', 'Variables', name),
        );
      }
    }
    const reserved = this.#number(logicalId, 'ReservedConcurrentExecutions');
    const tracingConfig = this.#prop(logicalId, 'TracingConfig');
    const tracing = isRecord(tracingConfig) ? (tracingConfig.Mode ?? 'PassThrough') : 'PassThrough';
    const deadLetterConfig = this.#prop(logicalId, 'DeadLetterConfig');
    const deadLetterQueueArn = isRecord(deadLetterConfig) ? deadLetterConfig.TargetArn : undefined;
    if (deadLetterQueueArn !== undefined && !String(deadLetterQueueArn).startsWith('arn:aws:sqs:')) {
      throw this.#error(
        logicalId,
        ['Properties', 'DeadLetterConfig', 'TargetArn'],
        `${String(deadLetterQueueArn)}: only SQS dead-letter queues are supported locally`,
      );
    }
    if (tracing !== 'Active' && tracing !== 'PassThrough') {
      throw this.#error(logicalId, ['Properties', 'TracingConfig', 'Mode'], 'must be Active or PassThrough');
    }
    return {
      kind: 'function',
      logicalId,
      name: identity.physicalId,
      arn: identity.arn ?? '',
      codeDirectory,
      handler,
      sourceEntry,
      runtime,
      timeoutSeconds: this.#number(logicalId, 'Timeout') ?? 3,
      memoryMb: this.#number(logicalId, 'MemorySize') ?? 128,
      environment,
      ...(reserved === undefined ? {} : { reservedConcurrency: reserved }),
      tracing,
      architectures: asList(this.#prop(logicalId, 'Architectures') ?? ['x86_64']).map(String),
      ...(deadLetterQueueArn === undefined ? {} : { deadLetterQueueArn: String(deadLetterQueueArn) }),
      notes: this.#notes(
        logicalId,
        [
          'FunctionName',
          'Code',
          'Runtime',
          'Handler',
          'Timeout',
          'MemorySize',
          'Environment',
          'ReservedConcurrentExecutions',
          'TracingConfig',
          'DeadLetterConfig',
        ],
        {
          Role: NO_PERMISSIONS,
          Architectures:
            'it runs on this machine’s architecture, native packages from the host’s node_modules',
          LoggingConfig: NO_CLOUDWATCH,
          EphemeralStorage: 'the function shares this machine’s temporary folder',
        },
      ),
    };
  }

  #eventSource(logicalId: string, earlier: readonly DeployStep[]): EventSourceStep {
    const sourceArn = this.#string(logicalId, 'EventSourceArn') ?? '';
    const queue = earlier.find(
      (step): step is QueueStep => step.kind === 'queue' && step.queueArn === sourceArn,
    );
    if (!queue) {
      throw this.#error(
        logicalId,
        ['Properties', 'EventSourceArn'],
        `${sourceArn || 'nothing'} is not a queue of this template: only SQS event sources are supported locally`,
      );
    }
    const functionRef = this.#string(logicalId, 'FunctionName') ?? '';
    const unqualified = functionRef.replace(/^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+):.+$/, '$1');
    const fn = earlier.find(
      (step): step is FunctionStep =>
        step.kind === 'function' && (step.name === unqualified || step.arn === unqualified),
    );
    if (!fn) {
      throw this.#error(
        logicalId,
        ['Properties', 'FunctionName'],
        `${functionRef} is not a function of this template`,
      );
    }
    if (this.#prop(logicalId, 'FilterCriteria') !== undefined) {
      throw this.#error(
        logicalId,
        ['Properties', 'FilterCriteria'],
        'event filtering is not supported locally (messages would reach the function unfiltered)',
      );
    }
    const scaling = this.#prop(logicalId, 'ScalingConfig');
    const maxConcurrency = isRecord(scaling)
      ? this.#number(logicalId, 'ScalingConfig.MaximumConcurrency', scaling.MaximumConcurrency)
      : undefined;
    const enabled = this.#prop(logicalId, 'Enabled');
    return {
      kind: 'eventSource',
      logicalId,
      functionLogicalId: fn.logicalId,
      functionName: fn.name,
      functionArn: fn.arn,
      queueLogicalId: queue.logicalId,
      queueArn: queue.queueArn,
      queueUrl: queue.queueUrl,
      batchSize: this.#number(logicalId, 'BatchSize') ?? 10,
      maximumBatchingWindowSeconds: this.#number(logicalId, 'MaximumBatchingWindowInSeconds') ?? 0,
      functionResponseTypes: asList(this.#prop(logicalId, 'FunctionResponseTypes')).map(String),
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
      enabled: enabled === undefined || isTrue(enabled),
      notes: this.#notes(logicalId, [
        'EventSourceArn',
        'FunctionName',
        'BatchSize',
        'MaximumBatchingWindowInSeconds',
        'FunctionResponseTypes',
        'ScalingConfig',
        'Enabled',
      ]),
    };
  }

  #stateMachine(logicalId: string): StateMachineStep {
    const identity = this.#resolver.identity(logicalId);
    const text = this.#definitionText(logicalId);
    const substitutions: Record<string, string> = {};
    const given = this.#prop(logicalId, 'DefinitionSubstitutions');
    if (isRecord(given)) {
      for (const [name, value] of Object.entries(given)) {
        substitutions[name] = this.#resolver.resolveString(
          value,
          this.#at(logicalId, 'DefinitionSubstitutions', name),
        );
      }
    }
    const missing = new Set<string>();
    const definition = text.replace(/\$\{([^}]+)\}/g, (placeholder, name: string) => {
      const value = substitutions[name];
      if (value === undefined) missing.add(name);
      return value ?? placeholder;
    });
    if (missing.size > 0) {
      throw this.#error(
        logicalId,
        ['Properties', 'DefinitionSubstitutions'],
        `has no value for ${[...missing].map((name) => `\${${name}}`).join(', ')}`,
      );
    }
    try {
      JSON.parse(definition);
    } catch (error) {
      throw this.#error(
        logicalId,
        ['Properties'],
        `the definition is not JSON once substituted: ${(error as Error).message}`,
      );
    }
    const tracing = this.#prop(logicalId, 'TracingConfiguration');
    const type = this.#string(logicalId, 'StateMachineType') ?? 'STANDARD';
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw this.#error(logicalId, ['Properties', 'StateMachineType'], `unknown type ${type}`);
    }
    const roleArn = this.#string(logicalId, 'RoleArn');
    return {
      kind: 'stateMachine',
      logicalId,
      name: identity.physicalId,
      arn: identity.arn ?? '',
      definition,
      substitutions,
      ...(roleArn === undefined ? {} : { roleArn }),
      tracingEnabled: isRecord(tracing) && isTrue(tracing.Enabled),
      type,
      notes: this.#notes(
        logicalId,
        [
          'StateMachineName',
          'DefinitionString',
          'Definition',
          'DefinitionS3Location',
          'DefinitionSubstitutions',
          'RoleArn',
          'TracingConfiguration',
          'StateMachineType',
        ],
        { LoggingConfiguration: 'executions and their history are kept by the local Step Functions' },
      ),
    };
  }

  /** The definition as the template gives it: a string, an object, or a file asset of the app. */
  #definitionText(logicalId: string): string {
    const inline = this.#prop(logicalId, 'DefinitionString');
    if (inline !== undefined) {
      if (typeof inline !== 'string')
        throw this.#error(logicalId, ['Properties', 'DefinitionString'], 'must be a string');
      return inline;
    }
    const object = this.#prop(logicalId, 'Definition');
    if (object !== undefined) return JSON.stringify(object);
    const location = this.#prop(logicalId, 'DefinitionS3Location');
    if (isRecord(location) && typeof location.Key === 'string') {
      const asset = this.#options.fileAssets?.[location.Key];
      if (asset === undefined) {
        throw this.#error(
          logicalId,
          ['Properties', 'DefinitionS3Location'],
          `s3://${String(location.Bucket)}/${location.Key} is not a file asset of the synthesized app`,
        );
      }
      return asset;
    }
    throw this.#error(
      logicalId,
      ['Properties'],
      'has no DefinitionString, Definition or DefinitionS3Location',
    );
  }

  #api(restApi: string, members: readonly string[], order: readonly string[]): ApiStep {
    const identity = this.#resolver.identity(restApi);
    for (const property of ['Body', 'BodyS3Location']) {
      if (this.#resource(restApi).Properties?.[property] !== undefined) {
        throw this.#error(
          restApi,
          ['Properties', property],
          'an imported OpenAPI definition is not supported locally',
        );
      }
    }
    const root = identity.attributes.RootResourceId ?? '';
    const resources = new Map<string, { parent: string; part: string; logicalId: string }>();
    for (const logicalId of members) {
      if (this.#resource(logicalId).Type !== 'AWS::ApiGateway::Resource') continue;
      resources.set(this.#resolver.identity(logicalId).ref, {
        parent: this.#string(logicalId, 'ParentId') ?? '',
        part: this.#string(logicalId, 'PathPart') ?? '',
        logicalId,
      });
    }
    const pathOf = (resourceId: string, seen: Set<string> = new Set()): string => {
      if (resourceId === root) return '/';
      const resource = resources.get(resourceId);
      if (!resource || seen.has(resourceId)) {
        throw new TemplateError(
          `${describeLocation(this.#template, restApi)}: resource ${resourceId} is not part of the API`,
        );
      }
      seen.add(resourceId);
      const parent = pathOf(resource.parent, seen);
      return `${parent === '/' ? '' : parent}/${resource.part}`;
    };
    const validators = new Map(
      this.#included
        .filter((logicalId) => this.#resource(logicalId).Type === 'AWS::ApiGateway::RequestValidator')
        .map((logicalId) => [this.#resolver.identity(logicalId).ref, logicalId] as const),
    );
    const functions = new Map(
      order
        .filter((logicalId) => this.#resource(logicalId).Type === 'AWS::Lambda::Function')
        .map((logicalId) => [this.#resolver.identity(logicalId).arn ?? '', logicalId] as const),
    );
    const routes = members
      .filter((logicalId) => this.#resource(logicalId).Type === 'AWS::ApiGateway::Method')
      .map((logicalId) =>
        this.#route(logicalId, pathOf(this.#string(logicalId, 'ResourceId') ?? ''), validators, functions),
      );
    const stages = this.#included.filter((logicalId) => {
      const type = this.#resource(logicalId).Type;
      return (
        (type === 'AWS::ApiGateway::Stage' || type === 'AWS::ApiGateway::Deployment') &&
        this.#string(logicalId, 'RestApiId') === identity.ref
      );
    });
    const stageNames = stages
      .map((logicalId) => this.#string(logicalId, 'StageName'))
      .filter((name): name is string => name !== undefined);
    const tracedStageNames = stages
      .filter((logicalId) => isTrue(this.#prop(logicalId, 'TracingEnabled')))
      .map((logicalId) => this.#string(logicalId, 'StageName'))
      .filter((name): name is string => name !== undefined);
    return {
      kind: 'api',
      logicalId: restApi,
      restApiId: identity.ref,
      name: this.#string(restApi, 'Name') ?? restApi,
      stageNames: [...new Set(stageNames)],
      tracedStageNames: [...new Set(tracedStageNames)],
      routes,
      sources: members.filter((logicalId) => logicalId !== restApi),
      notes: this.#notes(restApi, ['Name'], {
        EndpointConfiguration: 'the local API listens on this machine only',
        Policy: NO_PERMISSIONS,
      }),
    };
  }

  #route(
    logicalId: string,
    path: string,
    validators: ReadonlyMap<string, string>,
    functions: ReadonlyMap<string, string>,
  ): ApiRoute {
    const integration = this.#prop(logicalId, 'Integration');
    const at = ['Properties', 'Integration'];
    if (!isRecord(integration) || integration.Type !== 'AWS_PROXY') {
      throw this.#error(
        logicalId,
        at,
        `integration type ${isRecord(integration) ? String(integration.Type) : 'none'} is not supported locally (only Lambda proxy, AWS_PROXY)`,
      );
    }
    const uri = String(integration.Uri);
    const functionArn = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
    const functionLogicalId = functionArn === undefined ? undefined : functions.get(functionArn);
    if (functionArn === undefined || functionLogicalId === undefined) {
      throw this.#error(logicalId, [...at, 'Uri'], `${uri} does not invoke a function of this template`);
    }
    const function_ = this.#resolver.identity(functionLogicalId);
    const validatorId = this.#string(logicalId, 'RequestValidatorId');
    const validator = validatorId === undefined ? undefined : validators.get(validatorId);
    if (validatorId !== undefined && validator === undefined) {
      throw this.#error(
        logicalId,
        ['Properties', 'RequestValidatorId'],
        `${validatorId} is not a validator of this template`,
      );
    }
    const parameters = this.#prop(logicalId, 'RequestParameters');
    return {
      logicalId,
      httpMethod: (this.#string(logicalId, 'HttpMethod') ?? '').toUpperCase(),
      path,
      functionLogicalId,
      functionName: function_.physicalId,
      functionArn,
      authorizationType: this.#string(logicalId, 'AuthorizationType') ?? 'NONE',
      requestParameters: isRecord(parameters)
        ? Object.fromEntries(Object.entries(parameters).map(([name, required]) => [name, isTrue(required)]))
        : {},
      validateRequestParameters:
        validator !== undefined && isTrue(this.#prop(validator, 'ValidateRequestParameters')),
      validateRequestBody: validator !== undefined && isTrue(this.#prop(validator, 'ValidateRequestBody')),
    };
  }

  #outputs(): Record<string, PlannedOutput> {
    const outputs: Record<string, PlannedOutput> = {};
    for (const [name, output] of Object.entries(this.#template.Outputs ?? {})) {
      if (!this.#resolver.isIncluded(output.Condition)) continue;
      const at = { owner: `Outputs.${name}`, path: ['Value'] };
      const value = this.#resolver.resolve(output.Value, at);
      outputs[name] = {
        value: Array.isArray(value) ? value.map(String).join(',') : this.#resolver.resolveString(value, at),
        ...(output.Description === undefined ? {} : { description: output.Description }),
      };
    }
    return outputs;
  }
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

const isTrue = (value: unknown): boolean => value === true || value === 'true';

const lowerFirst = (name: string): string => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

/** A policy given as an object or as its JSON text. */
const parseJsonish = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const filterOf = (rules: unknown): { prefix?: string; suffix?: string } => {
  const filter: { prefix?: string; suffix?: string } = {};
  for (const rule of asList(rules)) {
    if (!isRecord(rule)) continue;
    const name = String(rule.Name).toLowerCase();
    if (name === 'prefix' || name === 'suffix') filter[name] = String(rule.Value);
  }
  return filter;
};
