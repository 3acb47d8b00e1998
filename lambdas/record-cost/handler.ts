import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { readPrices } from '../shared/documents/prices';
import { sfnClient } from '../shared/runtime/clients';
import { dynamoDocumentClient } from '../shared/runtime/dynamodb-document-client';
import { requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { annotate, logger, metrics, tracer } from '../shared/runtime/powertools';
import { DynamoDbCostLedger } from './dynamodb-cost-ledger';
import { LambdaFunctionConfigurations } from './lambda-function-configurations';
import { type RecordCostResult, recordRunCost, statusChangeEventSchema } from './record-run-cost';
import { SfnExecutionHistory } from './sfn-execution-history';

const history = new SfnExecutionHistory(sfnClient());
// Only this function reads Lambda configurations: its client lives here, not in the shared clients.
const functions = new LambdaFunctionConfigurations(tracer.captureAWSv3Client(new LambdaClient({})));
const ledger = new DynamoDbCostLedger(dynamoDocumentClient(), requireEnv('METADATA_TABLE_NAME'));
const prices = readPrices();
const starterFunction = requireEnv('STARTER_FUNCTION_NAME');
const textractCallbackFunction = requireEnv('TEXTRACT_CALLBACK_FUNCTION_NAME');

/** An event the rule should never have delivered: not a terminal status change of an execution. */
export class UnexpectedEventError extends Error {
  override readonly name = 'UnexpectedEventError';
}

/**
 * Target of the EventBridge rule on the pipeline's "Step Functions Execution Status Change" events
 * (terminal statuses): prices the run that ended and adds it to its document's cost. An error is
 * retried by Lambda's asynchronous invocation, then kept in the cost events' dead-letter queue.
 */
export const handler = lambdaHandler(async (event: unknown, _context: Context): Promise<RecordCostResult> => {
  const parsed = statusChangeEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new UnexpectedEventError(`not a terminal Step Functions status change: ${parsed.error.message}`);
  }
  const { detail } = parsed.data;
  logger.appendKeys({ executionArn: detail.executionArn });
  const result = await recordRunCost(detail, {
    history,
    functions,
    ledger,
    prices,
    starterFunction,
    textractCallbackFunction,
    metrics,
    // Not `documentId`: that annotation finds a document's runs (decision 32), and this is not one.
    onDocument: (documentId) => {
      logger.appendKeys({ documentId });
      annotate({ costedDocumentId: documentId });
    },
  });
  annotate({ runKey: result.runKey, costOutcome: result.outcome });
  logger.info('run cost', { ...result, status: detail.status });
  return result;
});
