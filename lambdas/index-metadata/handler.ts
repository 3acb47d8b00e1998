import type { Context } from 'aws-lambda';
import { dynamoDocumentClient } from '../shared/clients';
import { DynamoDbMetadataIndex } from '../shared/dynamodb-metadata-index';
import { requireEnv } from '../shared/env';
import { logger, metrics, publishMetrics, scopeToDocument } from '../shared/powertools';
import { type IndexResult, indexDocument } from './index-document';
import { indexEventSchema } from './index-event';

const index = new DynamoDbMetadataIndex(dynamoDocumentClient(), requireEnv('METADATA_TABLE_NAME'));

/**
 * Task of the IndexMetadata and RecordRejected states: writes the document's terminal item.
 * Errors propagate by name to the state machine, which retries or records FAILED.
 */
export const handler = async (event: unknown, context?: Context): Promise<IndexResult> => {
  if (context) logger.addContext(context);
  const outcome = indexEventSchema.parse(event);
  scopeToDocument(outcome.document.id);
  try {
    return await indexDocument(outcome, { index, metrics, now: () => new Date() });
  } finally {
    publishMetrics();
  }
};
