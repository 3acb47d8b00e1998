import type { Context } from 'aws-lambda';
import { DynamoDbMetadataIndex } from '../shared/adapters/dynamodb-metadata-index';
import { S3StoredDerivatives } from '../shared/adapters/s3-stored-derivatives';
import { s3Client } from '../shared/runtime/clients';
import { dynamoDocumentClient } from '../shared/runtime/dynamodb-document-client';
import { requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { annotate, metrics, scopeToDocument } from '../shared/runtime/powertools';
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
