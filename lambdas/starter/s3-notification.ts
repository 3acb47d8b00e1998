import { z } from 'zod';
import { MalformedNotificationError } from '../shared/errors';

/** S3 names created events `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, … (no `s3:` prefix). */
const OBJECT_CREATED = /^ObjectCreated:/;

/** How much of a malformed body goes into the error message: enough to recognise it in the logs. */
const BODY_EXCERPT_LENGTH = 500;

/** A created object, as the notification describes it. The key is still form-encoded. */
export interface ObjectCreatedRecord {
  readonly kind: 'object-created';
  readonly eventName: string;
  readonly eventTime: string;
  readonly bucket: string;
  /** The key exactly as S3 sent it (`red+flower.jpg`); decode it with `decodeS3EventKey`. */
  readonly encodedKey: string;
  readonly size: number;
  readonly eTag: string;
  /** Absent for unversioned buckets; the string `"null"` for objects written while versioning was off. */
  readonly versionId?: string;
  readonly sequencer: string;
}

/** Any other event (removals, restores, …). The ingest queue is only subscribed to `ObjectCreated:*`. */
export interface OtherEventRecord {
  readonly kind: 'other';
  readonly eventName: string;
}

/** What one ingest queue message carries. */
export type IngestMessage =
  | { readonly kind: 'test-event'; readonly bucket?: string }
  | { readonly kind: 'notification'; readonly records: readonly (ObjectCreatedRecord | OtherEventRecord)[] };

/** Sent once when a notification configuration is saved: no records, nothing to process. */
const testEventSchema = z
  .object({ Event: z.literal('s3:TestEvent'), Bucket: z.string().optional() })
  .transform(({ Bucket }) => ({
    kind: 'test-event' as const,
    ...(Bucket === undefined ? {} : { bucket: Bucket }),
  }));

const objectCreatedRecordSchema = z
  .object({
    eventName: z.string().regex(OBJECT_CREATED),
    eventTime: z.iso.datetime({ offset: true }),
    s3: z.object({
      bucket: z.object({ name: z.string().min(1) }),
      object: z.object({
        key: z.string().min(1),
        size: z.number().int().nonnegative(),
        eTag: z.string().min(1),
        versionId: z.string().min(1).optional(),
        sequencer: z.string().regex(/^[0-9A-Fa-f]+$/),
      }),
    }),
  })
  .transform(
    ({ eventName, eventTime, s3: { bucket, object } }): ObjectCreatedRecord => ({
      kind: 'object-created',
      eventName,
      eventTime,
      bucket: bucket.name,
      encodedKey: object.key,
      size: object.size,
      eTag: object.eTag,
      ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
      sequencer: object.sequencer,
    }),
  );

const otherEventRecordSchema = z
  .object({ eventName: z.string().refine((name) => !OBJECT_CREATED.test(name)) })
  .transform(({ eventName }): OtherEventRecord => ({ kind: 'other', eventName }));

const notificationSchema = z
  .object({ Records: z.array(z.union([objectCreatedRecordSchema, otherEventRecordSchema])) })
  .transform(({ Records }) => ({ kind: 'notification' as const, records: Records }));

const ingestMessageSchema = z.union([testEventSchema, notificationSchema]);

/**
 * Parses an ingest queue message body: an S3 event notification or S3's test event.
 *
 * @throws MalformedNotificationError when the body is not JSON or not one of those shapes.
 */
export const parseIngestMessage = (body: string): IngestMessage => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MalformedNotificationError(`the message body is not JSON: ${excerpt(body)}`, { cause: error });
  }
  const result = ingestMessageSchema.safeParse(json);
  if (!result.success) {
    throw new MalformedNotificationError(
      `the message body is not an S3 event notification (${z.prettifyError(result.error)}): ${excerpt(body)}`,
      { cause: result.error },
    );
  }
  return result.data;
};

const excerpt = (body: string): string =>
  body.length > BODY_EXCERPT_LENGTH ? `${body.slice(0, BODY_EXCERPT_LENGTH)}…` : body;
