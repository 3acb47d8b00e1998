import type { DeployStep, SubscriptionStep, TopicStep } from '../steps';
import { mismatch, parseJsonish, type ResolvedResource, type ResourceHandler } from './resource-handler';

const TOPIC = 'AWS::SNS::Topic';

const topic = (resource: ResolvedResource): TopicStep => {
  if (resource.property('Subscription') !== undefined) {
    throw resource.error(
      ['Properties', 'Subscription'],
      'inline subscriptions are not supported locally: use AWS::SNS::Subscription resources (CDK does)',
    );
  }
  const attributes = resource.stringAttributes(['FifoTopic', 'ContentBasedDeduplication']);
  return {
    kind: 'topic',
    logicalId: resource.logicalId,
    topicName: resource.name,
    topicArn: resource.arn,
    attributes,
    notes: resource.notes(['TopicName', ...Object.keys(attributes)], {
      KmsMasterKeyId: 'messages are not encrypted at rest locally',
    }),
  };
};

const subscription = (resource: ResolvedResource, earlier: readonly DeployStep[]): SubscriptionStep => {
  const protocol = resource.string('Protocol');
  if (protocol !== 'sqs') {
    throw resource.error(
      ['Properties', 'Protocol'],
      `protocol ${protocol} is not supported locally (only sqs)`,
    );
  }
  const topicArn = resource.string('TopicArn') ?? '';
  const endpoint = resource.string('Endpoint') ?? '';
  if (!earlier.some((step) => step.kind === 'topic' && step.topicArn === topicArn)) {
    throw resource.error(['Properties', 'TopicArn'], `${topicArn} is not a topic of this template`);
  }
  if (!earlier.some((step) => step.kind === 'queue' && step.queueArn === endpoint)) {
    throw resource.error(['Properties', 'Endpoint'], `${endpoint} is not a queue of this template`);
  }
  const attributes = resource.stringAttributes(['RawMessageDelivery', 'FilterPolicyScope']);
  for (const name of ['FilterPolicy', 'RedrivePolicy']) {
    const value = parseJsonish(resource.property(name));
    if (value !== undefined) attributes[name] = JSON.stringify(value);
  }
  return {
    kind: 'subscription',
    logicalId: resource.logicalId,
    topicArn,
    protocol,
    endpoint,
    attributes,
    notes: resource.notes(['Protocol', 'TopicArn', 'Endpoint', ...Object.keys(attributes)]),
  };
};

/** Topics, and their subscriptions of queues of the template. */
export const snsHandler: ResourceHandler = {
  types: [TOPIC, 'AWS::SNS::Subscription'],
  deploy: {
    topic: async (step, targets) => {
      const { topicArn } = await targets.createTopic(step);
      if (topicArn !== step.topicArn) throw mismatch(step, 'topic ARN', step.topicArn, topicArn);
      return undefined;
    },
    subscription: async (step, targets) => {
      const { subscriptionArn } = await targets.subscribe(step);
      return { type: 'AWS::SNS::Subscription', physicalId: subscriptionArn, arn: subscriptionArn };
    },
  },
  plan: (resource, earlier) => (resource.type === TOPIC ? topic(resource) : subscription(resource, earlier)),
};
