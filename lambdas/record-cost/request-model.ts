/**
 * What each state of the pipeline does to S3, DynamoDB, SQS, SNS and Textract, per attempt: the one
 * table of modelled requests. The history shows the states, their attempts, inputs and outputs, not
 * the calls the functions make; this table turns the first into the second, from the handlers' code.
 * docs/decisions.md (36) lists it in prose; a unit test keeps every Task state of the workflow in it.
 *
 * Rules the entries follow:
 * - A failed attempt made the reads of a successful one and none of its writes (every handler writes
 *   last). A DynamoDB write refused by its condition still consumes a write unit (on the table only).
 * - Metadata items are assumed to be at most {@link MODEL.metadataItemKb} KB, the size a write unit
 *   covers. Both listing indexes project every attribute, so a write is written to each index too, and
 *   a write that changes `statusShard` moves the item between index partitions (a delete and a put):
 *   {@link METADATA_STATUS_WRITE_UNITS} units in all.
 * - S3 DELETE requests (DeleteObjects included) are free; LIST and every multipart part are tier 1.
 */

/** The facts of one attempt of a Task state, read from the execution history. */
export interface AttemptFacts {
  readonly state: string;
  /** The attempt's input: a Lambda function's payload, a service integration's parameters. */
  readonly input: unknown;
  /** The result, for an attempt that succeeded. */
  readonly output?: unknown;
  readonly outcome: 'succeeded' | 'failed' | 'timed-out' | 'unfinished' | 'not-started';
  readonly error?: string;
  /** For a `.waitForTaskToken` task: whether its end came from a callback (SendTaskSuccess/Failure). */
  readonly endedByCallback: boolean;
}

/** A Lambda invocation the history does not show (outside the execution), with its assumed duration. */
export interface ModelledInvocation {
  readonly role: 'starter' | 'textract-callback';
  readonly durationMs: number;
}

/** What an attempt did, in the units the services bill. */
export interface ModelledRequests {
  readonly s3Tier1?: number;
  readonly s3Tier2?: number;
  readonly dynamodbWriteUnits?: number;
  readonly dynamodbReadUnits?: number;
  readonly sqsRequests?: number;
  readonly snsPublishes?: number;
  readonly detectDocumentTextPages?: number;
  readonly asyncTextPages?: number;
  readonly invocations?: readonly ModelledInvocation[];
}

/** The assumptions of the model, in one place. */
export const MODEL = {
  /** The metadata item's size in KB that write units are counted for (see the module comment). */
  metadataItemKb: 1,
  /** Inspect reads this much first (`SNIFF_BYTES` in lambdas/inspect/detect-type.ts; a test keeps them equal). */
  sniffBytes: 64 * 1024,
  /** Derivatives above this go up in parts (`MULTIPART_THRESHOLD_BYTES`; a test keeps them equal). */
  multipartThresholdBytes: 8 * 1024 * 1024,
  /** Stored text JSON per extracted character: UTF-8, escapes, per-line geometry for Textract text. */
  textJsonBytesPerCharacter: 2,
  /**
   * Assumed durations of invocations the history cannot show (ms). The starter's share of a batch
   * (one StartExecution); the callback's collecting of a finished job (GetDocumentTextDetection,
   * one S3 write, SendTaskSuccess, a DynamoDB read and delete); a task-token task's function (one
   * DynamoDB write and StartDocumentTextDetection) where no TaskSubmitted event marks its end.
   */
  starterInvocationMs: 100,
  textractCallbackInvocationMs: 500,
  taskTokenInvocationMs: 300,
} as const;

/** Write units of one metadata write that changes the status: table, byStatus (delete + put), byUploadTime. */
export const METADATA_STATUS_WRITE_UNITS = 4 * MODEL.metadataItemKb;
/** A conditional write refused by its condition: one unit, on the table only. */
export const REFUSED_WRITE_UNITS = 1;
/** A strongly consistent GetItem of up to 4 KB. */
export const CONSISTENT_READ_UNITS = 1;

/** The document kinds with no picture: the Thumbnail task returns null without reading the object. */
export const KINDS_WITHOUT_PICTURE: ReadonlySet<string> = new Set(['docx', 'text']);

const field = (value: unknown, ...path: string[]): unknown => {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
};

const numberAt = (value: unknown, ...path: string[]): number | undefined => {
  const found = field(value, ...path);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
};

/** S3 tier-1 requests of writing one text JSON: one PUT, or create + parts + complete. */
export const textWriteRequests = (characters: number | undefined): number => {
  const bytes = (characters ?? 0) * MODEL.textJsonBytesPerCharacter;
  if (bytes <= MODEL.multipartThresholdBytes) return 1;
  return Math.ceil(bytes / MODEL.multipartThresholdBytes) + 2;
};

const conditionRefused = (attempt: AttemptFacts): boolean =>
  attempt.error === 'DynamoDB.ConditionalCheckFailedException';

/** A state-machine DynamoDB write that changes the status (MarkProcessing, RecordFailure). */
const statusWriteTask = (attempt: AttemptFacts): ModelledRequests => {
  if (attempt.outcome === 'succeeded') return { dynamodbWriteUnits: METADATA_STATUS_WRITE_UNITS };
  if (conditionRefused(attempt)) return { dynamodbWriteUnits: REFUSED_WRITE_UNITS };
  return {};
};

