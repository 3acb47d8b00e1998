import type { Context } from 'aws-lambda';
import { s3Client } from '../shared/clients';
import { budgetWithin } from '../shared/contained-task';
import { documentTaskInputSchema } from '../shared/document-ref-schema';
import { DocumentRejectedError } from '../shared/errors';
import { readLimits } from '../shared/limits';
import type { Inspection } from '../shared/metadata-item';
import { logger, scopeToDocument } from '../shared/powertools';
import { S3DocumentBlobs } from '../shared/s3-document-blobs';
import { ContainedDocumentProber } from './document-prober';
import { inspectDocument } from './inspect-document';

const blobs = new S3DocumentBlobs(s3Client());
const limits = readLimits();
const prober = new ContainedDocumentProber({ memoryMb: limits.parseMemoryMb });

/**
 * Inspect task: `{ document }` in, an {@link Inspection} out (the state machine stores it at
 * `$.inspection`). Rejections propagate as typed errors, which the state machine catches by name.
 */
export const handler = async (event: unknown, context?: Context): Promise<Inspection> => {
  if (context) logger.addContext(context);
  const { document } = documentTaskInputSchema.parse(event);
  scopeToDocument(document.id);
  // The parsing always ends (typed) before Lambda's own timeout could end the invocation untyped.
  const budgetMs = context
    ? budgetWithin(limits.parseTimeoutMs, context.getRemainingTimeInMillis())
    : limits.parseTimeoutMs;
  try {
    const inspection = await inspectDocument(document, {
      blobs,
      prober,
      limits: { ...limits, parseTimeoutMs: budgetMs },
    });
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
