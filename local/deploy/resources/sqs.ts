import type { DeployStep, QueueStep, RedrivePolicy } from '../steps';
import {
  isRecord,
  mismatch,
  parseJsonish,
  type ResolvedResource,
  type ResourceHandler,
} from './resource-handler';

/** Properties `CreateQueue` takes as attributes, as they are. */
const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

/** The path of a queue URL (`/<account>/<name>`); not `new URL`, which refuses fauxqs' hosts. */
const queuePath = (url: string): string => url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');

const NOT_ENCRYPTED = 'messages are not encrypted at rest locally';

/** The redrive policy, whose dead-letter queue must be a queue planned before this one. */
const redrivePolicyOf = (
  resource: ResolvedResource,
  earlier: readonly DeployStep[],
): RedrivePolicy | undefined => {
  const redrive = parseJsonish(resource.property('RedrivePolicy'));
  if (redrive === undefined) return undefined;
  if (!isRecord(redrive) || typeof redrive.deadLetterTargetArn !== 'string') {
    throw resource.error(['Properties', 'RedrivePolicy'], 'needs a deadLetterTargetArn');
  }
  const maxReceiveCount = resource.number('RedrivePolicy.maxReceiveCount', redrive.maxReceiveCount);
  if (maxReceiveCount === undefined) {
    throw resource.error(['Properties', 'RedrivePolicy'], 'needs a maxReceiveCount');
  }
  const target = redrive.deadLetterTargetArn;
  if (!earlier.some((step) => step.kind === 'queue' && step.queueArn === target)) {
    throw resource.error(
      ['Properties', 'RedrivePolicy'],
      `dead-letter queue ${target} is not a queue of this template`,
    );
  }
  return { deadLetterTargetArn: target, maxReceiveCount };
};

const queue = (resource: ResolvedResource, earlier: readonly DeployStep[]): QueueStep => {
  const attributes = resource.stringAttributes(QUEUE_ATTRIBUTES);
  const redrivePolicy = redrivePolicyOf(resource, earlier);
  if (redrivePolicy) attributes.RedrivePolicy = JSON.stringify(redrivePolicy);
  const redriveAllow = parseJsonish(resource.property('RedriveAllowPolicy'));
  if (redriveAllow !== undefined) attributes.RedriveAllowPolicy = JSON.stringify(redriveAllow);
  return {
    kind: 'queue',
    logicalId: resource.logicalId,
    queueName: resource.name,
    queueArn: resource.arn,
    queueUrl: resource.identity.url ?? '',
    attributes,
    ...(redrivePolicy ? { redrivePolicy } : {}),
    notes: resource.notes(['QueueName', 'RedrivePolicy', 'RedriveAllowPolicy', ...Object.keys(attributes)], {
      SqsManagedSseEnabled: NOT_ENCRYPTED,
      KmsMasterKeyId: NOT_ENCRYPTED,
      KmsDataKeyReusePeriodSeconds: NOT_ENCRYPTED,
    }),
  };
};

/** Standard queues with their attributes and a redrive policy onto a queue of the template. */
export const sqsHandler: ResourceHandler = {
  types: ['AWS::SQS::Queue'],
  plan: queue,
  deploy: {
    queue: async (step, targets) => {
      const { queueUrl } = await targets.createQueue(step);
      if (queuePath(queueUrl) !== queuePath(step.queueUrl)) {
        throw mismatch(step, 'queue URL', step.queueUrl, queueUrl);
      }
      return undefined;
    },
  },
};
