import { type DocumentRef, shardOf } from '../shared/documents/document';
import type { MetadataItem } from '../shared/documents/metadata-item';
import { reprocessMessageBody, reprocessMessageSchema } from '../shared/documents/reprocess-message';
import * as z from '../shared/runtime/zod';
import { reprocessExecutionName } from '../starter/execution-name';
import type { DocumentCatalog, IngestQueue } from './ports';
import { ConflictError, DocumentDeletedError, NotFoundError, PROBLEM_TYPES } from './problems';
import type { ReprocessTicket } from './reprocess-schemas';
import { type ApiRequest, type ApiResponse, parseParameters, type Route } from './router';
import { documentPathParameters } from './schemas';

const noQuery = z.strictObject({});

/**
 * The document as the starter handed it to its upload's run, rebuilt from the record: the same fields
 * in the same order, so the new run reads the same object version. Where the bucket is versioned the
 * recorded version is the S3 versionId (see DocumentRef); otherwise it is the sequencer.
 */
export const documentRefOfItem = (item: MetadataItem): Partial<DocumentRef> => ({
  id: item.documentId,
  bucket: item.bucket,
  key: item.key,
  version: item.version,
  ...(item.version !== item.sequencer ? { versionId: item.version } : {}),
  sequencer: item.sequencer,
  ...(item.size === undefined ? {} : { size: item.size }),
  ...(item.eTag === undefined ? {} : { eTag: item.eTag }),
  uploadedAt: item.uploadedAt,
  shard: shardOf(item.documentId),
});

/**
 * `POST /documents/{id}/reprocess`: runs the recorded version again, through the path every upload
 * takes (the ingest queue and the starter), as the next generation. The API never starts executions
 * itself: the starter owns names and inputs. Asking twice before the new run claims the record asks
 * for the same generation, whose execution name starts once.
 */
export const reprocessRoutes = (catalog: DocumentCatalog, queue: IngestQueue): Route[] => {
  const reprocess = async (request: ApiRequest): Promise<ApiResponse> => {
    const { id } = parseParameters(documentPathParameters, request.params);
    parseParameters(noQuery, request.query);
    const item = await catalog.get(id);
    if (!item) throw new NotFoundError(`document ${id} does not exist`);
    if (item.status === 'DELETED')
      throw new DocumentDeletedError(
        `document ${id} was deleted at ${item.deletedAt ?? 'an unknown time'}: there is nothing to run again`,
      );
    if (item.status === 'PROCESSING')
      throw new ConflictError(
        PROBLEM_TYPES.documentInFlight,
        `document ${id} is being processed (generation ${item.generation ?? 0}); reprocess it once it has ended`,
      );
    const generation = (item.generation ?? 0) + 1;
    const message = reprocessMessageSchema.safeParse({
      docflow: 'reprocess',
      document: documentRefOfItem(item),
      generation,
    });
    if (!message.success)
      throw new ConflictError(
        PROBLEM_TYPES.notReprocessable,
        `document ${id} cannot be run again from its record (${message.error.issues
          .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
          .join('; ')}); upload it again instead`,
      );
    const { document } = message.data;
    await queue.send(reprocessMessageBody(document, generation));
    const body: ReprocessTicket = {
      documentId: document.id,
      version: document.version,
      generation,
      executionName: reprocessExecutionName(document.bucket, document.key, document.version, generation),
    };
    return { status: 202, body };
  };

  return [{ method: 'POST', path: '/documents/{id}/reprocess', handle: reprocess }];
};
