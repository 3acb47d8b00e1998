import { z } from 'zod';
import { type DocumentRef, TEXT_STRATEGIES } from '../shared/document';
import type { Inspection, TextInfo, ThumbnailInfo } from '../shared/metadata-item';
import type { CaughtError, DocumentOutcome, ExecutionRef } from './index-document';

const count = z.number().int().nonnegative();

/** `{document}` as the starter builds it. Key attributes and GSI keys must not be empty strings. */
const documentRefSchema = z.object({
  id: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  version: z.string().min(1),
  versionId: z.string().min(1).optional(),
  sequencer: z.string().min(1),
  size: count,
  eTag: z.string(),
  uploadedAt: z.string().min(1),
  shard: z.string().min(1),
}) satisfies z.ZodType<DocumentRef>;

const inspectionSchema = z.object({
  mimeType: z.string().min(1),
  type: z.string().min(1),
  size: count,
  sha256: z.string().min(1),
  pages: count.optional(),
  width: count.optional(),
  height: count.optional(),
  hasTextLayer: z.boolean().optional(),
  title: z.string().optional(),
  author: z.string().optional(),
  textStrategy: z.enum(TEXT_STRATEGIES),
}) satisfies z.ZodType<Inspection>;

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

/** The two inputs the state machine sends, told apart by `outcome`. */
export const indexEventSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('PROCESSED'),
    document: documentRefSchema,
    inspection: inspectionSchema,
    thumbnail: thumbnailSchema.nullable(),
    text: textSchema.nullable(),
    execution: executionSchema,
  }),
  z.object({
    outcome: z.literal('REJECTED'),
    document: documentRefSchema,
    error: caughtErrorSchema,
    execution: executionSchema,
  }),
]) satisfies z.ZodType<DocumentOutcome>;
