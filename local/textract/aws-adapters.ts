import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { textractErrors } from './errors';
import type { S3Location } from './jobs';

/** Port: the documents Textract reads, by S3 location. */
export interface DocumentStore {
  /** Size in bytes; `InvalidS3ObjectException` when the object cannot be read. */
  size(location: S3Location): Promise<number>;
  /** The bytes, or only the first `firstBytes` of them; `InvalidS3ObjectException` when unreadable. */
  read(location: S3Location, firstBytes?: number): Promise<Uint8Array>;
}

/** Port: where job completions are published. */
export interface CompletionNotifier {
  publish(topicArn: string, message: string): Promise<void>;
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Textract answers any S3 refusal (missing key or bucket, access denied) with one error. */
const mapS3Error = (error: unknown): unknown => {
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500
    ? textractErrors.invalidS3Object(error)
    : error;
};

/** Reads documents through an S3 client (for the local S3, one created with `forcePathStyle: true`). */
export const s3DocumentStore = (s3: S3Client): DocumentStore => ({
  size: async (location) => {
    try {
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.name, VersionId: location.version }),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      throw mapS3Error(error);
    }
  },
  read: async (location, firstBytes) => {
    try {
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: location.name,
          VersionId: location.version,
          Range: firstBytes === undefined ? undefined : `bytes=0-${firstBytes - 1}`,
        }),
      );
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      // An empty object has no byte 0: a range read of it is a 416, not a missing object.
      if (firstBytes !== undefined && statusOf(error) === 416) return new Uint8Array();
      throw mapS3Error(error);
    }
  },
});

/** Publishes completions with an SNS client. */
export const snsCompletionNotifier = (sns: SNSClient): CompletionNotifier => ({
  publish: async (topicArn, message) => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
  },
});
