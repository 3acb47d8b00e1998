import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoDocumentClient, s3Client, sfnClient, textractClient } from '../shared/clients';
import { DynamoDbTextractJobs } from '../shared/dynamodb-textract-jobs';
import { requireEnv } from '../shared/env';
import { logger, publishMetrics, scopeToDocument } from '../shared/powertools';
import { S3DerivativeStore } from '../shared/s3-derivative-store';
import { DerivativeTextDocumentStore } from '../shared/text-document-store';
import { TextractTextDetection } from '../shared/textract-text-detection';
import {
  type CompleteJobDependencies,
  type CompletionOutcome,
  completeTextractJob,
} from './complete-textract-job';
import { SfnTaskCallbacks } from './sfn-task-callbacks';
import { parseTextractNotification } from './textract-notification';

const dependencies: CompleteJobDependencies = {
  jobs: new DynamoDbTextractJobs(dynamoDocumentClient(), requireEnv('TEXTRACT_JOBS_TABLE_NAME')),
  results: new TextractTextDetection(textractClient()),
  texts: new DerivativeTextDocumentStore(
    new S3DerivativeStore(s3Client(), requireEnv('DERIVATIVES_BUCKET_NAME')),
  ),
  tasks: new SfnTaskCallbacks(sfnClient()),
};
const processor = new BatchProcessor(EventType.SQS);

/**
 * Consumer of Textract's completion notifications (SNS → SQS): completes the waiting task of each job
 * and reports partial batch failures, so a message that could not be handled now is retried (and in the
 * end dead-lettered) without its neighbours.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await processPartialResponse(event, completeRecord, processor, { context });
  } finally {
    publishMetrics();
  }
};

const completeRecord = async (record: SQSRecord): Promise<void> => {
  const notification = parseTextractNotification(record.body);
  const outcome = await completeTextractJob(notification, dependencies);
  report(record.messageId, notification.jobId, outcome);
};

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
      scopeToDocument(outcome.record.documentId);
      const details =
        outcome.kind === 'succeeded'
          ? { status: outcome.status, text: outcome.text }
          : { error: outcome.error, cause: outcome.cause };
      if (outcome.delivery === 'task-gone') {
        logger.warn('the task no longer waits: the execution has moved on', { messageId, jobId, ...details });
      } else {
        logger.info(`task ${outcome.kind}`, { messageId, jobId, ...details });
      }
      logger.removeKeys(['documentId']);
      return;
    }
  }
};
