import type { DocumentRef } from '../shared/documents/document';
import { MalformedNotificationError } from '../shared/documents/errors';
import { reprocessMessageSchema } from '../shared/documents/reprocess-message';
import { count, nonEmpty } from '../shared/documents/schema-parts';
import * as z from '../shared/runtime/zod';

/** S3 names created events `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, … (no `s3:` prefix). */
const OBJECT_CREATED = /^ObjectCreated:/;

/**
 * A permanent delete (`ObjectRemoved:Delete`: of an unversioned object, or of one named version) or a
 * delete marker (`ObjectRemoved:DeleteMarkerCreated`: a plain delete in a versioned bucket).
 */
const OBJECT_REMOVED = /^ObjectRemoved:(Delete|DeleteMarkerCreated)$/;

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

/** A removed object, as the notification describes it. S3 leaves size and eTag out of removals. */
export interface ObjectRemovedRecord {
  readonly kind: 'object-removed';
  readonly eventName: 'ObjectRemoved:Delete' | 'ObjectRemoved:DeleteMarkerCreated';
  readonly eventTime: string;
  readonly bucket: string;
  /** The key exactly as S3 sent it; decode it with `decodeS3EventKey`. */
  readonly encodedKey: string;
  /**
   * For `ObjectRemoved:Delete`, the version deleted for good (absent or `"null"` when unversioned);
   * for `ObjectRemoved:DeleteMarkerCreated`, the new delete marker's own version id.
   */
  readonly versionId?: string;
  readonly sequencer: string;
}

/** Any other event (restores, lifecycle transitions, …). The ingest queue is subscribed to creations and removals. */
export interface OtherEventRecord {
  readonly kind: 'other';
  readonly eventName: string;
}

/** What one ingest queue message carries. */
export type IngestMessage =
  | { readonly kind: 'test-event'; readonly bucket?: string }
  | {
      readonly kind: 'notification';
      readonly records: readonly (ObjectCreatedRecord | ObjectRemovedRecord | OtherEventRecord)[];
    }
  /** The query API's request to run a recorded version again, as generation `generation`. */
  | { readonly kind: 'reprocess'; readonly document: DocumentRef; readonly generation: number };

/** Sent once when a notification configuration is saved: no records, nothing to process. */
const testEventSchema = z.pipe(
  z.object({ Event: z.literal('s3:TestEvent'), Bucket: z.optional(z.string()) }),
  z.transform(({ Bucket }) => ({
    kind: 'test-event' as const,
    ...(Bucket === undefined ? {} : { bucket: Bucket }),
  })),
);

/** What names the object of any record: its (still encoded) key, its version if any, and the event's order. */
const OBJECT_IDENTITY = {
  key: nonEmpty,
  versionId: z.optional(nonEmpty),
  sequencer: z.string().check(z.regex(/^[0-9A-Fa-f]+$/)),
};

/** A created or removed object's record as parsed, the parts both kinds read alike. */
interface ParsedObjectRecord {
  readonly eventTime: string;
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly versionId?: string | undefined;
      readonly sequencer: string;
    };
  };
}

/** The fields every object record carries, out of the notification's nesting. */
const objectFieldsOf = ({ eventTime, s3: { bucket, object } }: ParsedObjectRecord) => ({
  eventTime,
  bucket: bucket.name,
  encodedKey: object.key,
  ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
  sequencer: object.sequencer,
});

const objectCreatedRecordSchema = z.pipe(
  z.object({
    eventName: z.string().check(z.regex(OBJECT_CREATED)),
    eventTime: z.iso.datetime({ offset: true }),
    s3: z.object({
      bucket: z.object({ name: nonEmpty }),
      object: z.object({
        ...OBJECT_IDENTITY,
        size: count,
        eTag: nonEmpty,
      }),
    }),
  }),
  z.transform(
    (record): ObjectCreatedRecord => ({
      kind: 'object-created',
      eventName: record.eventName,
      ...objectFieldsOf(record),
      size: record.s3.object.size,
      eTag: record.s3.object.eTag,
    }),
  ),
);

const objectRemovedRecordSchema = z.pipe(
  z.object({
    eventName: z.enum(['ObjectRemoved:Delete', 'ObjectRemoved:DeleteMarkerCreated']),
    eventTime: z.iso.datetime({ offset: true }),
    s3: z.object({
      bucket: z.object({ name: nonEmpty }),
      object: z.object(OBJECT_IDENTITY),
    }),
  }),
  z.transform(
    (record): ObjectRemovedRecord => ({
      kind: 'object-removed',
      eventName: record.eventName,
      ...objectFieldsOf(record),
    }),
  ),
);

const otherEventRecordSchema = z.pipe(
  z.object({
    eventName: z.string().check(z.refine((name) => !OBJECT_CREATED.test(name) && !OBJECT_REMOVED.test(name))),
  }),
  z.transform(({ eventName }): OtherEventRecord => ({ kind: 'other', eventName })),
);

const notificationSchema = z.pipe(
  z.object({
    Records: z.array(z.union([objectCreatedRecordSchema, objectRemovedRecordSchema, otherEventRecordSchema])),
  }),
  z.transform(({ Records }) => ({ kind: 'notification' as const, records: Records })),
);

const reprocessSchema = z.pipe(
  reprocessMessageSchema,
  z.transform(({ document, generation }) => ({ kind: 'reprocess' as const, document, generation })),
);

const ingestMessageSchema = z.union([testEventSchema, notificationSchema, reprocessSchema]);

/**
 * Parses an ingest queue message body: an S3 event notification, S3's test event, or the query API's
 * reprocess request.
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
      `the message body is not an S3 event notification nor a docflow reprocess request (${z.prettifyError(result.error)}): ${excerpt(body)}`,
      { cause: result.error },
    );
  }
  return result.data;
};

const excerpt = (body: string): string =>
  body.length > BODY_EXCERPT_LENGTH ? `${body.slice(0, BODY_EXCERPT_LENGTH)}…` : body;
