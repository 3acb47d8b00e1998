import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { s3Client } from '../shared/clients';
import { budgetWithin } from '../shared/contained-task';
import { documentRefSchema } from '../shared/document-ref-schema';
import { requireEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { readLimits } from '../shared/limits';
import { logger, scopeToDocument } from '../shared/powertools';
import { S3DerivativeStore } from '../shared/s3-derivative-store';
import { S3DocumentBlobs } from '../shared/s3-document-blobs';
import { makeThumbnail, type ThumbnailResult } from './make-thumbnail';
import { ContainedThumbnailRenderer } from './render-thumbnail';

const s3 = s3Client();
const blobs = new S3DocumentBlobs(s3);
const derivatives = new S3DerivativeStore(s3, requireEnv('DERIVATIVES_BUCKET_NAME'));
const limits = readLimits();
const renderer = new ContainedThumbnailRenderer({ memoryMb: limits.parseMemoryMb });

/** The Thumbnail state's input: the document and what Inspect found (only its type is used). */
const thumbnailEventSchema = z.object({
  document: documentRefSchema,
  inspection: z.object({ type: z.string().min(1) }),
});

/**
 * Thumbnail task: `{ document, inspection }` in, `{ thumbnail }` out (a pointer and the size, or `null`
 * for documents without a picture). Rejections propagate as typed errors, caught by name in the ASL.
 */
export const handler = lambdaHandler(async (event: unknown, context: Context): Promise<ThumbnailResult> => {
  const { document, inspection } = thumbnailEventSchema.parse(event);
  scopeToDocument(document.id);
  // The rendering job always ends (typed) before Lambda's own timeout could end the invocation untyped.
  const budgetMs = budgetWithin(limits.parseTimeoutMs, context.getRemainingTimeInMillis());
  const result = await makeThumbnail(document, inspection, {
    blobs,
    derivatives,
    renderer,
    limits: { ...limits, parseTimeoutMs: budgetMs },
  });
  logger.info('thumbnail made', {
    type: inspection.type,
    width: result.thumbnail?.width,
    height: result.thumbnail?.height,
  });
  return result;
});
