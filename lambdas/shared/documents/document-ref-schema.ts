import * as z from '../runtime/zod';
import type { DocumentRef } from './document';
import { count, nonEmpty } from './schema-parts';

/**
 * The {@link DocumentRef} every state-machine task receives as `{ document }`. Handlers parse it rather
 * than trust it: a hand-started or redriven execution carries whatever input it was given.
 */
export const documentRefSchema = z.object({
  id: nonEmpty,
  bucket: nonEmpty,
  key: nonEmpty,
  version: nonEmpty,
  versionId: z.optional(nonEmpty),
  sequencer: nonEmpty,
  size: count,
  eTag: z.string(),
  uploadedAt: nonEmpty,
  shard: nonEmpty,
}) satisfies z.ZodMiniType<DocumentRef>;

/** The input of a task that works on one document: the state machine passes `{ "document.$": "$.document" }`. */
export const documentTaskInputSchema = z.object({ document: documentRefSchema });
