import { createHash } from 'node:crypto';

/** `1-<8 hex: epoch seconds>-<24 hex>`, as X-Ray documents trace ids. */
const TRACE_ID = /^1-([0-9a-f]{8})-[0-9a-f]{24}$/;

/** A segment or subsegment id: 64 bits in 16 hex digits. */
const ENTITY_ID = /^[0-9a-f]{16}$/;

export const isTraceId = (value: unknown): value is string =>
  typeof value === 'string' && TRACE_ID.test(value);

export const isEntityId = (value: unknown): value is string =>
  typeof value === 'string' && ENTITY_ID.test(value);

/** The time of the original request that a trace id carries, in epoch seconds. */
export const traceIdTime = (traceId: string): number => {
  const hex = TRACE_ID.exec(traceId)?.[1];
  if (!hex) throw new Error(`not an X-Ray trace id: ${traceId}`);
  return Number.parseInt(hex, 16);
};

/**
 * A stable id for a segment this service derives (an inferred segment): the same input always gives
 * the same id, so a trace reads the same on every call.
 */
export const derivedEntityId = (...parts: readonly string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
