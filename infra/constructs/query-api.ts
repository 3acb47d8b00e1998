import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UPLOAD_KEY_PREFIX } from '../../lambdas/api/upload-keys';
import { LIMIT_SETTINGS } from '../../lambdas/shared/documents/limits';
import { DocflowFunction } from './docflow-function';
import { DERIVATIVE_PREFIXES, INCOMING_PREFIX } from './document-store';

/**
 * The methods and the query parameters each accepts; API Gateway validates the required ones, the
 * function all (and the one body, `POST /uploads`'s, which it answers with problem details).
 */
export const API_ROUTES = [
  {
    method: 'GET',
    path: '/documents',
    query: ['status', 'type', 'uploadedAfter', 'uploadedBefore', 'limit', 'cursor'],
  },
  { method: 'GET', path: '/documents/{id}', query: [] },
  { method: 'GET', path: '/documents/{id}/text', query: ['page', 'pageSize'] },
  { method: 'POST', path: '/documents/{id}/reprocess', query: [] },
  { method: 'GET', path: '/costs', query: ['uploadedAfter', 'uploadedBefore', 'cursor'] },
  { method: 'POST', path: '/uploads', query: [] },
  { method: 'GET', path: '/openapi.json', query: [] },
] as const;

export interface QueryApiProps {
  /** The metadata table the API reads. */
  readonly table: dynamodb.ITable;
  /** ARNs of the table's listing indexes. */
  readonly indexArns: readonly string[];
  /** Presigned URLs point here for originals; presigned POSTs upload into it. */
  readonly uploadsBucket: s3.IBucket;
  /** Presigned URLs point here for thumbnails; text is read from here. */
  readonly derivativesBucket: s3.IBucket;
  /** Where reprocess requests go: the queue the starter takes uploads from. */
  readonly ingestQueue: sqs.IQueue;
  /** Largest upload, in bytes (the MAX_DOCUMENT_BYTES limit): presigned POSTs allow no larger file. */
  readonly maxDocumentBytes: number;
  /** Powertools metrics namespace of the function. */
  readonly metricsNamespace: string;
  /** Retention of the function's and the access logs' log groups. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Steady-state requests per second of the stage.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests of the stage.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Lifetime of presigned URLs.
   * @default Duration.minutes(5)
   */
  readonly urlTtl?: Duration;
  /**
   * How long a presigned POST (`POST /uploads`) may be used. A POST signed with the function's session
   * credentials also stops working when that session ends.
   * @default Duration.minutes(15)
   */
  readonly uploadTtl?: Duration;
}

/**
 * The query API: a regional REST API with IAM authorization on every method, parameter validation,
 * access and execution logs, X-Ray and stage throttling, proxying to the api function. The function
 * signs list cursors with a key it reads from Secrets Manager at cold start (never from plain env).
 */
export class QueryApi extends Construct {
  readonly restApi: apigw.RestApi;
  readonly handler: DocflowFunction;
  /** HMAC key of the list cursors. */
  readonly cursorSecret: secretsmanager.Secret;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const rateLimit = props.throttlingRateLimit ?? 50;
    const burstLimit = props.throttlingBurstLimit ?? 100;
    const urlTtl = props.urlTtl ?? Duration.minutes(5);
    const uploadTtl = props.uploadTtl ?? Duration.minutes(15);
    if (rateLimit <= 0 || burstLimit <= 0) throw new Error('throttling limits must be positive');
    if (urlTtl.toSeconds() < 1 || urlTtl.toSeconds() > Duration.days(7).toSeconds()) {
      throw new Error('presigned url lifetime must be 1 second to 7 days');
    }
    // SigV4 signatures, a POST policy's included, are valid for at most 7 days.
    if (uploadTtl.toSeconds() < 1 || uploadTtl.toSeconds() > Duration.days(7).toSeconds()) {
      throw new Error('presigned post lifetime must be 1 second to 7 days');
    }
    if (!Number.isSafeInteger(props.maxDocumentBytes) || props.maxDocumentBytes <= 0) {
      throw new Error('max document bytes must be a positive integer');
    }

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key that signs the query API list cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    this.handler = new DocflowFunction(this, 'Handler', {
      name: 'api',
      description:
        'Query API: lists documents, returns metadata, text and presigned URLs, mints upload POSTs, queues reprocesses',
      memorySize: 512,
      timeout: Duration.seconds(10),
      metricsNamespace: props.metricsNamespace,
      logRetention: props.logRetention,
      environment: {
        METADATA_TABLE_NAME: props.table.tableName,
        CURSOR_SECRET_ARN: this.cursorSecret.secretArn,
        URL_TTL_SECONDS: String(urlTtl.toSeconds()),
        UPLOADS_BUCKET_NAME: props.uploadsBucket.bucketName,
        UPLOAD_TTL_SECONDS: String(uploadTtl.toSeconds()),
        INGEST_QUEUE_URL: props.ingestQueue.queueUrl,
        [LIMIT_SETTINGS.maxDocumentBytes.env]: String(props.maxDocumentBytes),
      },
    });
    const fn = this.handler.function;
    this.cursorSecret.grantRead(fn);
    // Statements, not table.grant(), which adds `index/*`: the function may query the listing indexes only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [props.table.tableArn, ...props.indexArns],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [props.uploadsBucket.arnForObjects(`${INCOMING_PREFIX}*`)],
      }),
    );
    // A presigned POST acts with the signer's permissions: the function may write its uploads' prefix only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.uploadsBucket.arnForObjects(`${UPLOAD_KEY_PREFIX}*`)],
      }),
    );
    // Reprocess requests go the way uploads go: the starter alone starts executions.
    props.ingestQueue.grant(fn, 'sqs:SendMessage');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: Object.values(DERIVATIVE_PREFIXES).map((prefix) =>
          props.derivativesBucket.arnForObjects(`${prefix}*`),
        ),
      }),
    );

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      description: 'docflow query API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging needs the account-level CloudWatch role; it is kept when the stack goes,
      // because other APIs of the account rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        // Full request/response logging would copy presigned URLs into the logs.
        dataTraceEnabled: false,
        throttlingRateLimit: rateLimit,
        throttlingBurstLimit: burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    const validator = this.restApi.addRequestValidator('ParameterValidator', {
      validateRequestParameters: true,
      // POST /uploads has no model: the function validates its body with the same zod schema the
      // OpenAPI document shows, and answers problem details, which a gateway refusal would not.
      validateRequestBody: true,
    });
    const integration = new apigw.LambdaIntegration(fn, { allowTestInvoke: false });
    for (const route of API_ROUTES) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
      resource.addMethod(route.method, integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters: {
          ...Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
          ...Object.fromEntries(route.query.map((name) => [`method.request.querystring.${name}`, false])),
        },
      });
    }
  }
}
