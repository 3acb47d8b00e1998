import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Uploads under this prefix start the pipeline; nothing the pipeline writes goes to the uploads bucket. */
export const INCOMING_PREFIX = 'incoming/';

/** Key prefixes of the derivatives bucket, as `derivativeKeys` builds them; grants are scoped to them. */
export const DERIVATIVE_PREFIXES = { thumbnails: 'thumbnails/', text: 'text/' } as const;

/**
 * Writing derivatives under one prefix. Not `bucket.grantPut`: it adds object-lock and tagging actions and `s3:Abort*`.
 * Large derivatives are written in parts: s3:PutObject covers CreateMultipartUpload, UploadPart and
 * CompleteMultipartUpload; a failed upload is aborted so that its parts do not linger. A writer takes
 * back (s3:DeleteObject) what it wrote for an upload deleted or replaced meanwhile (`putDerivativeOf`).
 */
export const allowDerivativeWrites = (bucket: s3.IBucket, prefix: string): iam.PolicyStatement =>
  new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
    resources: [bucket.arnForObjects(`${prefix}*`)],
  });

/**
 * Reading uploads (a pinned version included) and telling a missing one: without s3:ListBucket, S3
 * answers a missing key or version with 403 instead of 404, and a deleted upload would end FAILED after
 * retries instead of REJECTED (NOT_FOUND).
 */
export const allowUploadReads = (bucket: s3.IBucket): iam.PolicyStatement[] => [
  new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resources: [bucket.arnForObjects(`${INCOMING_PREFIX}*`)],
  }),
  new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
];

export interface DocumentStoreProps {
  /**
   * How long an overwritten or deleted upload stays readable as a noncurrent version.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long S3 server access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
  /**
   * Web origins (`scheme://host[:port]`, at most one `*`) whose pages may POST uploads straight to the
   * uploads bucket with a presigned POST: the bucket's CORS rule allows POST from them and nothing else.
   * @default - none: the bucket has no CORS rule and browsers refuse cross-origin uploads
   */
  readonly uploadCorsOrigins?: readonly string[];
}

/**
 * An origin as an S3 CORS rule takes it: `scheme://host[:port]` with no path, or `*`, with at most one
 * `*` wildcard (`http://127.0.0.1:*`).
 */
export const isCorsOrigin = (origin: string): boolean =>
  (origin === '*' || /^https?:\/\/[^\s/?#]+$/.test(origin)) && origin.split('*').length <= 2;

/** How long a browser may cache the uploads bucket's preflight answer. */
const UPLOAD_PREFLIGHT_MAX_AGE = Duration.hours(1);

/**
 * The buckets: uploads (versioned; its `incoming/` prefix feeds the pipeline), derivatives
 * (thumbnails and text, never read by the pipeline's trigger) and the server access logs of both.
 * All are private, TLS-only, encrypted, owner-enforced and retained when the stack is deleted.
 */
export class DocumentStore extends Construct {
  /** Where clients upload documents, under {@link INCOMING_PREFIX}. */
  readonly uploadsBucket: s3.Bucket;
  /** Thumbnails and extracted text (see `derivativeKeys`). */
  readonly derivativesBucket: s3.Bucket;
  /** Server access logs of the other two buckets. */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DocumentStoreProps = {}) {
    super(scope, id);
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(30);
    const accessLogsExpiration = props.accessLogsExpiration ?? Duration.days(365);
    if (noncurrentVersionExpiration.toDays() < 1)
      throw new Error('noncurrent version expiration must be ≥ 1 day');
    if (accessLogsExpiration.toDays() < 1) throw new Error('access logs expiration must be ≥ 1 day');
    const uploadCorsOrigins = props.uploadCorsOrigins ?? [];
    const badOrigin = uploadCorsOrigins.find((origin) => !isCorsOrigin(origin));
    if (badOrigin !== undefined)
      throw new Error(
        `upload cors origin must be scheme://host[:port] with at most one *, got "${badOrigin}"`,
      );

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: accessLogsExpiration }],
    });
    this.uploadsBucket = new s3.Bucket(this, 'Uploads', {
      ...PRIVATE_BUCKET,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-uploads',
          noncurrentVersionExpiration,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // Only what a browser's presigned POST needs; the answer's ETag and version id are readable.
      ...(uploadCorsOrigins.length > 0
        ? {
            cors: [
              {
                id: 'browser-uploads',
                allowedMethods: [s3.HttpMethods.POST],
                allowedOrigins: [...uploadCorsOrigins],
                exposedHeaders: ['ETag', 'x-amz-version-id'],
                maxAge: UPLOAD_PREFLIGHT_MAX_AGE.toSeconds(),
              },
            ],
          }
        : {}),
    });
    this.derivativesBucket = new s3.Bucket(this, 'Derivatives', {
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'derivatives/',
      // Large derivatives are written in parts; a function killed mid-upload cannot abort its own.
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
  }

  /**
   * Sends every ObjectCreated and ObjectRemoved event under {@link INCOMING_PREFIX} of the uploads
   * bucket to `queue` (the queue must use SSE-SQS: S3 cannot publish to a queue under the AWS-managed
   * `aws/sqs` key). Removals include delete markers, so a plain delete of a versioned object counts.
   */
  sendUploadEventsTo(queue: sqs.IQueue): void {
    const destination = new s3n.SqsDestination(queue);
    for (const event of [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED]) {
      this.uploadsBucket.addEventNotification(event, destination, { prefix: INCOMING_PREFIX });
    }
  }
}

const PRIVATE_BUCKET = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  // Server access logs can only be delivered to a bucket encrypted with S3-managed keys.
  encryption: s3.BucketEncryption.S3_MANAGED,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies s3.BucketProps;
