import { isEntityId, isTraceId } from './ids';

/**
 * A segment or subsegment as X-Ray's segment document schema describes it: the fields this service
 * reads are typed, everything else is kept as sent.
 */
export interface EntityDocument {
  readonly id: string;
  readonly name: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly in_progress?: boolean;
  readonly trace_id?: string;
  readonly parent_id?: string;
  readonly type?: string;
  readonly origin?: string;
  readonly namespace?: string;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly throttle?: boolean;
  readonly user?: string;
  readonly resource_arn?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly http?: {
    readonly request?: Readonly<Record<string, unknown>>;
    readonly response?: Readonly<Record<string, unknown>>;
  };
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly subsegments?: readonly EntityDocument[];
  readonly [field: string]: unknown;
}

/** A document that passed validation, ready to store. */
export interface ReceivedDocument {
  /** `subsegment` for a subsegment sent on its own (`"type": "subsegment"`), else `segment`. */
  readonly kind: 'segment' | 'subsegment';
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly inProgress: boolean;
  readonly startTime: number;
  readonly endTime?: number;
  /** The document as JSON text. */
  readonly body: string;
}

/** Why a document was refused, as PutTraceSegments reports it in `UnprocessedTraceSegments`. */
export interface RejectedDocument {
  readonly id?: string;
  readonly errorCode: string;
  readonly message: string;
}

export type DocumentCheck =
  | { readonly ok: true; readonly document: ReceivedDocument }
  | { readonly ok: false; readonly rejection: RejectedDocument };

/** X-Ray's limit for one segment document (and the most a UDP datagram carries). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

/** Segment names: Unicode letters, numbers, whitespace and `_ . : / % & # = + \ - @`, up to 200. */
const SEGMENT_NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;

/** Other string values are documented as "up to 250 characters". */
const MAX_STRING = 250;

class InvalidDocument extends Error {
  constructor(
    readonly errorCode: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Checks the fields every entity needs, then its embedded subsegments. */
const checkEntity = (entity: Record<string, unknown>, segment: boolean): void => {
  if (entity.id === undefined) throw new InvalidDocument('MissingId', 'the document has no "id"');
  if (!isEntityId(entity.id))
    throw new InvalidDocument(
      'InvalidId',
      `"id" must be 16 lowercase hexadecimal digits, not ${JSON.stringify(entity.id)}`,
    );
  if (entity.name === undefined) throw new InvalidDocument('MissingName', 'the document has no "name"');
  const nameOk = segment
    ? typeof entity.name === 'string' && SEGMENT_NAME.test(entity.name)
    : typeof entity.name === 'string' && entity.name.length > 0 && entity.name.length <= MAX_STRING;
  if (!nameOk)
    throw new InvalidDocument(
      'InvalidName',
      segment
        ? 'a segment "name" is 1 to 200 Unicode letters, numbers, whitespace and _ . : / % & # = + \\ - @'
        : `a subsegment "name" is a string of 1 to ${MAX_STRING} characters`,
    );
  if (entity.start_time === undefined)
    throw new InvalidDocument('MissingStartTime', 'the document has no "start_time"');
  if (!isTime(entity.start_time))
    throw new InvalidDocument('InvalidStartTime', '"start_time" must be a number of epoch seconds');
  if (entity.end_time === undefined) {
    if (entity.in_progress !== true)
      throw new InvalidDocument('MissingEndTime', 'the document needs an "end_time" or "in_progress": true');
  } else if (!isTime(entity.end_time)) {
    throw new InvalidDocument('InvalidEndTime', '"end_time" must be a number of epoch seconds');
  }
  if (entity.subsegments === undefined) return;
  if (!Array.isArray(entity.subsegments))
    throw new InvalidDocument('InvalidSubsegments', '"subsegments" must be an array of subsegments');
  for (const child of entity.subsegments) {
    if (!isRecord(child))
      throw new InvalidDocument('InvalidSubsegments', '"subsegments" must be an array of subsegments');
    checkEntity(child, false);
  }
};

const checkDocument = (text: string): ReceivedDocument => {
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES)
    throw new InvalidDocument(
      'DocumentTooLarge',
      `a segment document is at most ${MAX_DOCUMENT_BYTES} bytes`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidDocument('InvalidJson', 'the document is not valid JSON');
  }
  if (!isRecord(parsed)) throw new InvalidDocument('InvalidJson', 'the document is not a JSON object');
  const kind = parsed.type === 'subsegment' ? 'subsegment' : 'segment';
  checkEntity(parsed, kind === 'segment');
  if (parsed.trace_id === undefined)
    throw new InvalidDocument('MissingTraceId', 'the document has no "trace_id"');
  if (!isTraceId(parsed.trace_id))
    throw new InvalidDocument(
      'InvalidTraceId',
      `"trace_id" must look like 1-<8 hex digits>-<24 hex digits>, not ${JSON.stringify(parsed.trace_id)}`,
    );
  if (kind === 'subsegment' && parsed.parent_id === undefined)
    throw new InvalidDocument(
      'MissingParentId',
      'a subsegment sent on its own needs the "parent_id" of its parent',
    );
  if (parsed.parent_id !== undefined && !isEntityId(parsed.parent_id))
    throw new InvalidDocument('InvalidParentId', '"parent_id" must be 16 lowercase hexadecimal digits');
  if (parsed.parent_id === parsed.id)
    throw new InvalidDocument('InvalidParentId', 'a document cannot be its own parent');
  const entity = parsed as EntityDocument;
  return {
    kind,
    traceId: parsed.trace_id,
    id: entity.id,
    ...(entity.parent_id === undefined ? {} : { parentId: entity.parent_id }),
    inProgress: entity.end_time === undefined,
    startTime: entity.start_time,
    ...(entity.end_time === undefined ? {} : { endTime: entity.end_time }),
    body: JSON.stringify(parsed),
  };
};

const idOf = (text: string): string | undefined => /"id"\s*:\s*"([0-9a-f]{16})"/.exec(text)?.[1];

/**
 * Validates one segment document (a whole segment, an in-progress segment, or a subsegment sent on its
 * own) against the fields X-Ray requires, with error codes in X-Ray's style (`MissingId`, `InvalidName`).
 */
export const checkSegmentDocument = (text: string): DocumentCheck => {
  try {
    return { ok: true, document: checkDocument(text) };
  } catch (error) {
    if (!(error instanceof InvalidDocument)) throw error;
    const kind = /"type"\s*:\s*"subsegment"/.test(text) ? 'subsegment' : 'segment';
    const id = idOf(text);
    return {
      ok: false,
      rejection: {
        ...(id ? { id } : {}),
        errorCode: error.errorCode,
        message: `Invalid ${kind}. ErrorCode: ${error.errorCode}, Cause: ${error.reason}`,
      },
    };
  }
};

/** An entity and every subsegment under it, depth first. */
export const entitiesOf = function* (entity: EntityDocument): Generator<EntityDocument> {
  yield entity;
  for (const child of entity.subsegments ?? []) yield* entitiesOf(child);
};
