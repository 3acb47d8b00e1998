import * as z from '../runtime/zod';
import { type DocumentRef, documentId, shardOf } from './document';
import { documentRefSchema } from './document-ref-schema';

/** The `docflow` member that marks an ingest queue message as a reprocess request. */
export const REPROCESS_MESSAGE_KIND = 'reprocess';

/**
 * A request to run a recorded document version again, as the query API sends it to the ingest queue
 * (`POST /documents/{id}/reprocess`) and the starter reads it: the document as the starter handed it
 * to its upload's run, and the generation the new run gets (the recorded one plus one).
 */
export interface ReprocessMessage {
  readonly docflow: typeof REPROCESS_MESSAGE_KIND;
  readonly document: DocumentRef;
  readonly generation: number;
}

/** Generations count reprocesses of one version: 0 is its upload's run. */
export const generationSchema = z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));

/**
 * A reprocess request, checked as strictly as the starter checks an S3 notification: the document's
 * id and shard must be the ones its bucket and key give, its sequencer normalized, and its version the
 * S3 version id (or, without one, the sequencer), so a message cannot start a run that names one
 * object and reads another.
 */
export const reprocessMessageSchema = z
  .strictObject({
    docflow: z.literal(REPROCESS_MESSAGE_KIND),
    document: z.extend(documentRefSchema, { sequencer: z.string().check(z.regex(/^[0-9A-F]{32}$/)) }),
    generation: generationSchema.check(z.gte(1)),
  })
  .check(
    z.superRefine(({ document }, context) => {
      const problem = (message: string, field: string) =>
        context.addIssue({ code: 'custom', message, path: ['document', field] });
      if (document.id !== documentId(document.bucket, document.key))
        problem('is not the id of this bucket and key', 'id');
      if (document.shard !== shardOf(document.id)) problem('is not the shard of this id', 'shard');
      if (document.version !== (document.versionId ?? document.sequencer))
        problem('must be the versionId, or the sequencer when there is none', 'version');
    }),
  ) satisfies z.ZodMiniType<ReprocessMessage>;

/** The message body, serialized with a fixed property order (the starter's input keeps the document's). */
export const reprocessMessageBody = (document: DocumentRef, generation: number): string =>
  JSON.stringify({ docflow: REPROCESS_MESSAGE_KIND, document, generation } satisfies ReprocessMessage);
