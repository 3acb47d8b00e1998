import type { Context } from 'aws-lambda';
import { S3DerivativeStore } from '../shared/adapters/s3-derivative-store';
import { S3DocumentBlobs } from '../shared/adapters/s3-document-blobs';
import { documentRefSchema } from '../shared/documents/document-ref-schema';
import { readLimits } from '../shared/documents/limits';
import { s3Client } from '../shared/runtime/clients';
import { requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { logger, scopeToDocument } from '../shared/runtime/powertools';
import * as z from '../shared/runtime/zod';
import { budgetWithin } from '../shared/sandbox/sandboxed-task';
import { makeThumbnail, type ThumbnailResult } from './make-thumbnail';
import { SandboxedThumbnailRenderer } from './render-thumbnail';

const s3 = s3Client();
const blobs = new S3DocumentBlobs(s3);
const derivatives = new S3DerivativeStore(s3, requireEnv('DERIVATIVES_BUCKET_NAME'));
const limits = readLimits();
const renderer = new SandboxedThumbnailRenderer({ memoryMb: limits.parseMemoryMb });

/** The Thumbnail state's input: the document and what Inspect found (only its type is used). */
const thumbnailEventSchema = z.object({
  document: documentRefSchema,
  inspection: z.object({ type: z.string().check(z.minLength(1)) }),
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
