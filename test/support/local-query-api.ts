import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { handler as ApiHandler } from '../../lambdas/api/handler';
import { type ApiRoute, type RestApiServer, startRestApiServer } from '../../local/api/rest-api-server';
import { lambdaContext } from '../fixtures/lambda-context';
import { TEST_AWS, testArn, useEmulatorEnv } from './aws';

const API_FUNCTION = testArn.lambda('docflow-api');

/** What the query API reads at its cold start, pointed at the emulators behind one gateway. */
export interface LocalQueryApiOptions {
  /** The local gateway that serves S3, SQS, DynamoDB and Secrets Manager. */
  readonly endpoint: string;
  readonly table: string;
  /** Where POST /documents/{id}/reprocess sends its requests. */
  readonly ingestQueueUrl: string;
  /** Read at cold start for POST /uploads. */
  readonly uploadsBucket: string;
  /** Names the cursor secret and the API id, so that two suites never share them. */
  readonly label: string;
  /** Also route POST /documents/{id}/reprocess. @default false */
  readonly reprocess?: boolean;
}

/**
 * The API function's own handler behind the local REST API server, as the CLI reaches it: its
 * environment set as the stack sets it, its cursor key in the local Secrets Manager. The handler is
 * imported after the environment is set, since it reads its configuration once, at module scope.
 */
export const startLocalQueryApi = async (options: LocalQueryApiOptions): Promise<RestApiServer> => {
  useEmulatorEnv({ dynamodb: options.endpoint, s3: options.endpoint, sqs: options.endpoint });
  process.env.INGEST_QUEUE_URL = options.ingestQueueUrl;
  process.env.METADATA_TABLE_NAME = options.table;
  process.env.UPLOADS_BUCKET_NAME = options.uploadsBucket;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = options.endpoint;
  const secrets = new SecretsManagerClient({ ...TEST_AWS, endpoint: options.endpoint });
  const { ARN } = await secrets.send(
    new CreateSecretCommand({
      Name: `${options.label}-cursor-key`,
      SecretString: `${options.label}-integration-cursor-secret-0123456789`,
    }),
  );
  secrets.destroy();
  process.env.CURSOR_SECRET_ARN = ARN;
  process.env.URL_TTL_SECONDS = '300';
  const { handler } = (await import('../../lambdas/api/handler')) as { handler: typeof ApiHandler };
  const reads: ApiRoute[] = ['/documents', '/documents/{id}', '/documents/{id}/text'].map((path) => ({
    httpMethod: 'GET',
    path,
    functionArn: API_FUNCTION,
  }));
  const writes: ApiRoute[] = options.reprocess
    ? [{ httpMethod: 'POST', path: '/documents/{id}/reprocess', functionArn: API_FUNCTION }]
    : [];
  return startRestApiServer({
    routes: [...reads, ...writes],
    invoke: (_arn, event) => handler(event, lambdaContext('docflow-api')),
    stage: 'prod',
    apiId: `${options.label}api`,
    region: TEST_AWS.region,
  });
};
