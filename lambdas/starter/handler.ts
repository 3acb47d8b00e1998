import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MalformedNotificationError } from '../shared/documents/errors';
import { sfnClient } from '../shared/runtime/clients';
import { requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { reportMalformedMessage, reportOutcome } from './report-outcome';
import { type IngestMessage, parseIngestMessage } from './s3-notification';
import { SfnExecutionStarter } from './sfn-execution-starter';
import { startDocuments } from './start-documents';
import { TracedExecutionStarter } from './traced-execution-starter';

const executions = new TracedExecutionStarter(
  new SfnExecutionStarter(sfnClient(), requireEnv('STATE_MACHINE_ARN')),
);
const processor = new BatchProcessor(EventType.SQS);

/**
 * The ingest queue consumer: starts one execution per created object and reports partial batch
 * failures, so a failing message is retried (and in the end dead-lettered) without its neighbours.
 */
export const handler = lambdaHandler(
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, startRecord, processor, { context }),
);

/** Succeeds when every record of the message was started, was a duplicate or was safe to drop. */
const startRecord = async (record: SQSRecord): Promise<void> => {
  let message: IngestMessage;
  try {
    message = parseIngestMessage(record.body);
  } catch (error) {
    if (error instanceof MalformedNotificationError) {
      reportMalformedMessage(record.messageId, record.attributes.ApproximateReceiveCount, error);
    }
    throw error;
  }
  const outcomes = await startDocuments(message, executions);
  for (const outcome of outcomes) reportOutcome(record.messageId, outcome);
  const errors = outcomes.flatMap((outcome) => (outcome.kind === 'failed' ? [outcome.error] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new AggregateError(errors, `${errors.length} of ${outcomes.length} records failed to start`);
  }
};
