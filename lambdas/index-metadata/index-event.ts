import * as z from 'zod';
import type { DeletionRef } from '../shared/documents/document';
import { documentRefSchema } from '../shared/documents/document-ref-schema';
import { reasonForErrorName } from '../shared/documents/errors';
import { inspectionSchema } from '../shared/documents/inspection-schema';
import type { TextInfo, ThumbnailInfo } from '../shared/documents/metadata-item';
import { generationSchema } from '../shared/documents/reprocess-message';
import type { CaughtError, DocumentOutcome, ExecutionRef, IndexResult } from './index-document';
import type { DeletionOutcome, DeletionResult } from './record-deletion';

const count = z.number().int().nonnegative();

const thumbnailSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  width: count,
  height: count,
  contentType: z.string().min(1),
}) satisfies z.ZodType<ThumbnailInfo>;

const textSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  pages: count,
  characters: count,
  words: count,
  source: z.enum(['pdf-text-layer', 'docx', 'plain-text', 'textract']),
}) satisfies z.ZodType<TextInfo>;

const executionSchema = z.object({
  arn: z.string().min(1),
  startedAt: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<ExecutionRef>;

const caughtErrorSchema = z.object({
  Error: z.string().min(1),
  Cause: z.string().optional(),
}) satisfies z.ZodType<CaughtError>;

const deletionRefSchema = z.object({
  id: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  sequencer: z.string().regex(/^[0-9A-F]{32}$/),
  versionId: z.string().min(1).optional(),
  deletedAt: z.iso.datetime({ offset: true }),
  shard: z.string().min(1),
}) satisfies z.ZodType<DeletionRef>;

/** The three inputs the state machine sends, told apart by `outcome`. */
export const indexEventSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('PROCESSED'),
    document: documentRefSchema,
    generation: generationSchema.optional(),
    inspection: inspectionSchema,
    thumbnail: thumbnailSchema.nullable(),
    text: textSchema.nullable(),
    execution: executionSchema,
  }),
  z.object({
    outcome: z.literal('REJECTED'),
    document: documentRefSchema,
    generation: generationSchema.optional(),
    error: caughtErrorSchema,
    execution: executionSchema,
  }),
  z.object({
    outcome: z.literal('DELETED'),
    deletion: deletionRefSchema,
    execution: executionSchema,
  }),
]) satisfies z.ZodType<DocumentOutcome | DeletionOutcome>;

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
