import { randomBytes } from 'node:crypto';

/**
 * A new X-Ray trace id, `1-<epoch seconds in 8 hex digits>-<96 random bits in 24 hex digits>`, as X-Ray
 * documents it. X-Ray keeps traces by the time in the id, so it must be the time the trace begins.
 */
export const newTraceId = (now: Date = new Date()): string =>
  `1-${Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;

/**
 * The header that begins a new, sampled trace with `traceId` (`Root=…;Sampled=1`), as StartExecution's
 * `traceHeader` takes it: with no `Parent`, the receiver's segment is the root of the trace.
 */
export const newTraceHeader = (traceId: string): string => `Root=${traceId};Sampled=1`;
