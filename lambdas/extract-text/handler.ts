import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DerivativeTextDocumentWriter } from '../shared/adapters/derivative-text-document-writer';
import { DynamoDbTextractJobs } from '../shared/adapters/dynamodb-textract-jobs';
import { S3DerivativeStore } from '../shared/adapters/s3-derivative-store';
import { S3DocumentBlobs } from '../shared/adapters/s3-document-blobs';
import { TextractTextDetection } from '../shared/adapters/textract-text-detection';
import { TextractThrottledError } from '../shared/documents/errors';
import { inspectedDocumentSchema } from '../shared/documents/inspection-schema';
import { readLimits } from '../shared/documents/limits';
import { TEXTRACT_THROTTLED_METRIC } from '../shared/documents/textract-errors';
import { s3Client, textractClient } from '../shared/runtime/clients';
import { dynamoDocumentClient } from '../shared/runtime/dynamodb-document-client';
import { requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { annotate, logger, metrics, scopeToDocument } from '../shared/runtime/powertools';
import * as z from '../shared/runtime/zod';
import { budgetWithin } from '../shared/sandbox/sandboxed-task';
import {
  type ExtractTextDependencies,
  type ExtractTextRequest,
  extractText,
  type StartedJob,
  type TextResult,
} from './extract-text';
import { SandboxedTextExtractor } from './local-extractors';
import { SandboxedOcrImagePreparer } from './ocr-image';

/** The three task shapes of the ASL: ExtractTextLocally, DetectTextWithTextract, AnalyzeWithTextractJob. */
export const extractTextRequestSchema = z.discriminatedUnion('strategy', [
  z.extend(inspectedDocumentSchema, { strategy: z.literal('local') }),
  z.extend(inspectedDocumentSchema, { strategy: z.literal('textract-sync') }),
  z.extend(inspectedDocumentSchema, {
    strategy: z.literal('textract-async'),
    // Step Functions task tokens are at most 1,024 characters.
    taskToken: z.string().check(z.minLength(1), z.maxLength(1024)),
  }),
]) satisfies z.ZodMiniType<ExtractTextRequest>;

const limits = readLimits();
const containment = { memoryMb: limits.parseMemoryMb };
const s3 = s3Client();
const blobs = new S3DocumentBlobs(s3);
const textract = new TextractTextDetection(textractClient(), {
  topicArn: requireEnv('TEXTRACT_TOPIC_ARN'),
  roleArn: requireEnv('TEXTRACT_ROLE_ARN'),
});
const dependencies: ExtractTextDependencies = {
  blobs,
  extractor: new SandboxedTextExtractor(containment),
  images: new SandboxedOcrImagePreparer(containment),
  detector: textract,
  jobStarter: textract,
  jobs: new DynamoDbTextractJobs(dynamoDocumentClient(), requireEnv('TEXTRACT_JOBS_TABLE_NAME')),
  texts: new DerivativeTextDocumentWriter(
    new S3DerivativeStore(s3, requireEnv('DERIVATIVES_BUCKET_NAME')),
    blobs,
  ),
  limits,
};

/**
 * Text task of the state machine. `local` and `textract-sync` return `{ text }` (a pointer and counts);
 * `textract-async` starts a job and returns at once: the textract-callback function completes the task.
 * Errors propagate by name, for the state machine to retry or catch.
 */
export const handler = lambdaHandler(
  async (event: unknown, context: Context): Promise<TextResult | StartedJob> => {
    const request = extractTextRequestSchema.parse(event);
    scopeToDocument(request.document.id);
    logger.appendKeys({ strategy: request.strategy });
    annotate({ textStrategy: request.strategy });
    // Parsing always ends (typed) before Lambda's own timeout could end the invocation untyped.
    const parseTimeoutMs = budgetWithin(limits.parseTimeoutMs, context.getRemainingTimeInMillis());
    try {
      const result = await extractText(request, { ...dependencies, limits: { ...limits, parseTimeoutMs } });
      logger.info('text task done', { ...('text' in result ? result.text : result) });
      return result;
    } catch (error) {
      if (error instanceof TextractThrottledError) {
        metrics.addMetric(TEXTRACT_THROTTLED_METRIC, MetricUnit.Count, 1);
        logger.warn('Textract throttled', { detail: error.message });
      }
      throw error;
    }
  },
);
