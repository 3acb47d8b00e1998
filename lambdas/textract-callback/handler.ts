import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DerivativeTextDocumentWriter } from '../shared/adapters/derivative-text-document-writer';
import { DynamoDbTextractJobs } from '../shared/adapters/dynamodb-textract-jobs';
import { S3DerivativeStore } from '../shared/adapters/s3-derivative-store';
import { S3DocumentBlobs } from '../shared/adapters/s3-document-blobs';
import { TextractTextDetection } from '../shared/adapters/textract-text-detection';
import { s3Client, sfnClient, textractClient } from '../shared/runtime/clients';
import { dynamoDocumentClient } from '../shared/runtime/dynamodb-document-client';
import { requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { inSubsegment, logger } from '../shared/runtime/powertools';
import {
  type CompleteJobDependencies,
  type CompletionOutcome,
  completeTextractJob,
} from './complete-textract-job';
import { SfnTaskCallbacks } from './sfn-task-callbacks';
import { parseTextractNotification } from './textract-notification';

const s3 = s3Client();
const dependencies: CompleteJobDependencies = {
  jobs: new DynamoDbTextractJobs(dynamoDocumentClient(), requireEnv('TEXTRACT_JOBS_TABLE_NAME')),
  results: new TextractTextDetection(textractClient()),
  texts: new DerivativeTextDocumentWriter(
    new S3DerivativeStore(s3, requireEnv('DERIVATIVES_BUCKET_NAME')),
    new S3DocumentBlobs(s3),
  ),
  tasks: new SfnTaskCallbacks(sfnClient()),
};
const processor = new BatchProcessor(EventType.SQS);

/**
 * Consumer of Textract's completion notifications (SNS → SQS): completes the waiting task of each job
 * and reports partial batch failures, so a message that could not be handled now is retried (and in the
 * end dead-lettered) without its neighbours.
 */
export const handler = lambdaHandler(
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, completeRecord, processor, { context }),
);

/**
 * One job per subsegment, annotated with the job and the document whose task it completes
 * (`completedDocumentId`: `documentId` is kept for the traces of document runs, docs/decisions.md 32).
 */
const completeRecord = async (record: SQSRecord): Promise<void> => {
  const notification = parseTextractNotification(record.body);
  await inSubsegment(`complete ${notification.jobId}`, async (annotate) => {
    annotate({ jobId: notification.jobId });
    const outcome = await completeTextractJob(notification, dependencies);
    if (outcome.kind === 'succeeded' || outcome.kind === 'failed') {
      annotate({ completedDocumentId: outcome.record.documentId, status: outcome.kind });
    }
    report(record.messageId, notification.jobId, outcome);
  });
};

/**
 * Records of a batch are completed concurrently, so the document id goes on each line rather than
 * onto the shared logger, where one record's id would leak into another's lines.
 */
const report = (messageId: string, jobId: string, outcome: CompletionOutcome): void => {
  switch (outcome.kind) {
    case 'not-ours':
      logger.warn('Textract notification without a job tag ignored', { messageId, jobId });
      return;
    case 'unknown-job':
      logger.info('no waiting task for this job: already handled or expired', {
        messageId,
        jobId,
        jobTag: outcome.jobTag,
      });
      return;
    case 'succeeded':
    case 'failed': {
      const details = {
        messageId,
        jobId,
        documentId: outcome.record.documentId,
        ...(outcome.kind === 'succeeded'
          ? { status: outcome.status, text: outcome.text }
          : { error: outcome.error, cause: outcome.cause }),
      };
      if (outcome.delivery === 'task-gone') {
        logger.warn('the task no longer waits: the execution has moved on', details);
      } else {
        logger.info(`task ${outcome.kind}`, details);
      }
      return;
    }
  }
};
