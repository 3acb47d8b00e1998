import type { Context } from 'aws-lambda';
import { S3DocumentBlobs } from '../shared/adapters/s3-document-blobs';
import { documentTaskInputSchema } from '../shared/documents/document-ref-schema';
import { readLimits } from '../shared/documents/limits';
import type { Inspection } from '../shared/documents/metadata-item';
import { s3Client } from '../shared/runtime/clients';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { annotate, logger, scopeToDocument } from '../shared/runtime/powertools';
import { budgetWithin } from '../shared/sandbox/sandboxed-task';
import { SandboxedDocumentProber } from './document-prober';
import { inspectDocument } from './inspect-document';

const blobs = new S3DocumentBlobs(s3Client());
const limits = readLimits();
const prober = new SandboxedDocumentProber({ memoryMb: limits.parseMemoryMb });

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
