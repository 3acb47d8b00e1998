/**
 * Segment documents as BatchGetTraces returns them, read defensively: they are data written by many
 * services (the Lambda service, Step Functions, the X-Ray SDK inside each function), so a field of an
 * unexpected type is dropped, never trusted. Pure (no Node, no DOM): `docflow trace` and the console's
 * waterfall both read traces through it.
 */

/** One exception of a segment's `cause`. */
export interface TraceException {
  /** Another entity's `cause` may name this exception by id instead of repeating it. */
  readonly id?: string;
  readonly type?: string;
  readonly message?: string;
}

/** A segment or subsegment: the fields the waterfall reads. */
export interface TraceEntity {
  readonly id: string;
  readonly name: string;
  /** Epoch seconds. */
  readonly startTime: number;
  /** Epoch seconds; absent while in progress. */
  readonly endTime?: number;
  readonly inProgress: boolean;
  /** Set on a segment (or a subsegment sent on its own): the entity that called it. */
  readonly parentId?: string;
  /** `AWS::Lambda`, `AWS::Lambda::Function`, `AWS::StepFunctions::StateMachine`, … (segments only). */
  readonly origin?: string;
  /** `aws` for an AWS SDK call, `remote` for another HTTP call. */
  readonly namespace?: string;
  /** `aws.operation` of an AWS SDK call (`GetObject`). */
  readonly operation?: string;
  /**
   * Attempts the SDK made for an AWS call. aws-xray-sdk-core records AWS SDK v3's
   * `$metadata.attempts` as `aws.retries` (1 for a call that went through at once), and docflow's
   * functions all use SDK v3 through it, so the field is read as attempts.
   */
  readonly sdkAttempts: number;
  readonly httpStatus?: number;
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly exceptions: readonly TraceException[];
  /** A `cause` that is an exception id: the exception is recorded in a subsegment. */
  readonly causeId?: string;
  readonly annotations: Readonly<Record<string, string | number | boolean>>;
  /** A segment (a top-level document that is not a subsegment sent on its own). */
  readonly segment: boolean;
  /** An inferred segment: X-Ray's stand-in for a service called but not traced. */
  readonly inferred: boolean;
  readonly subsegments: readonly TraceEntity[];
}

/** A trace: its id and its segments (each with its subsegments). */
export interface RawTrace {
  readonly id: string;
  readonly segments: readonly TraceEntity[];
  /** The segment documents as X-Ray returned them, parsed (for `--json`). */
  readonly documents: readonly unknown[];
  /** Documents that were not a readable segment. */
  readonly unreadable: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const time = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

const exceptionsOf = (cause: unknown): TraceException[] => {
  // `cause` may also be a string: the id of an exception recorded in another segment.
  if (!isRecord(cause) || !Array.isArray(cause.exceptions)) return [];
  return cause.exceptions.filter(isRecord).map((exception) => {
    const id = text(exception.id);
    const type = text(exception.type);
    const message = text(exception.message);
    return { ...(id ? { id } : {}), ...(type ? { type } : {}), ...(message ? { message } : {}) };
  });
};

const annotationsOf = (value: unknown): Record<string, string | number | boolean> =>
  isRecord(value)
    ? Object.fromEntries(
        Object.entries(value).filter(
          (entry): entry is [string, string | number | boolean] =>
            typeof entry[1] === 'string' || typeof entry[1] === 'number' || typeof entry[1] === 'boolean',
        ),
      )
    : {};

/** Subsegments nest; a hostile or broken document must not recurse without end. */
const MAX_DEPTH = 64;

/** Reads one segment or subsegment; undefined when it lacks an id, a name or a start time. */
export const readEntity = (value: unknown, depth = 0): TraceEntity | undefined => {
  if (!isRecord(value) || depth > MAX_DEPTH) return undefined;
  const id = text(value.id);
  const name = text(value.name);
  const startTime = time(value.start_time);
  if (id === undefined || name === undefined || startTime === undefined) return undefined;
  const endTime = time(value.end_time);
  const aws = isRecord(value.aws) ? value.aws : {};
  const response = isRecord(value.http) && isRecord(value.http.response) ? value.http.response : {};
  const parentId = text(value.parent_id);
  const origin = text(value.origin);
  const namespace = text(value.namespace);
  const operation = text(aws.operation);
  const httpStatus = typeof response.status === 'number' ? response.status : undefined;
  const causeId = text(value.cause);
  const subsegments = Array.isArray(value.subsegments)
    ? value.subsegments.flatMap((child) => readEntity(child, depth + 1) ?? [])
    : [];
  return {
    id,
    name,
    startTime,
    ...(endTime === undefined ? {} : { endTime }),
    inProgress: value.in_progress === true || endTime === undefined,
    ...(parentId ? { parentId } : {}),
    ...(origin ? { origin } : {}),
    ...(namespace ? { namespace } : {}),
    ...(operation ? { operation } : {}),
    sdkAttempts: typeof aws.retries === 'number' && aws.retries > 0 ? aws.retries : 0,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    error: value.error === true,
    fault: value.fault === true,
    throttle: value.throttle === true,
    exceptions: exceptionsOf(value.cause),
    ...(causeId ? { causeId } : {}),
    annotations: annotationsOf(value.annotations),
    segment: depth === 0 && value.type !== 'subsegment',
    inferred: value.inferred === true,
    subsegments,
  };
};

/**
 * A trace from its segment documents, already parsed (the console server parses them; a document that
 * was not JSON counts in `unreadable`).
 */
export const readTraceDocuments = (id: string, documents: readonly unknown[], unparsable = 0): RawTrace => {
  const segments: TraceEntity[] = [];
  let unreadable = unparsable;
  for (const document of documents) {
    const entity = readEntity(document);
    if (entity) segments.push(entity);
    else unreadable += 1;
  }
  return { id, segments, documents, unreadable };
};

/** A trace as BatchGetTraces returns it (`Segments[].Document` is JSON text). */
export const readTrace = (trace: {
  readonly Id?: string | undefined;
  readonly Segments?: readonly { readonly Document?: string | undefined }[] | undefined;
}): RawTrace => {
  const documents: unknown[] = [];
  let unparsable = 0;
  for (const segment of trace.Segments ?? []) {
    try {
      documents.push(JSON.parse(segment.Document ?? ''));
    } catch {
      unparsable += 1;
    }
  }
  return readTraceDocuments(trace.Id ?? '', documents, unparsable);
};
