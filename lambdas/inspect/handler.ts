import type { Context } from 'aws-lambda';
import { s3Client } from '../shared/clients';
import { budgetWithin } from '../shared/contained-task';
import { documentTaskInputSchema } from '../shared/document-ref-schema';
import { lambdaHandler } from '../shared/lambda-handler';
import { readLimits } from '../shared/limits';
import type { Inspection } from '../shared/metadata-item';
import { annotate, logger, scopeToDocument } from '../shared/powertools';
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
export const handler = lambdaHandler(async (event: unknown, context: Context): Promise<Inspection> => {
  const { document } = documentTaskInputSchema.parse(event);
  scopeToDocument(document.id);
  // The parsing always ends (typed) before Lambda's own timeout could end the invocation untyped.
  const budgetMs = budgetWithin(limits.parseTimeoutMs, context.getRemainingTimeInMillis());
  const inspection = await inspectDocument(document, {
    blobs,
    prober,
    limits: { ...limits, parseTimeoutMs: budgetMs },
  });
  annotate({ type: inspection.type, textStrategy: inspection.textStrategy });
  logger.info('document inspected', {
    type: inspection.type,
    size: inspection.size,
    pages: inspection.pages,
    textStrategy: inspection.textStrategy,
  });
  return inspection;
});
