import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { dynamoDocumentClient, s3Client, secretsManagerClient } from '../shared/clients';
import { intEnv, requireEnv } from '../shared/env';
import { logger } from '../shared/powertools';
import { S3UrlSigner } from '../shared/s3-url-signer';
import { readSecretString } from '../shared/secrets';
import { DynamoDbDocumentCatalog } from './dynamodb-document-catalog';
import { createRouter } from './router';
import { apiRoutes } from './routes';
import { S3TextStore } from './s3-text-store';

const s3 = s3Client();

// Read once per execution environment: the key that signs list cursors lives in Secrets Manager.
const cursorSecret = await readSecretString(secretsManagerClient(), requireEnv('CURSOR_SECRET_ARN'));

const route = createRouter(
  apiRoutes(
    {
      catalog: new DynamoDbDocumentCatalog(dynamoDocumentClient(), requireEnv('METADATA_TABLE_NAME')),
      texts: new S3TextStore(s3),
      urls: new S3UrlSigner(s3),
    },
    {
      cursorSecret,
      urlTtlSeconds: intEnv('URL_TTL_SECONDS', 300),
      region: requireEnv('AWS_REGION'),
    },
  ),
  {
    onUnexpectedError: (error, event) =>
      logger.error('request failed', { error, method: event.httpMethod, path: event.path }),
  },
);

/** API Gateway REST proxy entry point of the query API. */
export const handler = async (
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  return route(event);
};
