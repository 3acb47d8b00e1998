import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './powertools';

/**
 * The DynamoDB document client, created once per container and captured by the tracer. It lives apart
 * from ./clients because `@aws-sdk/lib-dynamodb` does not declare itself free of side effects: its
 * paginators run at import, so any bundle importing it keeps the DynamoDB client (45 KB), whether the
 * function calls DynamoDB or not. Only the functions that do import this module.
 */
export const dynamoDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
