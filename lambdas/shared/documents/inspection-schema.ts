import * as z from 'zod';
import { TEXT_STRATEGIES } from './document';
import { documentRefSchema } from './document-ref-schema';
import type { Inspection } from './metadata-item';
import { TEXT_ENCODINGS } from './text-encoding';

const count = z.number().int().nonnegative();

/** Inspect's result, as the state machine passes it on at `$.inspection`. */
export const inspectionSchema = z.object({
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
  encoding: z.enum(TEXT_ENCODINGS).optional(),
  textStrategy: z.enum(TEXT_STRATEGIES),
}) satisfies z.ZodType<Inspection>;

/** The input of a task that works on an inspected document: `{ document, inspection }`. */
export const inspectedDocumentSchema = z.object({
  document: documentRefSchema,
  inspection: inspectionSchema,
});
