import type { DeletionRef } from '../shared/documents/document';
import { documentRefSchema } from '../shared/documents/document-ref-schema';
import { reasonForErrorName } from '../shared/documents/errors';
import { inspectionSchema } from '../shared/documents/inspection-schema';
import type { TextInfo, ThumbnailInfo } from '../shared/documents/metadata-item';
import { generationSchema } from '../shared/documents/reprocess-message';
import { count, nonEmpty } from '../shared/documents/schema-parts';
import * as z from '../shared/runtime/zod';
import type { CaughtError, DocumentOutcome, ExecutionRef, IndexResult } from './index-document';
import type { DeletionOutcome, DeletionResult } from './record-deletion';

const thumbnailSchema = z.object({
  bucket: nonEmpty,
  key: nonEmpty,
  width: count,
  height: count,
  contentType: nonEmpty,
}) satisfies z.ZodMiniType<ThumbnailInfo>;

const textSchema = z.object({
  bucket: nonEmpty,
  key: nonEmpty,
  pages: count,
  characters: count,
  words: count,
  source: z.enum(['pdf-text-layer', 'docx', 'plain-text', 'textract']),
}) satisfies z.ZodMiniType<TextInfo>;

const executionSchema = z.object({
  arn: nonEmpty,
  startedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodMiniType<ExecutionRef>;

const caughtErrorSchema = z.object({
  Error: nonEmpty,
  Cause: z.optional(z.string()),
}) satisfies z.ZodMiniType<CaughtError>;

const deletionRefSchema = z.object({
  id: nonEmpty,
  bucket: nonEmpty,
  key: nonEmpty,
  sequencer: z.string().check(z.regex(/^[0-9A-F]{32}$/)),
  versionId: z.optional(nonEmpty),
  deletedAt: z.iso.datetime({ offset: true }),
  shard: nonEmpty,
}) satisfies z.ZodMiniType<DeletionRef>;

/** The three inputs the state machine sends, told apart by `outcome`. */
export const indexEventSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('PROCESSED'),
    document: documentRefSchema,
    generation: z.optional(generationSchema),
    inspection: inspectionSchema,
    thumbnail: z.nullable(thumbnailSchema),
    text: z.nullable(textSchema),
    execution: executionSchema,
  }),
  z.object({
    outcome: z.literal('REJECTED'),
    document: documentRefSchema,
    generation: z.optional(generationSchema),
    error: caughtErrorSchema,
    execution: executionSchema,
  }),
  z.object({
    outcome: z.literal('DELETED'),
    deletion: deletionRefSchema,
    execution: executionSchema,
  }),
]) satisfies z.ZodMiniType<DocumentOutcome | DeletionOutcome>;

/**
 * What the trace says about the document's end: `status` (PROCESSED, REJECTED or DELETED), the rejection
 * `reason` code, and whether this run `recorded` it (false when a newer version or this version's own
 * terminal status was recorded before it).
 */
export const outcomeAnnotations = (
  outcome: DocumentOutcome | DeletionOutcome,
  result: IndexResult | DeletionResult,
): { status: string; reason?: string; recorded: boolean } => ({
  status: outcome.outcome,
  ...(outcome.outcome === 'REJECTED' ? { reason: reasonForErrorName(outcome.error.Error) } : {}),
  recorded: 'written' in result ? result.written : result.recorded,
});
