import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { S3UrlSigner } from '../shared/adapters/s3-url-signer';
import { cachedSecretString } from '../shared/adapters/secrets';
import { LIMIT_SETTINGS } from '../shared/documents/limits';
import { s3Client, secretsManagerClient, sqsClient } from '../shared/runtime/clients';
import { dynamoDocumentClient } from '../shared/runtime/dynamodb-document-client';
import { intEnv, requireEnv } from '../shared/runtime/env';
import { lambdaHandler } from '../shared/runtime/lambda-handler';
import { annotate, logger } from '../shared/runtime/powertools';
import { DynamoDbDocumentCatalog } from './dynamodb-document-catalog';
import { createRouter } from './router';
import { apiRoutes } from './routes';
import { S3TextDocumentReader } from './s3-text-document-reader';
import { S3UploadSigner } from './s3-upload-signer';
import { documentIdParameter } from './schemas';
import { SqsIngestQueue } from './sqs-ingest-queue';

const s3 = s3Client();

/** How long a warm environment signs cursors with the key it read before it reads the secret again. */
const CURSOR_SECRET_MAX_AGE_SECONDS = 300;

// Configuration is read at init, so a missing variable fails the cold start, not a request.
const cursorSecret = cachedSecretString(
  secretsManagerClient(),
  requireEnv('CURSOR_SECRET_ARN'),
  CURSOR_SECRET_MAX_AGE_SECONDS,
);
const catalog = new DynamoDbDocumentCatalog(dynamoDocumentClient(), requireEnv('METADATA_TABLE_NAME'));
const documentsConfig = { urlTtlSeconds: intEnv('URL_TTL_SECONDS', 300), region: requireEnv('AWS_REGION') };
const uploadsConfig = {
  bucket: requireEnv('UPLOADS_BUCKET_NAME'),
  maxDocumentBytes: intEnv('MAX_DOCUMENT_BYTES', LIMIT_SETTINGS.maxDocumentBytes.default),
  expiresInSeconds: intEnv('UPLOAD_TTL_SECONDS', 900),
};
const ingest = new SqsIngestQueue(sqsClient(), requireEnv('INGEST_QUEUE_URL'));

/**
 * The router for one cursor key. The key lives in Secrets Manager and is read inside the handler, so
 * the call is on the trace (at init there is no segment to put it on); the router is rebuilt only when
 * the key read differs from the last one (after a rotation).
 */
const buildRoute = (cursorKey: string) =>
  createRouter(
    apiRoutes(
      { catalog, texts: new S3TextDocumentReader(s3), urls: new S3UrlSigner(s3) },
      { ...documentsConfig, cursorSecret: cursorKey },
      { signer: new S3UploadSigner(s3), config: uploadsConfig },
      ingest,
    ),
    {
      onRoute: ({ method, path }, { params }) => {
        // `requestedDocumentId`, not `documentId`: that annotation finds a document's runs, never its reads.
        const id = documentIdParameter.safeParse(params.id);
        if (id.success) logger.appendKeys({ documentId: id.data });
        annotate({ route: `${method} ${path}`, requestedDocumentId: id.data });
      },
      onUnexpectedError: (error, event) =>
        logger.error('request failed', { error, method: event.httpMethod, path: event.path }),
    },
  );

let current: { readonly key: string; readonly route: ReturnType<typeof buildRoute> } | undefined;

/**
 * API Gateway REST proxy entry point of the query API. Responses stay off the trace: a page of text
 * would outgrow an X-Ray segment document.
 */
export const handler = lambdaHandler(
  async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    const key = await cursorSecret();
    if (current?.key !== key) current = { key, route: buildRoute(key) };
    return current.route(event);
  },
  { captureResponse: false },
);
