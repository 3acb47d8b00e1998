import { createHash } from 'node:crypto';
import type { BlobRef } from './document-blobs';

/**
 * The table that maps an asynchronous Textract job back to the Step Functions task waiting for it.
 * The CDK construct and the tests build it from these names. `expiresAt` is its TTL attribute.
 */
export const TEXTRACT_JOBS_TABLE = {
  partitionKey: 'jobTag',
  timeToLiveAttribute: 'expiresAt',
} as const;

/**
 * How long a job record is kept. The waiting task gives up after an hour (the ASL's TimeoutSeconds);
 * a day leaves room for a late notification to be recognised and acknowledged as stale.
 */
export const TEXTRACT_JOB_RECORD_TTL_SECONDS = 24 * 60 * 60;

/** One waiting task: written before the job starts, found again by the job's `JobTag`. */
export interface TextractJobRecord {
  readonly jobTag: string;
  readonly taskToken: string;
  readonly documentId: string;
  readonly version: string;
  /** The upload's padded sequencer: the text's key needs it (see `derivativeKeys`). */
  readonly sequencer: string;
  /** The object Textract reads (exact version on a versioned bucket). */
  readonly document: BlobRef;
  /** ISO-8601 time the record was written. */
  readonly createdAt: string;
  /** Epoch seconds after which DynamoDB may delete the record. */
  readonly expiresAt: number;
}

/** The job records of waiting tasks. */
export interface TextractJobs {
  /** Stores the record; writing the same record again (a retried invocation) is harmless. */
  save(record: TextractJobRecord): Promise<void>;
  /** The record of a job tag, or undefined when it was already handled or has expired. */
  find(jobTag: string): Promise<TextractJobRecord | undefined>;
  /** Forgets a handled job, so a redelivered notification is recognised as already handled. */
  remove(jobTag: string): Promise<void>;
}

/**
 * The `JobTag` (and `ClientRequestToken`) of the job started for a task token: its SHA-256 in hex.
 * 64 characters fit both fields' limits and patterns (`[a-zA-Z0-9_.\-:]{1,64}`, `[a-zA-Z0-9-_]{1,64}`),
 * whereas a task token is up to 1,024 characters of any kind. The same token always gives the same tag,
 * so a retried invocation starts no second job.
 */
export const jobTagOf = (taskToken: string): string => createHash('sha256').update(taskToken).digest('hex');