/** IndexMetadata and RecordRejected: a conditional write; a lost race reads the winner's sequencer. */
const indexWrite = (attempt: AttemptFacts): ModelledRequests => {
  if (attempt.outcome !== 'succeeded') return {};
  if (field(attempt.output, 'written') === false) {
    return { dynamodbWriteUnits: REFUSED_WRITE_UNITS, dynamodbReadUnits: CONSISTENT_READ_UNITS };
  }
  return { dynamodbWriteUnits: METADATA_STATUS_WRITE_UNITS };
};

/** The text written by a text task, read from its result (`{ text: { characters } }`). */
const textWrite = (attempt: AttemptFacts): number =>
  attempt.outcome === 'succeeded' && field(attempt.output, 'text') != null
    ? textWriteRequests(numberAt(attempt.output, 'text', 'characters'))
    : 0;

/**
 * The HEAD after a derivative's PUT that checks its upload is still the key's object
 * (lambdas/shared/documents/derivative-of-upload): one per derivative written.
 */
const UPLOAD_CHECK = 1;

/** A text step's S3 requests: one GET of the original, and the text's PUTs with their upload check. */
const textTask = (attempt: AttemptFacts, more: ModelledRequests): ModelledRequests => {
  const puts = textWrite(attempt);
  return { s3Tier2: 1 + (puts > 0 ? UPLOAD_CHECK : 0), s3Tier1: puts, ...more };
};

/**
 * The request model of every Task state, by state name. A state missing here is priced for its
 * transitions and invocations only, and a unit test fails.
 */
export const STATE_REQUESTS: Readonly<Record<string, (attempt: AttemptFacts) => ModelledRequests>> = {
  /** index-metadata (DELETED): the tombstone; one ListObjectsV2 per derivative prefix; DeleteObjects (free). */
  RecordDeletion: (attempt) => ({
    s3Tier1: 2,
    ...(attempt.outcome === 'succeeded' ? { dynamodbWriteUnits: METADATA_STATUS_WRITE_UNITS } : {}),
  }),
  /** dynamodb:updateItem claiming the document (PROCESSING). */
  MarkProcessing: statusWriteTask,
  /**
   * A ranged GET of the first 64 KiB, which also tells the size (an empty object answers it 416, billed
   * as well), and a whole GET when the object is larger.
   */
  Inspect: (attempt) => {
    const size = numberAt(attempt.input, 'document', 'size');
    return { s3Tier2: size !== undefined && size > MODEL.sniffBytes ? 2 : 1 };
  },
  /** GET of the original, PUT of the WebP and its upload check, unless the kind has no picture (nothing read). */
  Thumbnail: (attempt) => {
    const type = field(attempt.input, 'inspection', 'type');
    if (typeof type === 'string' && KINDS_WITHOUT_PICTURE.has(type)) return {};
    if (attempt.outcome !== 'succeeded') return { s3Tier2: 1 };
    return field(attempt.output, 'thumbnail') == null ? {} : { s3Tier2: 1 + UPLOAD_CHECK, s3Tier1: 1 };
  },
  /** GET of the original, PUT of the text and its upload check. */
  ExtractTextLocally: (attempt) => textTask(attempt, {}),
  /**
   * One page by DetectDocumentText: Textract GETs the object by reference, or the function GETs it to
   * convert and sends bytes (one GET either way); PUT of the text. A refused call is not billed.
   */
  DetectTextWithTextract: (attempt) =>
    textTask(attempt, { detectDocumentTextPages: attempt.outcome === 'succeeded' ? 1 : 0 }),
  /**
   * The task-token task. Every invocation writes the job record (before starting the job). A job that
   * ran (its callback came) read the object (GET), published its completion (SNS, delivered to the
   * callback queue: an SQS send, receive and delete), and ran the callback (reads and deletes the job
   * record; on success writes the text). Pages are billed for a successful job: the text's page count.
   */
  AnalyzeWithTextractJob: (attempt) => {
    const started = attempt.outcome !== 'not-started' ? { dynamodbWriteUnits: 1 } : {};
    if (!attempt.endedByCallback) return started;
    const succeeded = attempt.outcome === 'succeeded';
    return {
      dynamodbWriteUnits: 2,
      dynamodbReadUnits: CONSISTENT_READ_UNITS,
      ...textTask(attempt, {}),
      snsPublishes: 1,
      sqsRequests: 3,
      asyncTextPages: succeeded
        ? (numberAt(attempt.output, 'text', 'pages') ?? numberAt(attempt.input, 'inspection', 'pages') ?? 0)
        : 0,
      invocations: [{ role: 'textract-callback', durationMs: MODEL.textractCallbackInvocationMs }],
    };
  },
  /** index-metadata (PROCESSED). */
  IndexMetadata: indexWrite,
  /** index-metadata (REJECTED). */
  RecordRejected: indexWrite,
  /** dynamodb:updateItem recording FAILED. */
  RecordFailure: statusWriteTask,
  /** sqs:sendMessage of the failed document (under 64 KB: one request). */
  SendToDlq: (attempt) => (attempt.outcome === 'not-started' ? {} : { sqsRequests: 1 }),
};

/**
 * What bringing an upload or a removal to the workflow costs, once per execution the starter started:
 * S3's notification delivered to the ingest queue (an SQS send), the event source mapping's receive
 * and delete (counted whole, though a batch shares them), and the starter's invocation (StartExecution
 * itself is not billed).
 */
export const INGEST_REQUESTS: ModelledRequests = {
  sqsRequests: 3,
  invocations: [{ role: 'starter', durationMs: MODEL.starterInvocationMs }],
};
