import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../infra/constructs/query-api';
import {
  actionsOf,
  arnOf,
  logicalIdOf,
  refOf,
  synthDocflowTemplate,
  type TemplateResource,
} from '../../support/docflow-app';
import { synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('QueryApi', () => {
  const docflow = synthesizeBeforeAll();
  let methods: TemplateResource[];

  beforeAll(() => {
    methods = Object.values(docflow.resourcesOf('AWS::ApiGateway::Method'));
  });

  /** The full path of an API Gateway resource, from its PathPart chain. */
  const pathOf = (resourceRef: unknown): string => {
    const resources = docflow.resourcesOf('AWS::ApiGateway::Resource');
    const parts: string[] = [];
    let current = resourceRef as { Ref?: string };
    while (current.Ref && resources[current.Ref]) {
      const resource = resources[current.Ref];
      parts.unshift(resource?.Properties?.PathPart as string);
      current = resource?.Properties?.ParentId as { Ref?: string };
    }
    return `/${parts.join('/')}`;
  };

  it('routes each documented method and path to the api function', () => {
    // Assess
    expect(
      methods.map((m) => `${m.Properties?.HttpMethod} ${pathOf(m.Properties?.ResourceId)}`).sort(),
    ).toEqual(
      [
        'GET /documents',
        'GET /documents/{id}',
        'GET /documents/{id}/text',
        'POST /documents/{id}/reprocess',
        'GET /costs',
        'GET /openapi.json',
        'POST /uploads',
      ].sort(),
    );
    expect(API_ROUTES.map((route) => `${route.method} ${route.path}`)).toContain('POST /uploads');
    for (const method of methods) {
      const integration = method.Properties?.Integration as {
        Type: string;
        Uri: { 'Fn::Join': [string, unknown[]] };
      };
      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.Uri['Fn::Join'][1]).toContainEqual(arnOf(docflow.stack.queryApi.handler.function));
    }
  });

  it('requires IAM authorization on every method', () => {
    for (const method of methods) {
      // Assess
      expect(method.Properties?.AuthorizationType).toBe('AWS_IAM');
    }
  });

  it('validates the parameters of every method, requiring the path parameters', () => {
    // Prepare
    const validators = docflow.resourcesOf('AWS::ApiGateway::RequestValidator');
    const [validatorId, validator] = Object.entries(validators)[0] ?? [];

    // Assess
    expect(Object.keys(validators)).toHaveLength(1);
    expect(validator?.Properties).toMatchObject({
      ValidateRequestParameters: true,
      ValidateRequestBody: true,
    });
    for (const method of methods) {
      const path = pathOf(method.Properties?.ResourceId);
      const route = API_ROUTES.find((r) => r.path === path);
      expect(method.Properties?.RequestValidatorId).toEqual({ Ref: validatorId });
      expect(method.Properties?.RequestParameters ?? {}).toEqual({
        ...(path.includes('{id}') ? { 'method.request.path.id': true } : {}),
        ...Object.fromEntries(
          (route?.query ?? []).map((name) => [`method.request.querystring.${name}`, false]),
        ),
      });
    }
  });

  it('traces, logs executions and access as JSON, and throttles its stage', () => {
    // Assess
    docflow.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::Join': ['', Match.arrayWith([refOf(docflow.stack.queryApi.accessLogGroup)])] },
        Format: Match.stringLikeRegexp(
          '^\\{.*"requestId":"\\$context.requestId".*"status":"\\$context.status".*\\}$',
        ),
      },
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'INFO',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        },
      ],
    });
  });

  it('sets the account CloudWatch role that execution logging needs, and keeps it', () => {
    // Assess
    docflow.template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Arn']) }),
    });
    docflow.template.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
        }),
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('keeps the cursor key in Secrets Manager and gives the function its ARN, never its value', () => {
    // Prepare
    const variables = docflow.environmentOf(docflow.stack.queryApi.handler);

    // Assess
    docflow.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    expect(variables.CURSOR_SECRET_ARN).toEqual(refOf(docflow.stack.queryApi.cursorSecret));
    expect(variables).not.toHaveProperty('CURSOR_SECRET');
    expect(JSON.stringify(variables)).not.toContain('resolve:secretsmanager');
  });

  it('gives the function the uploads bucket, the upload size limit and the POST lifetime', () => {
    // Prepare
    const variables = docflow.environmentOf(docflow.stack.queryApi.handler);

    // Assess
    expect(variables).toMatchObject({
      UPLOADS_BUCKET_NAME: refOf(docflow.stack.documentStore.uploadsBucket),
      MAX_DOCUMENT_BYTES: String(50 * 1024 * 1024),
      UPLOAD_TTL_SECONDS: '900',
    });
  });

  it('takes the upload size limit from the docflow:limits context', () => {
    // Act
    const limited = synthDocflowTemplate({
      context: { 'docflow:limits': { maxDocumentBytes: 1_000_000 } },
    });

    // Assess
    expect(limited.environmentOf(limited.stack.queryApi.handler).MAX_DOCUMENT_BYTES).toBe('1000000');
  });

  it('lets the function read that secret, query the table and its indexes, read objects it presigns and sign uploads', () => {
    // Prepare
    const statements = docflow
      .statementsOfFunction(docflow.stack.queryApi.handler)
      .filter((s) => !actionsOf(s).some((a) => a.startsWith('logs:') || a.startsWith('xray:')));
    const table = arnOf(docflow.stack.metadataTable.table);
    const uploads = arnOf(docflow.stack.documentStore.uploadsBucket);
    const derivatives = arnOf(docflow.stack.documentStore.derivativesBucket);

    // Assess
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: refOf(docflow.stack.queryApi.cursorSecret),
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [
          table,
          { 'Fn::Join': ['', [table, '/index/byStatus']] },
          { 'Fn::Join': ['', [table, '/index/byUploadTime']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [uploads, '/incoming/*']] },
      },
      {
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [uploads, '/incoming/uploads/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: arnOf(docflow.stack.ingest.queue),
      },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          { 'Fn::Join': ['', [derivatives, '/text/*']] },
          { 'Fn::Join': ['', [derivatives, '/thumbnails/*']] },
        ],
      },
    ]);
  });

  it('sends reprocess requests to the ingest queue, the starter’s, and to no other', () => {
    // Act
    const environment = docflow.environmentOf(docflow.stack.queryApi.handler);

    // Assess
    expect(environment.INGEST_QUEUE_URL).toEqual(refOf(docflow.stack.ingest.queue));
    expect(API_ROUTES).toContainEqual({ method: 'POST', path: '/documents/{id}/reprocess', query: [] });
  });

  it('lets API Gateway invoke the function only from this API', () => {
    // Assess
    const permissions = Object.values(docflow.resourcesOf('AWS::Lambda::Permission')).filter(
      (p) =>
        JSON.stringify(p.Properties?.FunctionName) ===
        JSON.stringify(arnOf(docflow.stack.queryApi.handler.function)),
    );
    expect(permissions).toHaveLength(API_ROUTES.length);
    for (const permission of permissions) {
      expect(permission.Properties?.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties?.SourceArn)).toContain(
        logicalIdOf(docflow.stack.queryApi.restApi),
      );
    }
  });
});
