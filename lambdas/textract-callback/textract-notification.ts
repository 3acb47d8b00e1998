import { MalformedNotificationError } from '../shared/documents/errors';
import * as z from '../shared/runtime/zod';

/**
 * Textract's completion notification, as published to the job's SNS topic
 * (https://docs.aws.amazon.com/textract/latest/dg/async-notification-payload.html).
 */
export interface TextractNotification {
  readonly jobId: string;
  /** `SUCCEEDED`, `FAILED` or `ERROR` (PARTIAL_SUCCESS shows only in the job's results). */
  readonly status: string;
  readonly api?: string;
  /** docflow's job tag (absent on a job docflow did not start). */
  readonly jobTag?: string;
}

const notificationSchema = z.object({
  JobId: z.string().check(z.minLength(1)),
  Status: z.string().check(z.minLength(1)),
  API: z.optional(z.string()),
  JobTag: z.optional(z.string().check(z.minLength(1))),
  Timestamp: z.optional(z.number()),
});

const snsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

const parseJson = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedNotificationError(`${what} is not JSON`, { cause: error });
  }
};

/**
 * Reads a Textract notification from an SQS message body: an SNS envelope (`Type: "Notification"`,
 * the notification as a JSON string in `Message`) or, with raw message delivery, the notification
 * itself. Anything else is a {@link MalformedNotificationError}.
 */
export const parseTextractNotification = (body: string): TextractNotification => {
  const outer = parseJson(body, 'the message body');
  const envelope = snsEnvelopeSchema.safeParse(outer);
  const inner = envelope.success ? parseJson(envelope.data.Message, 'the SNS message') : outer;
  const parsed = notificationSchema.safeParse(inner);
  if (!parsed.success) {
    throw new MalformedNotificationError(`not a Textract completion notification: ${parsed.error.message}`);
  }
  const { JobId, Status, API, JobTag } = parsed.data;
  return {
    jobId: JobId,
    status: Status.toUpperCase(),
    ...(API === undefined ? {} : { api: API }),
    ...(JobTag === undefined ? {} : { jobTag: JobTag }),
  };
};
