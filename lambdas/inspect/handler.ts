import { s3Client } from '../shared/clients';
import { documentTaskInputSchema } from '../shared/document-ref-schema';
import { DocumentRejectedError } from '../shared/errors';
import { readLimits } from '../shared/limits';
import type { Inspection } from '../shared/metadata-item';
import { logger, scopeToDocument } from '../shared/powertools';
import { S3DocumentBlobs } from '../shared/s3-document-blobs';
import { inspectDocument } from './inspect-document';

const blobs = new S3DocumentBlobs(s3Client());
const limits = readLimits();

/**
 * Inspect task: `{ document }` in, an {@link Inspection} out (the state machine stores it at
 * `$.inspection`). Rejections propagate as typed errors, which the state machine catches by name.
 */
export const handler = async (event: unknown): Promise<Inspection> => {
  const { document } = documentTaskInputSchema.parse(event);
  scopeToDocument(document.id);
  try {
    const inspection = await inspectDocument(document, { blobs, limits });
    logger.info('document inspected', {
      type: inspection.type,
      size: inspection.size,
      pages: inspection.pages,
      textStrategy: inspection.textStrategy,
    });
    return inspection;
  } catch (error) {
    if (error instanceof DocumentRejectedError) {
      logger.warn('document rejected', { reason: error.reason, detail: error.message });
    }
    throw error;
  }
};
