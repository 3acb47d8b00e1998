import * as z from '../runtime/zod';
import { TEXT_STRATEGIES } from './document';
import { documentRefSchema } from './document-ref-schema';
import type { Inspection } from './metadata-item';
import { count, nonEmpty } from './schema-parts';
import { TEXT_ENCODINGS } from './text-encoding';

/** Inspect's result, as the state machine passes it on at `$.inspection`. */
export const inspectionSchema = z.object({
  mimeType: nonEmpty,
  type: nonEmpty,
  size: count,
  sha256: nonEmpty,
  pages: z.optional(count),
  width: z.optional(count),
  height: z.optional(count),
  hasTextLayer: z.optional(z.boolean()),
  title: z.optional(z.string()),
  author: z.optional(z.string()),
  encoding: z.optional(z.enum(TEXT_ENCODINGS)),
  textStrategy: z.enum(TEXT_STRATEGIES),
}) satisfies z.ZodMiniType<Inspection>;

/** The input of a task that works on an inspected document: `{ document, inspection }`. */
export const inspectedDocumentSchema = z.object({
  document: documentRefSchema,
  inspection: inspectionSchema,
});
