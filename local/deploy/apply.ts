import { deployStep } from './resources/registry';
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

/** What a local service's call may answer with: the value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

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

/**
 * Runs a plan's steps in order against `targets`, each by the handler of its kind
 * (`resources/registry.ts`), and describes the result. A service that answers with an identity other
 * than the plan's (another account or region, say) stops the deployment with a
 * `DeploymentMismatchError`: every reference in the template was resolved to the plan's identities.
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
  const notes: Record<string, readonly string[]> = {};
  for (const [index, step] of plan.steps.entries()) {
    options.onStep?.(step, index, plan.steps.length);
    if (step.notes.length > 0) notes[step.logicalId] = step.notes;
    const deployed = await deployStep(step, targets);
    if (deployed) resources[step.logicalId] = deployed;
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
