import { createHash } from 'node:crypto';
import { type CfnTemplate, describeLocation, TemplateError } from './template';

/** The account fauxqs, the local Step Functions and the local Secrets Manager all use. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Where the template is deployed: what the pseudo parameters and every generated ARN say. */
export interface StackEnvironment {
  readonly stackName: string;
  readonly region: string;
  /** @default {@link LOCAL_ACCOUNT_ID} */
  readonly accountId: string;
  /**
   * The SQS endpoint clients use; queue URLs are `<queueEndpoint>/<account>/<name>`, the form fauxqs and
   * the gateway find queues by.
   */
  readonly queueEndpoint: string;
}

export const PARTITION = 'aws';
export const URL_SUFFIX = 'amazonaws.com';

/** What CloudFormation would know a deployed resource by: `Ref`, `Fn::GetAtt` and the main ARN/URL. */
export interface ResourceIdentity {
  readonly type: string;
  /** The name or id the service knows the resource by. */
  readonly physicalId: string;
  /** What `Ref` returns. */
  readonly ref: string;
  readonly arn?: string;
  readonly url?: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Resolves one property of a resource (intrinsics included); the identities need explicit names. */
export type PropertyReader = (logicalId: string, property: string) => unknown;

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A token derived from the stack name and logical id only: the same resource gets the same name on
 * every start, so data kept on disk (items that name a bucket, executions that name a state machine)
 * still points at it. Twelve characters, like CloudFormation's suffixes — never six, which Secrets
 * Manager would read as its own ARN suffix.
 */
export const stableToken = (seed: string, length = 12): string => {
  const digest = createHash('sha256').update(seed).digest();
  return Array.from(
    { length },
    (_, index) => TOKEN_ALPHABET[(digest[index] ?? 0) % TOKEN_ALPHABET.length],
  ).join('');
};

interface NameRule {
  /** The property that names the resource explicitly. */
  readonly property?: string;
  readonly maxLength: number;
  /** S3 bucket names: lowercase letters, digits and dashes. */
  readonly lowercase?: boolean;
  /** FIFO queues and topics must end in `.fifo`. */
  readonly fifoProperty?: string;
}

/**
 * `<stack>-<logicalId>-<TOKEN>`, the prefix cut to fit the type's length limit, as CloudFormation names a
 * resource the template leaves unnamed.
 */
export const generatedName = (stackName: string, logicalId: string, rule: NameRule, fifo = false): string => {
  const suffix = fifo ? '.fifo' : '';
  const token = stableToken(`${stackName}/${logicalId}`);
  let prefix = `${stackName}-${logicalId}`;
  if (rule.lowercase) {
    prefix = prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+/, '');
  }
  const room = rule.maxLength - token.length - suffix.length - 1;
  prefix = prefix.slice(0, Math.max(0, room)).replace(/-+$/, '');
  const name = `${prefix}-${rule.lowercase ? token.toLowerCase() : token}${suffix}`;
  return name.startsWith('-') ? name.slice(1) : name;
};

const NAME_RULES: Readonly<Record<string, NameRule>> = {
  'AWS::S3::Bucket': { property: 'BucketName', maxLength: 63, lowercase: true },
  'AWS::SQS::Queue': { property: 'QueueName', maxLength: 80, fifoProperty: 'FifoQueue' },
  'AWS::SNS::Topic': { property: 'TopicName', maxLength: 256, fifoProperty: 'FifoTopic' },
  'AWS::DynamoDB::Table': { property: 'TableName', maxLength: 255 },
  'AWS::Lambda::Function': { property: 'FunctionName', maxLength: 64 },
  'AWS::StepFunctions::StateMachine': { property: 'StateMachineName', maxLength: 80 },
  'AWS::Events::Rule': { property: 'Name', maxLength: 64 },
  'AWS::SecretsManager::Secret': { property: 'Name', maxLength: 512 },
  'AWS::IAM::Role': { property: 'RoleName', maxLength: 64 },
  'AWS::IAM::ManagedPolicy': { property: 'ManagedPolicyName', maxLength: 128 },
  'AWS::Logs::LogGroup': { property: 'LogGroupName', maxLength: 512 },
  'AWS::CloudWatch::Alarm': { property: 'AlarmName', maxLength: 255 },
  'AWS::CloudWatch::Dashboard': { property: 'DashboardName', maxLength: 255 },
};

const DEFAULT_RULE: NameRule = { maxLength: 128 };

type IdentityBuilder = (
  name: string,
  context: IdentityContext,
) => Omit<ResourceIdentity, 'type' | 'physicalId'>;

interface IdentityContext {
  readonly env: StackEnvironment;
  readonly logicalId: string;
  readonly property: (name: string) => unknown;
}

const arn = (env: StackEnvironment, service: string, resource: string, regional = true, account = true) =>
  `arn:${PARTITION}:${service}:${regional ? env.region : ''}:${account ? env.accountId : ''}:${resource}`;

