import type { CorsRule } from '../../s3/bucket-cors';
import type { BucketNotificationStep, BucketStep, NotificationRuleSpec } from '../steps';
import {
  asList,
  asPlanned,
  isRecord,
  NO_PERMISSIONS,
  type ResolvedResource,
  type ResourceHandler,
  type StepGroup,
} from './resource-handler';

const BUCKET = 'AWS::S3::Bucket';
const CDK_NOTIFICATIONS = 'Custom::S3BucketNotifications';

/**
 * Where a notification configuration keeps each part: the bucket's own `NotificationConfiguration`
 * and CDK's custom resource (the `PutBucketNotificationConfiguration` shape) name them differently.
 */
interface NotificationShape {
  readonly unsupported: readonly string[];
  readonly destinations: readonly (readonly ['queue' | 'topic', list: string, arnKey: string])[];
  readonly events: string;
  readonly filter: readonly [key: string, rules: string];
}

const NOTIFICATION_SHAPES: Readonly<Record<string, NotificationShape>> = {
  [BUCKET]: {
    unsupported: ['LambdaConfigurations', 'EventBridgeConfiguration'],
    destinations: [
      ['queue', 'QueueConfigurations', 'Queue'],
      ['topic', 'TopicConfigurations', 'Topic'],
    ],
    events: 'Event',
    filter: ['S3Key', 'Rules'],
  },
  [CDK_NOTIFICATIONS]: {
    unsupported: ['LambdaFunctionConfigurations', 'EventBridgeConfiguration'],
    destinations: [
      ['queue', 'QueueConfigurations', 'QueueArn'],
      ['topic', 'TopicConfigurations', 'TopicArn'],
    ],
    events: 'Events',
    filter: ['Key', 'FilterRules'],
  },
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

/** The rules of a bucket's or CDK's notification configuration; Lambda and EventBridge ones are errors. */
const notificationRules = (resource: ResolvedResource): NotificationRuleSpec[] => {
  const configuration = resource.property('NotificationConfiguration');
  const shape = NOTIFICATION_SHAPES[resource.type];
  if (!isRecord(configuration) || shape === undefined) return [];
  for (const unsupported of shape.unsupported) {
    if (asList(configuration[unsupported]).length !== 0) {
      throw resource.error(
        ['Properties', 'NotificationConfiguration', unsupported],
        'the local S3 sends notifications to queues and topics only',
      );
    }
  }
  const [filterKey, filterRules] = shape.filter;
  return shape.destinations.flatMap(([kind, list, arnKey]) =>
    asList(configuration[list])
      .filter(isRecord)
      .map(
        (entry): NotificationRuleSpec => ({
          ...(typeof entry.Id === 'string' ? { id: entry.Id } : {}),
          destination: { kind, arn: String(entry[arnKey]) },
          events: asList(entry[shape.events]).map(String),
          filter: filterOf(
            isRecord(entry.Filter) && isRecord(entry.Filter[filterKey])
              ? entry.Filter[filterKey][filterRules]
              : undefined,
          ),
        }),
      ),
  );
};

const notificationGroup = (bucketName: string): StepGroup => ({
  key: `notifications:${bucketName}`,
  build: (members): BucketNotificationStep => ({
    kind: 'bucketNotification',
    logicalId: (members.find((member) => member.type === BUCKET) ?? members[0])?.logicalId ?? '',
    bucketName,
    sources: members.map((member) => member.logicalId),
    rules: members.flatMap(notificationRules),
    notes: [],
  }),
});

const bucket = (resource: ResolvedResource): BucketStep => {
  const versioning = resource.property('VersioningConfiguration');
  const versioned = isRecord(versioning) && versioning.Status === 'Enabled';
  const cors = resource.property('CorsConfiguration');
  const strings = (value: unknown): string[] => asList(value).map(String);
  return {
    kind: 'bucket',
    logicalId: resource.logicalId,
    bucketName: resource.name,
    bucketArn: resource.arn,
    versioned,
    cors: (isRecord(cors) ? asList(cors.CorsRules) : []).filter(isRecord).map(
      (rule): CorsRule => ({
        ...(typeof rule.Id === 'string' ? { id: rule.Id } : {}),
        allowedMethods: strings(rule.AllowedMethods),
        allowedOrigins: strings(rule.AllowedOrigins),
        allowedHeaders: strings(rule.AllowedHeaders),
        exposeHeaders: strings(rule.ExposedHeaders),
        ...(rule.MaxAge === undefined ? {} : { maxAgeSeconds: Number(rule.MaxAge) }),
      }),
    ),
    notes: resource.notes(
      ['BucketName', 'VersioningConfiguration', 'NotificationConfiguration', 'CorsConfiguration'],
      {
        BucketEncryption: 'objects are not encrypted at rest locally',
        LifecycleConfiguration: 'nothing expires locally',
        LoggingConfiguration: 'the local S3 writes no server access logs',
        OwnershipControls: NO_PERMISSIONS,
        PublicAccessBlockConfiguration: NO_PERMISSIONS,
      },
      versioned
        ? ['versioning is requested, but fauxqs keeps no object versions: objects have no versionId locally']
        : [],
    ),
  };
};

/**
 * Buckets, and their notifications: the bucket's own `NotificationConfiguration` and CDK's
 * `Custom::S3BucketNotifications` (whose provider function the local S3 stands in for) make one
 * notification step per bucket.
 */
export const s3Handler: ResourceHandler = {
  types: [BUCKET, CDK_NOTIFICATIONS],
  deploy: {
    bucket: asPlanned((step, targets) => targets.createBucket(step)),
    bucketNotification: asPlanned((step, targets) => targets.putBucketNotification(step)),
  },
  plan: (resource) => (resource.type === BUCKET ? bucket(resource) : undefined),
  group: (resource) => {
    if (resource.type === BUCKET) {
      return resource.raw.Properties?.NotificationConfiguration
        ? notificationGroup(resource.name)
        : undefined;
    }
    return notificationGroup(resource.resolveString(resource.raw.Properties?.BucketName, 'BucketName'));
  },
};
