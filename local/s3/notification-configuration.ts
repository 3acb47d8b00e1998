import { randomBytes } from 'node:crypto';
import { malformedXml, parseRequestXml, S3ServiceError } from './s3-error';
import { childrenNamed, childText, S3_NAMESPACE, type XmlContent, type XmlElement, xmlDocument } from './xml';

/** Where a rule sends its events. S3 also knows Lambda and EventBridge; the local cloud refuses those. */
export interface NotificationDestination {
  readonly kind: 'queue' | 'topic';
  readonly arn: string;
}

/** Key filter of a rule (S3 matches the decoded key). Absent parts match every key. */
export interface KeyFilter {
  readonly prefix?: string;
  readonly suffix?: string;
}

/** One `QueueConfiguration` / `TopicConfiguration`. */
export interface NotificationRule {
  /** The configuration id, sent as `configurationId` in each record. S3 generates one when absent. */
  readonly id: string;
  readonly destination: NotificationDestination;
  /** Event types as configured: `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, … */
  readonly events: readonly string[];
  readonly filter: KeyFilter;
}

/** A bucket's notification configuration; no rules means notifications are off. */
export interface NotificationConfiguration {
  readonly rules: readonly NotificationRule[];
}

/**
 * The event types S3 accepts in a configuration
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html).
 * All are stored; the local S3 emits the object created and removed ones.
 */
export const SUPPORTED_EVENT_TYPES: ReadonlySet<string> = new Set([
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:Replication:OperationNotTracked',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
]);

/** Does a configured event type (`s3:ObjectCreated:*`) cover an emitted event name (`ObjectCreated:Put`)? */
export const eventTypeCovers = (configured: string, eventName: string): boolean => {
  const emitted = `s3:${eventName}`;
  return configured.endsWith(':*') ? emitted.startsWith(configured.slice(0, -1)) : configured === emitted;
};

/** Two configured event types that some event would match both of. */
const eventTypesOverlap = (a: string, b: string): boolean => {
  const family = (type: string) => (type.endsWith(':*') ? type.slice(0, -1) : undefined);
  const familyA = family(a);
  const familyB = family(b);
  if (familyA) return b.startsWith(familyA);
  if (familyB) return a.startsWith(familyB);
  return a === b;
};

/** Does the filter select this (decoded) key? */
export const filterMatches = (filter: KeyFilter, key: string): boolean =>
  key.startsWith(filter.prefix ?? '') && key.endsWith(filter.suffix ?? '');

/**
 * S3 refuses two rules that could both fire for one event: a common event type with prefixes where one
 * starts the other and suffixes where one ends the other ("Configurations overlap").
 */
const rulesOverlap = (a: NotificationRule, b: NotificationRule): boolean => {
  const prefixA = a.filter.prefix ?? '';
  const prefixB = b.filter.prefix ?? '';
  const suffixA = a.filter.suffix ?? '';
  const suffixB = b.filter.suffix ?? '';
  return (
    a.events.some((x) => b.events.some((y) => eventTypesOverlap(x, y))) &&
    (prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA)) &&
    (suffixA.endsWith(suffixB) || suffixB.endsWith(suffixA))
  );
};

/** The rules of a configuration that an event on `key` fires. */
export const matchingRules = (
  configuration: NotificationConfiguration,
  eventName: string,
  key: string,
): NotificationRule[] =>
  configuration.rules.filter(
    (rule) => rule.events.some((type) => eventTypeCovers(type, eventName)) && filterMatches(rule.filter, key),
  );

const invalid = (message: string, name: string, value: string): S3ServiceError =>
  new S3ServiceError('InvalidArgument', message, 400, { name, value });

/** S3 generates configuration ids like this one when the request leaves them out. */
const generatedId = (): string => randomBytes(24).toString('base64').replace(/[+/=]/g, '');

const ARN = /^arn:aws[\w-]*:(sqs|sns):[\w-]+:\d{12}:[\w.-]+$/;

