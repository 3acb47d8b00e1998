import { randomText } from '../random-text';

/** What an `X-Amzn-Trace-Id` / `_X_AMZN_TRACE_ID` header says. */
export interface TraceHeader {
  readonly root: string;
  /** The caller's segment or subsegment: the parent of whatever continues the trace. */
  readonly parent?: string;
  /** `true` for `Sampled=1`; undefined when the header leaves the decision to the receiver. */
  readonly sampled?: boolean;
}

/** A new trace id, `1-<epoch seconds in 8 hex>-<96 random bits>`, as X-Ray documents it. */
export const newTraceId = (now: Date = new Date()): string =>
  `1-${Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomText(12, 'hex')}`;

/** A new segment or subsegment id: 64 random bits in 16 hex digits. */
export const newEntityId = (): string => randomText(8, 'hex');

/** A segment's time from epoch milliseconds: X-Ray times are epoch seconds with a fraction. */
export const epochSeconds = (ms: number): number => ms / 1000;

/** Reads `Root=…;Parent=…;Sampled=…` (any order, other fields ignored); undefined without a Root. */
export const parseTraceHeader = (header: string | undefined): TraceHeader | undefined => {
  if (!header) return undefined;
  const fields = new Map(
    header.split(';').flatMap((part) => {
      const at = part.indexOf('=');
      return at > 0 ? [[part.slice(0, at).trim(), part.slice(at + 1).trim()] as const] : [];
    }),
  );
  const root = fields.get('Root');
  if (!root) return undefined;
  const parent = fields.get('Parent');
  const sampled = fields.get('Sampled');
  return {
    root,
    ...(parent ? { parent } : {}),
    ...(sampled === '1' ? { sampled: true } : sampled === '0' ? { sampled: false } : {}),
  };
};

/** Writes a header in the order AWS writes it: `Root=…;Parent=…;Sampled=1`. */
export const formatTraceHeader = (header: TraceHeader): string =>
  [
    `Root=${header.root}`,
    ...(header.parent ? [`Parent=${header.parent}`] : []),
    ...(header.sampled === undefined ? [] : [`Sampled=${header.sampled ? 1 : 0}`]),
  ].join(';');

/**
 * Where local services that play an AWS service's part (the Lambda service, Step Functions) write the
 * segments that service writes in AWS. One document per call, as PutTraceSegments takes them.
 */
export interface SegmentSink {
  put(document: Readonly<Record<string, unknown>>): void;
}
