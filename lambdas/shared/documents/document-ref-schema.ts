import * as z from 'zod';
import type { DocumentRef } from './document';

/**
 * The {@link DocumentRef} every state-machine task receives as `{ document }`. Handlers parse it rather
 * than trust it: a hand-started or redriven execution carries whatever input it was given.
 */
export const documentRefSchema = z.object({
  id: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  version: z.string().min(1),
  versionId: z.string().min(1).optional(),
  sequencer: z.string().min(1),
  size: z.number().int().nonnegative(),
  eTag: z.string(),
  uploadedAt: z.string().min(1),
  shard: z.string().min(1),
}) satisfies z.ZodType<DocumentRef>;

/** The input of a task that works on one document: the state machine passes `{ "document.$": "$.document" }`. */
export const documentTaskInputSchema = z.object({ document: documentRefSchema });