const parseFilter = (filter: XmlElement | undefined): KeyFilter => {
  if (!filter) return {};
  const rules = childrenNamed(filter, 'S3Key').flatMap((s3Key) => childrenNamed(s3Key, 'FilterRule'));
  const result: { prefix?: string; suffix?: string } = {};
  for (const rule of rules) {
    const name = (childText(rule, 'Name') ?? '').toLowerCase();
    // Values are not trimmed: a key prefix may end in a space.
    const value = rule.children.find((child) => child.name === 'Value')?.text ?? '';
    if (name !== 'prefix' && name !== 'suffix') {
      throw invalid('filter rule name must be either prefix or suffix', 'FilterRule', name);
    }
    if (result[name] !== undefined) {
      throw invalid(`Cannot specify more than one ${name} rule in a filter.`, 'FilterRule', name);
    }
    result[name] = value;
  }
  return result;
};

const parseRule = (element: XmlElement, kind: NotificationDestination['kind']): NotificationRule => {
  // On the wire the ARN element is `Queue` / `Topic` (the SDK's `QueueArn` / `TopicArn` members).
  const arn = childText(element, kind === 'queue' ? 'Queue' : 'Topic');
  if (!arn) throw malformedXml();
  const service = ARN.exec(arn)?.[1];
  if (service !== (kind === 'queue' ? 'sqs' : 'sns')) {
    throw invalid(`The ARN is not well formed: ${arn}`, kind === 'queue' ? 'Queue' : 'Topic', arn);
  }
  const events = childrenNamed(element, 'Event').map((event) => event.text.trim());
  if (events.length === 0) throw malformedXml();
  for (const event of events) {
    if (!SUPPORTED_EVENT_TYPES.has(event)) {
      throw invalid('The event is not supported for notifications', 'Event', event);
    }
  }
  return {
    id: childText(element, 'Id') || generatedId(),
    destination: { kind, arn },
    events: [...new Set(events)],
    filter: parseFilter(element.children.find((child) => child.name === 'Filter')),
  };
};

/**
 * Parses and validates a `PutBucketNotificationConfiguration` body the way S3 does (event types, filter
 * rules, overlapping rules, ARN shapes). Lambda and EventBridge destinations are refused with
 * `NotImplemented`: the local cloud cannot deliver to them, and silently dropping events would hide it.
 */
export const parseNotificationConfiguration = (body: string): NotificationConfiguration => {
  const root = parseRequestXml(body, 'NotificationConfiguration');
  const rules: NotificationRule[] = [];
  for (const child of root.children) {
    if (child.name === 'QueueConfiguration') rules.push(parseRule(child, 'queue'));
    else if (child.name === 'TopicConfiguration') rules.push(parseRule(child, 'topic'));
    else if (child.name === 'CloudFunctionConfiguration' || child.name === 'EventBridgeConfiguration') {
      throw new S3ServiceError(
        'NotImplemented',
        `${child.name} is not supported by the local cloud: use a queue or a topic`,
        501,
      );
    } else throw malformedXml();
  }
  const ids = new Set<string>();
  rules.forEach((rule, index) => {
    if (ids.has(rule.id)) throw invalid('Duplicate notification configuration id', 'Id', rule.id);
    ids.add(rule.id);
    if (rules.slice(0, index).some((earlier) => rulesOverlap(earlier, rule))) {
      throw invalid(
        'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
        'Event',
        rule.events.join(','),
      );
    }
  });
  return { rules };
};

const ruleContent = (rule: NotificationRule): XmlContent => {
  const filterRules = (['prefix', 'suffix'] as const).flatMap((name) => {
    const value = rule.filter[name];
    return value === undefined ? [] : [{ Name: name === 'prefix' ? 'Prefix' : 'Suffix', Value: value }];
  });
  return {
    Id: rule.id,
    [rule.destination.kind === 'queue' ? 'Queue' : 'Topic']: rule.destination.arn,
    Event: rule.events,
    ...(filterRules.length > 0 ? { Filter: { S3Key: { FilterRule: filterRules } } } : {}),
  };
};

/** The `GetBucketNotificationConfiguration` answer: topics first, then queues, as S3 orders them. */
export const notificationConfigurationXml = (configuration: NotificationConfiguration): string => {
  const of = (kind: NotificationDestination['kind']) =>
    configuration.rules.filter((rule) => rule.destination.kind === kind).map(ruleContent);
  return xmlDocument(
    'NotificationConfiguration',
    { TopicConfiguration: of('topic'), QueueConfiguration: of('queue') },
    { namespace: S3_NAMESPACE },
  );
};
