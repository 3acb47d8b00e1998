import type { Context } from 'aws-lambda';
import { dynamoDocumentClient, s3Client } from '../shared/clients';
import { DynamoDbMetadataIndex } from '../shared/dynamodb-metadata-index';
import { requireEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { annotate, metrics, scopeToDocument } from '../shared/powertools';
import { S3StoredDerivatives } from '../shared/s3-stored-derivatives';
import { type IndexResult, indexDocument } from './index-document';
import { indexEventSchema, outcomeAnnotations } from './index-event';
import { type DeletionResult, recordDeletion } from './record-deletion';

const index = new DynamoDbMetadataIndex(dynamoDocumentClient(), requireEnv('METADATA_TABLE_NAME'));
const derivatives = new S3StoredDerivatives(s3Client(), requireEnv('DERIVATIVES_BUCKET_NAME'));

/**
 * Task of the IndexMetadata, RecordRejected and RecordDeletion states: writes the document's record
 * and deletes the derivatives no record points at any more.
 * Errors propagate by name to the state machine, which retries or records FAILED.
 */
export const handler = lambdaHandler(
  async (event: unknown, _context: Context): Promise<IndexResult | DeletionResult> => {
    const outcome = indexEventSchema.parse(event);
    scopeToDocument(outcome.outcome === 'DELETED' ? outcome.deletion.id : outcome.document.id);
    const ports = { index, derivatives, metrics, now: () => new Date() };
    const result =
      outcome.outcome === 'DELETED'
        ? await recordDeletion(outcome, ports)
        : await indexDocument(outcome, ports);
    annotate(outcomeAnnotations(outcome, result));
    return result;
  },
);
