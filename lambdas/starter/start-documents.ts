import {
  type DeletionRef,
  type DocumentRef,
  documentId,
  normalizeSequencer,
  shardOf,
} from '../shared/documents/document';
import { MalformedNotificationError } from '../shared/documents/errors';
import { decodeS3EventKey } from '../shared/documents/s3-key';
import { deletionExecutionName, executionName, reprocessExecutionName } from './execution-name';
import type { IngestMessage, ObjectCreatedRecord, ObjectRemovedRecord } from './s3-notification';

/** What starting an execution came to. */
export type StartResult =
  | {
      readonly status: 'started';
      readonly executionArn: string;
      /** The X-Ray trace the execution was started in, where the starter began one. */
      readonly traceId?: string;
    }
  /** An execution of this name exists already: this object version has been started before. */
  | { readonly status: 'already-exists'; readonly executionArn: string };

/** One execution to start: its name, its serialized input, and the document it works on. */
export interface ExecutionRequest {
  readonly name: string;
  readonly input: string;
  readonly documentId: string;
}

/** Starts workflow executions. Implementations must report a name clash as `already-exists`, not throw. */
export interface ExecutionStarter {
  start(execution: ExecutionRequest): Promise<StartResult>;
}

/** What happened to one part of an ingest message. */
export type StartOutcome =
  | { readonly kind: 'test-event-dropped'; readonly bucket?: string }
  | { readonly kind: 'ignored'; readonly eventName: string }
  | {
      readonly kind: 'started' | 'duplicate';
      readonly document: DocumentRef;
      readonly executionName: string;
      readonly executionArn: string;
      readonly traceId?: string;
    }
  | {
      /** A reprocess request: a new run of a recorded version, as generation `generation`. */
      readonly kind: 'reprocess-started' | 'reprocess-duplicate';
      readonly document: DocumentRef;
      readonly generation: number;
      readonly executionName: string;
      readonly executionArn: string;
      readonly traceId?: string;
    }
  | {
      /** A removal: the execution records the deletion and deletes the derivatives. */
      readonly kind: 'deletion-started' | 'deletion-duplicate';
      readonly deletion: DeletionRef;
      readonly executionName: string;
      readonly executionArn: string;
      readonly traceId?: string;
    }
  | {
      readonly kind: 'failed';
      readonly error: unknown;
      readonly eventName: string;
      readonly encodedKey: string;
      readonly document?: DocumentRef | DeletionRef;
    };

/**
 * Starts one execution per created or removed object in an ingest message, concurrently, and reports what
 * happened to each record. Never throws for a record: a failure is a `failed` outcome, so the caller
 * sees the records that did start too, and fails the whole message when any record failed (a retry
 * of the message then finds the started ones as duplicates).
 */
export const startDocuments = async (
  message: IngestMessage,
  executions: ExecutionStarter,
): Promise<StartOutcome[]> => {
  if (message.kind === 'test-event') {
    return [
      { kind: 'test-event-dropped', ...(message.bucket === undefined ? {} : { bucket: message.bucket }) },
    ];
  }
  if (message.kind === 'reprocess')
    return [await startReprocess(message.document, message.generation, executions)];
  return Promise.all(
    message.records.map(
      (record): Promise<StartOutcome> =>
        record.kind === 'object-created'
          ? startDocument(record, executions)
          : record.kind === 'object-removed'
            ? startDeletion(record, executions)
            : Promise.resolve({ kind: 'ignored', eventName: record.eventName }),
    ),
  );
};

const startDocument = async (
  record: ObjectCreatedRecord,
  executions: ExecutionStarter,
): Promise<StartOutcome> => {
  let document: DocumentRef | undefined;
  try {
    document = documentRefOf(record);
    const { started, ...run } = await launch(executions, {
      name: executionName(document.bucket, document.key, document.version),
      input: executionInput(document),
      documentId: document.id,
    });
    return { kind: started ? 'started' : 'duplicate', document, ...run };
  } catch (error) {
    return failedRecord(record, error, document);
  }
};

/** A record that started nothing, with as much of its document as could be read before it failed. */
const failedRecord = (
  record: ObjectCreatedRecord | ObjectRemovedRecord,
  error: unknown,
  document: DocumentRef | DeletionRef | undefined,
): StartOutcome => ({
  kind: 'failed',
  error,
  eventName: record.eventName,
  encodedKey: record.encodedKey,
  ...(document === undefined ? {} : { document }),
});

/** What a failed reprocess is logged as: it has no S3 event, so its kind stands in for the event name. */
const REPROCESS_EVENT_NAME = 'docflow:reprocess';

