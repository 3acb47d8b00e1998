import * as z from '../runtime/zod';
import type { DocumentRef } from './document';

/**
 * The {@link DocumentRef} every state-machine task receives as `{ document }`. Handlers parse it rather
 * than trust it: a hand-started or redriven execution carries whatever input it was given.
 */
const nonEmpty = z.string().check(z.minLength(1));

export const documentRefSchema = z.object({
  id: nonEmpty,
  bucket: nonEmpty,
  key: nonEmpty,
  version: nonEmpty,
  versionId: z.optional(nonEmpty),
  sequencer: nonEmpty,
  size: z.int().check(z.nonnegative()),
  eTag: z.string(),
  uploadedAt: nonEmpty,
  shard: nonEmpty,
}) satisfies z.ZodMiniType<DocumentRef>;

/** The input of a task that works on one document: the state machine passes `{ "document.$": "$.document" }`. */
export const documentTaskInputSchema = z.object({ document: documentRefSchema });
