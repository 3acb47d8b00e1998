import { encodeS3EventKey } from '../../lambdas/shared/documents/s3-key';

/** The event names the local S3 emits (S3's names, without the `s3:` of the configuration). */
export type ObjectEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

/** Who made the request and how S3 answered it: the same for every record one request causes. */
export interface RequestOrigin {
  /** `AWS:<access key id>` for a signed request, `Anonymous` otherwise. */
  readonly principalId: string;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly hostId: string;
}

/** One object change, as it happened. */
export interface ObjectEvent {
  readonly eventName: ObjectEventName;
  readonly bucket: string;
  /** The decoded key; the record carries it form-encoded. */
  readonly key: string;
  /** Created objects only: S3 leaves size and eTag out of removal records. */
  readonly object?: { readonly size: number; readonly eTag: string };
  readonly sequencer: string;
  readonly time: Date;
  readonly origin: RequestOrigin;
}

/** Account-wide values a record names. */
export interface RecordContext {
  readonly region: string;
  /** The bucket owner's canonical id, as `ownerIdentity.principalId`. */
  readonly ownerId: string;
}

/**
 * An S3 event record (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * `versionId` is left out: fauxqs has no versioning, and S3 omits it for unversioned buckets.
 */
export interface S3EventRecordBody {
  readonly eventVersion: '2.1';
  readonly eventSource: 'aws:s3';
  readonly awsRegion: string;
  readonly eventTime: string;
  readonly eventName: ObjectEventName;
  readonly userIdentity: { readonly principalId: string };
  readonly requestParameters: { readonly sourceIPAddress: string };
  readonly responseElements: { readonly 'x-amz-request-id': string; readonly 'x-amz-id-2': string };
  readonly s3: {
    readonly s3SchemaVersion: '1.0';
    readonly configurationId: string;
    readonly bucket: {
      readonly name: string;
      readonly ownerIdentity: { readonly principalId: string };
      readonly arn: string;
    };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly eTag?: string;
      readonly sequencer: string;
    };
  };
}

/** The record one configuration gets for one event. */
export const s3EventRecord = (
  event: ObjectEvent,
  configurationId: string,
  context: RecordContext,
): S3EventRecordBody => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: context.region,
  eventTime: event.time.toISOString(),
  eventName: event.eventName,
  userIdentity: { principalId: event.origin.principalId },
  requestParameters: { sourceIPAddress: event.origin.sourceIp },
  responseElements: { 'x-amz-request-id': event.origin.requestId, 'x-amz-id-2': event.origin.hostId },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId,
    bucket: {
      name: event.bucket,
      ownerIdentity: { principalId: context.ownerId },
      arn: `arn:aws:s3:::${event.bucket}`,
    },
    object: {
      key: encodeS3EventKey(event.key),
      ...(event.object ? { size: event.object.size, eTag: event.object.eTag } : {}),
      sequencer: event.sequencer,
    },
  },
});

/** The message body S3 delivers: one record per message, always. */
export const s3EventMessage = (record: S3EventRecordBody): string => JSON.stringify({ Records: [record] });

/** What S3 sends each destination when a configuration is saved, to check it can deliver. */
export const s3TestEventMessage = (bucket: string, time: Date, requestId: string, hostId: string): string =>
  JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: time.toISOString(),
    Bucket: bucket,
    RequestId: requestId,
    HostId: hostId,
  });