const startReprocess = async (
  document: DocumentRef,
  generation: number,
  executions: ExecutionStarter,
): Promise<StartOutcome> => {
  try {
    const { started, ...run } = await launch(executions, {
      name: reprocessExecutionName(document.bucket, document.key, document.version, generation),
      input: executionInput(document, generation),
      documentId: document.id,
    });
    return { kind: started ? 'reprocess-started' : 'reprocess-duplicate', document, generation, ...run };
  } catch (error) {
    return { kind: 'failed', error, eventName: REPROCESS_EVENT_NAME, encodedKey: document.key, document };
  }
};

const startDeletion = async (
  record: ObjectRemovedRecord,
  executions: ExecutionStarter,
): Promise<StartOutcome> => {
  let deletion: DeletionRef | undefined;
  try {
    deletion = deletionRefOf(record);
    const { started, ...run } = await launch(executions, {
      name: deletionExecutionName(deletion.bucket, deletion.key, deletion.sequencer),
      input: deletionInput(deletion),
      documentId: deletion.id,
    });
    return { kind: started ? 'deletion-started' : 'deletion-duplicate', deletion, ...run };
  } catch (error) {
    return failedRecord(record, error, deletion);
  }
};

/**
 * Starts one execution and says what came of it: whether this call started it (else a run of that
 * name existed), and the fields every started-or-duplicate outcome carries.
 */
const launch = async (
  executions: ExecutionStarter,
  request: Parameters<ExecutionStarter['start']>[0],
): Promise<{ started: boolean; executionName: string; executionArn: string; traceId?: string }> => {
  const result = await executions.start(request);
  return {
    started: result.status === 'started',
    executionName: request.name,
    executionArn: result.executionArn,
    ...(result.status === 'started' && result.traceId !== undefined ? { traceId: result.traceId } : {}),
  };
};

const decodeKey = (encodedKey: string): string => {
  try {
    return decodeS3EventKey(encodedKey);
  } catch (error) {
    throw new MalformedNotificationError(`the object key is not valid form-encoding: ${encodedKey}`, {
      cause: error,
    });
  }
};

/**
 * The document reference of a created object, built only from fields S3 repeats unchanged when it
 * redelivers a notification.
 *
 * @throws MalformedNotificationError when the key is not valid percent-encoding.
 */
export const documentRefOf = (record: ObjectCreatedRecord): DocumentRef => {
  const key = decodeKey(record.encodedKey);
  const id = documentId(record.bucket, key);
  const sequencer = normalizeSequencer(record.sequencer);
  // Objects written while versioning was off or suspended carry the literal version id "null",
  // which repeats across overwrites; the sequencer tells those uploads apart.
  const versionId =
    record.versionId !== undefined && record.versionId !== 'null' ? record.versionId : undefined;
  // Property order is fixed here, so the serialized input is byte-identical for a redelivery.
  return {
    id,
    bucket: record.bucket,
    key,
    version: versionId ?? sequencer,
    ...(versionId === undefined ? {} : { versionId }),
    sequencer,
    size: record.size,
    eTag: record.eTag,
    uploadedAt: new Date(record.eventTime).toISOString(),
    shard: shardOf(id),
  };
};

/**
 * The state machine input, `{"document":{…},"generation":n}`, serialized deterministically: an upload's
 * run is generation 0, the n-th reprocess of the same version generation n. The version rule of every
 * record write orders runs of one version by it (docs/decisions.md 39).
 */
export const executionInput = (document: DocumentRef, generation = 0): string =>
  JSON.stringify({ document, generation });

/**
 * The deletion a removal record describes. A delete marker removes the key (every version before
 * it); so does a delete in an unversioned bucket (no version id, or `"null"`). A delete that names a
 * real version removes that version only.
 *
 * @throws MalformedNotificationError when the key is not valid percent-encoding.
 */
export const deletionRefOf = (record: ObjectRemovedRecord): DeletionRef => {
  const key = decodeKey(record.encodedKey);
  const id = documentId(record.bucket, key);
  const removesOneVersion =
    record.eventName === 'ObjectRemoved:Delete' &&
    record.versionId !== undefined &&
    record.versionId !== 'null';
  return {
    id,
    bucket: record.bucket,
    key,
    sequencer: normalizeSequencer(record.sequencer),
    ...(removesOneVersion ? { versionId: record.versionId } : {}),
    deletedAt: new Date(record.eventTime).toISOString(),
    shard: shardOf(id),
  };
};

/** The state machine input of a deletion, `{"deletion":{…}}`, serialized deterministically. */
export const deletionInput = (deletion: DeletionRef): string => JSON.stringify({ deletion });
