import type {
  ApiStep,
  BucketNotificationStep,
  BucketStep,
  DeploymentPlan,
  DeployStep,
  EventRuleStep,
  EventSourceStep,
  FunctionStep,
  QueueStep,
  SecretStep,
  StateMachineStep,
  SubscriptionStep,
  TableStep,
  TopicStep,
} from './steps';

type Awaitable<T> = T | Promise<T>;

/**
 * Where a plan is deployed, one operation per kind of step. Every operation is idempotent: deploying
 * onto state kept from an earlier start finds what exists and leaves its data alone. The storage and
 * messaging half is {@link sdkTargets}; the orchestrator adds functions, event sources, the state machine
 * and the API routes from the local services.
 */
export interface LocalTargets {
  createBucket(step: BucketStep): Awaitable<void>;
  putBucketNotification(step: BucketNotificationStep): Awaitable<void>;
  /** Resolves with the queue URL the service answered with. */
  createQueue(step: QueueStep): Awaitable<{ readonly queueUrl: string }>;
  createTopic(step: TopicStep): Awaitable<{ readonly topicArn: string }>;
  subscribe(step: SubscriptionStep): Awaitable<{ readonly subscriptionArn: string }>;
  createTable(step: TableStep): Awaitable<void>;
  /** Resolves with the secret's full ARN (with the random suffix the service gave it). */
  createSecret(step: SecretStep): Awaitable<{ readonly arn: string }>;
  registerFunction(step: FunctionStep): Awaitable<void>;
  addEventSource(step: EventSourceStep): Awaitable<void>;
  registerStateMachine(step: StateMachineStep): Awaitable<{ readonly stateMachineArn: string }>;
  /** Puts a rule and its targets on the local EventBridge. */
  addEventRule(step: EventRuleStep): Awaitable<void>;
  addApiRoutes(step: ApiStep): Awaitable<void>;
}

/** A deployed resource. */
export interface DeployedResource {
  readonly type: string;
  /** The name or id the local service knows it by. */
  readonly physicalId: string;
  readonly arn?: string;
  readonly url?: string;
}

/** What a deployment made: the CLI prints it and the orchestrator reads it. */
export interface Deployment {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /** The stack's outputs (`CfnOutput`), resolved against the local resources. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Every deployed resource by logical id. */
  readonly resources: Readonly<Record<string, DeployedResource>>;
  /** Template settings with no local effect, by logical id. */
  readonly notes: Readonly<Record<string, readonly string[]>>;
}

export interface ApplyOptions {
  /** Called before each step, for progress output. */
  readonly onStep?: (step: DeployStep, index: number, total: number) => void;
}

/** A step was carried out but the service answered with another identity than the template's. */
export class DeploymentMismatchError extends Error {
  override readonly name = 'DeploymentMismatchError';
}

/** The path of a queue URL (`/<account>/<name>`); not `new URL`, which refuses fauxqs' hosts. */
const queuePath = (url: string): string => url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');

/**
 * Runs a plan's steps in order against `targets` and describes the result. A service that answers with
 * an identity other than the plan's (another account or region, say) stops the deployment: every
 * reference in the template was resolved to the plan's identities.
 */
export const applyPlan = async (
  plan: DeploymentPlan,
  targets: LocalTargets,
  options: ApplyOptions = {},
): Promise<Deployment> => {
  const resources: Record<string, DeployedResource> = {};
  for (const [logicalId, resource] of Object.entries(plan.resources)) {
    resources[logicalId] = {
      type: resource.type,
      physicalId: resource.physicalId,
      ...(resource.arn === undefined ? {} : { arn: resource.arn }),
      ...(resource.url === undefined ? {} : { url: resource.url }),
    };
  }
  const mismatch = (step: DeployStep, what: string, planned: string, actual: string) =>
    new DeploymentMismatchError(
      `${step.logicalId}: the local service answered with ${what} ${actual}, the template expects ${planned}`,
    );
  const notes: Record<string, readonly string[]> = {};
  for (const [index, step] of plan.steps.entries()) {
    options.onStep?.(step, index, plan.steps.length);
    if (step.notes.length > 0) notes[step.logicalId] = step.notes;
    switch (step.kind) {
      case 'bucket':
        await targets.createBucket(step);
        break;
      case 'bucketNotification':
        await targets.putBucketNotification(step);
        break;
      case 'queue': {
        const { queueUrl } = await targets.createQueue(step);
        if (queuePath(queueUrl) !== queuePath(step.queueUrl)) {
          throw mismatch(step, 'queue URL', step.queueUrl, queueUrl);
        }
        break;
      }
      case 'topic': {
        const { topicArn } = await targets.createTopic(step);
        if (topicArn !== step.topicArn) throw mismatch(step, 'topic ARN', step.topicArn, topicArn);
        break;
      }
      case 'subscription': {
        const { subscriptionArn } = await targets.subscribe(step);
        resources[step.logicalId] = {
          type: 'AWS::SNS::Subscription',
          physicalId: subscriptionArn,
          arn: subscriptionArn,
        };
        break;
      }
      case 'table':
        await targets.createTable(step);
        break;
      case 'secret': {
        const { arn } = await targets.createSecret(step);
        if (arn !== step.arn && !arn.startsWith(`${step.arn}-`))
          throw mismatch(step, 'secret ARN', step.arn, arn);
        resources[step.logicalId] = { type: 'AWS::SecretsManager::Secret', physicalId: step.name, arn };
        break;
      }
      case 'function':
        await targets.registerFunction(step);
        break;
      case 'eventSource':
        await targets.addEventSource(step);
        break;
      case 'stateMachine': {
        const { stateMachineArn } = await targets.registerStateMachine(step);
        if (stateMachineArn !== step.arn)
          throw mismatch(step, 'state machine ARN', step.arn, stateMachineArn);
        break;
      }
      case 'eventRule':
        await targets.addEventRule(step);
        break;
      case 'api':
        await targets.addApiRoutes(step);
        break;
    }
  }
  return {
    stackName: plan.stackName,
    region: plan.region,
    accountId: plan.accountId,
    outputs: Object.fromEntries(Object.entries(plan.outputs).map(([name, output]) => [name, output.value])),
    resources,
    notes,
  };
};