const lowerToken = (context: IdentityContext, length: number, salt = '') =>
  stableToken(`${context.env.stackName}/${context.logicalId}${salt}`, length).toLowerCase();

const IDENTITIES: Readonly<Record<string, IdentityBuilder>> = {
  'AWS::S3::Bucket': (name, { env }) => ({
    ref: name,
    arn: `arn:${PARTITION}:s3:::${name}`,
    attributes: {
      Arn: `arn:${PARTITION}:s3:::${name}`,
      DomainName: `${name}.s3.${URL_SUFFIX}`,
      RegionalDomainName: `${name}.s3.${env.region}.${URL_SUFFIX}`,
      DualStackDomainName: `${name}.s3.dualstack.${env.region}.${URL_SUFFIX}`,
      WebsiteURL: `http://${name}.s3-website-${env.region}.${URL_SUFFIX}`,
    },
  }),
  'AWS::SQS::Queue': (name, { env }) => {
    const url = `${env.queueEndpoint.replace(/\/+$/, '')}/${env.accountId}/${name}`;
    const queueArn = arn(env, 'sqs', name);
    return { ref: url, arn: queueArn, url, attributes: { Arn: queueArn, QueueName: name, QueueUrl: url } };
  },
  'AWS::SNS::Topic': (name, { env }) => {
    const topicArn = arn(env, 'sns', name);
    return { ref: topicArn, arn: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
  },
  'AWS::SNS::Subscription': (_, context) => {
    const topicArn = context.property('TopicArn');
    const subscriptionArn = `${String(topicArn)}:${uuidOf(`${context.env.stackName}/${context.logicalId}`)}`;
    return { ref: subscriptionArn, arn: subscriptionArn, attributes: { Arn: subscriptionArn } };
  },
  'AWS::DynamoDB::Table': (name, context) => {
    const tableArn = arn(context.env, 'dynamodb', `table/${name}`);
    const streams = context.property('StreamSpecification') !== undefined;
    return {
      ref: name,
      arn: tableArn,
      attributes: {
        Arn: tableArn,
        ...(streams ? { StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000` } : {}),
      },
    };
  },
  'AWS::Lambda::Function': (name, { env }) => {
    const functionArn = arn(env, 'lambda', `function:${name}`);
    return { ref: name, arn: functionArn, attributes: { Arn: functionArn } };
  },
  'AWS::Lambda::EventSourceMapping': (_, context) => {
    const id = uuidOf(`${context.env.stackName}/${context.logicalId}`);
    return {
      ref: id,
      attributes: { Id: id, EventSourceMappingArn: arn(context.env, 'lambda', `event-source-mapping:${id}`) },
    };
  },
  'AWS::StepFunctions::StateMachine': (name, { env }) => {
    const machineArn = arn(env, 'states', `stateMachine:${name}`);
    return { ref: machineArn, arn: machineArn, attributes: { Arn: machineArn, Name: name } };
  },
  // A rule on the default bus; one on another bus is `<bus>|<name>` for Ref and `rule/<bus>/<name>` in its ARN.
  'AWS::Events::Rule': (name, context) => {
    const bus = context.property('EventBusName');
    const busName = typeof bus === 'string' ? bus.slice(bus.lastIndexOf('/') + 1) : 'default';
    const onDefault = busName === 'default';
    const ruleArn = arn(context.env, 'events', onDefault ? `rule/${name}` : `rule/${busName}/${name}`);
    return { ref: onDefault ? name : `${busName}|${name}`, arn: ruleArn, attributes: { Arn: ruleArn } };
  },
  // Secrets Manager appends six random characters to a secret's ARN when it creates it, so the full ARN
  // cannot be known before the local service has made the secret. The partial ARN (no suffix) is
  // accepted as a SecretId by Secrets Manager and by the local one alike.
  'AWS::SecretsManager::Secret': (name, { env }) => {
    const secretArn = arn(env, 'secretsmanager', `secret:${name}`);
    return { ref: secretArn, arn: secretArn, attributes: { Id: secretArn } };
  },
  'AWS::IAM::Role': (name, context) => {
    const path = typeof context.property('Path') === 'string' ? String(context.property('Path')) : '/';
    const roleArn = arn(context.env, 'iam', `role${path}${name}`, false);
    return {
      ref: name,
      arn: roleArn,
      attributes: { Arn: roleArn, RoleId: `AROA${stableToken(`${context.env.stackName}/${name}`, 17)}` },
    };
  },
  'AWS::IAM::ManagedPolicy': (name, { env }) => {
    const policyArn = arn(env, 'iam', `policy/${name}`, false);
    return { ref: policyArn, arn: policyArn, attributes: { PolicyArn: policyArn } };
  },
  'AWS::Logs::LogGroup': (name, { env }) => ({
    ref: name,
    arn: arn(env, 'logs', `log-group:${name}:*`),
    attributes: { Arn: arn(env, 'logs', `log-group:${name}:*`) },
  }),
  'AWS::CloudWatch::Alarm': (name, { env }) => ({
    ref: name,
    arn: arn(env, 'cloudwatch', `alarm:${name}`),
    attributes: { Arn: arn(env, 'cloudwatch', `alarm:${name}`) },
  }),
  'AWS::ApiGateway::RestApi': (_, context) => {
    const id = lowerToken(context, 10);
    return { ref: id, attributes: { RestApiId: id, RootResourceId: lowerToken(context, 10, '/root') } };
  },
  'AWS::ApiGateway::Resource': (_, context) => {
    const id = lowerToken(context, 6);
    return { ref: id, attributes: { ResourceId: id } };
  },
  'AWS::ApiGateway::Deployment': (_, context) => {
    const id = lowerToken(context, 6);
    return { ref: id, attributes: { DeploymentId: id } };
  },
  'AWS::ApiGateway::RequestValidator': (_, context) => {
    const id = lowerToken(context, 6);
    return { ref: id, attributes: { RequestValidatorId: id } };
  },
  'AWS::ApiGateway::Stage': (name) => ({ ref: name, attributes: {} }),
};

/** A UUID-shaped id derived from a seed (mapping ids, subscription ids). */
const uuidOf = (seed: string): string => {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** The physical name of a resource: its explicit name property, or a generated deterministic one. */
const physicalNameOf = (
  template: CfnTemplate,
  env: StackEnvironment,
  logicalId: string,
  property: (name: string) => unknown,
): string => {
  const type = template.Resources[logicalId]?.Type ?? '';
  // A stage's physical id is its name, which the template always gives.
  if (type === 'AWS::ApiGateway::Stage') {
    const stageName = property('StageName');
    if (typeof stageName === 'string') return stageName;
  }
  const rule = NAME_RULES[type] ?? DEFAULT_RULE;
  if (rule.property !== undefined) {
    const explicit = property(rule.property);
    if (explicit !== undefined) {
      if (typeof explicit !== 'string' || explicit.length === 0) {
        throw new TemplateError(
          `${describeLocation(template, logicalId, ['Properties', rule.property])} must be a non-empty string`,
        );
      }
      return explicit;
    }
  }
  const fifo = rule.fifoProperty !== undefined && isTrue(property(rule.fifoProperty));
  return generatedName(env.stackName, logicalId, rule, fifo);
};

const isTrue = (value: unknown): boolean => value === true || value === 'true';

/**
 * The identities of a template's resources, computed on first use (an explicit name may itself be an
 * intrinsic that refers to another resource).
 */
export class ResourceIdentities {
  readonly #template: CfnTemplate;
  readonly #env: StackEnvironment;
  readonly #read: PropertyReader;
  readonly #known = new Map<string, ResourceIdentity>();
  readonly #inProgress = new Set<string>();

  constructor(template: CfnTemplate, env: StackEnvironment, read: PropertyReader) {
    this.#template = template;
    this.#env = env;
    this.#read = read;
  }

  /** The identity of a resource; a {@link TemplateError} when the template has no such resource. */
  of(logicalId: string): ResourceIdentity {
    const known = this.#known.get(logicalId);
    if (known) return known;
    const resource = this.#template.Resources[logicalId];
    if (!resource) throw new TemplateError(`the template has no resource ${logicalId}`);
    if (this.#inProgress.has(logicalId)) {
      throw new TemplateError(`the name of ${logicalId} refers back to itself`);
    }
    this.#inProgress.add(logicalId);
    try {
      const property = (name: string) => this.#read(logicalId, name);
      const name = physicalNameOf(this.#template, this.#env, logicalId, property);
      const build = IDENTITIES[resource.Type];
      const identity: ResourceIdentity = build
        ? { type: resource.Type, physicalId: name, ...build(name, { env: this.#env, logicalId, property }) }
        : { type: resource.Type, physicalId: name, ref: name, attributes: {} };
      this.#known.set(logicalId, identity);
      return identity;
    } finally {
      this.#inProgress.delete(logicalId);
    }
  }

  /** `Fn::GetAtt`; an attribute the local deployer does not know is a {@link TemplateError} naming it. */
  attribute(logicalId: string, attribute: string): string {
    const identity = this.of(logicalId);
    const value = identity.attributes[attribute];
    if (value === undefined) {
      const known = Object.keys(identity.attributes);
      throw new TemplateError(
        `Fn::GetAtt ${logicalId}.${attribute}: the local cloud does not know the ${attribute} attribute of ${identity.type}` +
          (known.length > 0 ? ` (it knows ${known.join(', ')})` : ''),
      );
    }
    return value;
  }
}
