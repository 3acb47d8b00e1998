import { Match } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DERIVATIVE_PREFIXES, INCOMING_PREFIX } from '../../../infra/constructs/document-store';
import { derivativeKeys } from '../../../lambdas/shared/documents/derivative-keys';
import { documentId } from '../../../lambdas/shared/documents/document';
import {
  actionsOf,
  arnOf,
  logicalIdOf,
  resourcesOfStatement,
  synthDocflowTemplate,
} from '../../support/docflow-app';
import { deniesWithoutTls, synthesizeBeforeAll } from '../../support/unit-synthesized-docflow';

describe('DocumentStore', () => {
  const docflow = synthesizeBeforeAll();
  let ids: { uploads: string; derivatives: string; accessLogs: string };

  beforeAll(() => {
    const store = docflow.stack.documentStore;
    ids = {
      uploads: logicalIdOf(store.uploadsBucket),
      derivatives: logicalIdOf(store.derivativesBucket),
      accessLogs: logicalIdOf(store.accessLogsBucket),
    };
  });

  const bucket = (id: string) => {
    const resource = docflow.resourcesOf('AWS::S3::Bucket')[id];
    if (!resource) throw new Error(`no bucket ${id}`);
    return resource;
  };

  it('versions the uploads bucket and expires noncurrent versions', () => {
    // Assess
    const properties = bucket(ids.uploads).Properties as {
      VersioningConfiguration: unknown;
      LifecycleConfiguration: { Rules: unknown[] };
    };
    expect(properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
    );
  });

  it.each(['uploads', 'derivatives'] as const)(
    'cleans up incomplete multipart uploads of the %s bucket',
    (name) => {
      // Assess
      const properties = bucket(ids[name]).Properties as { LifecycleConfiguration: { Rules: unknown[] } };
      expect(properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          Status: 'Enabled',
        }),
      );
    },
  );

  it.each(['uploads', 'derivatives', 'accessLogs'] as const)(
    'keeps the %s bucket private, encrypted, owner-enforced and retained',
    (name) => {
      // Assess
      const resource = bucket(ids[name]);
      expect(resource.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    },
  );

  it.each(['uploads', 'derivatives', 'accessLogs'] as const)(
    'denies any request to the %s bucket without TLS',
    (name) => {
      // Assess
      docflow.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: ids[name] },
        PolicyDocument: {
          Statement: Match.arrayWith([deniesWithoutTls({ Action: 's3:*', Principal: { AWS: '*' } })]),
        },
      });
    },
  );

  it.each([
    ['uploads', 'uploads/'],
    ['derivatives', 'derivatives/'],
  ] as const)('writes server access logs of the %s bucket to the access-logs bucket', (name, prefix) => {
    // Assess
    expect(bucket(ids[name]).Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: ids.accessLogs },
      LogFilePrefix: prefix,
    });
  });

  it('sends ObjectCreated:* and ObjectRemoved:* under incoming/ of the uploads bucket, and nothing else, to the ingest queue', () => {
    // Assess
    const notifications = Object.values(docflow.template.findResources('Custom::S3BucketNotifications'));
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.Properties).toMatchObject({
      BucketName: { Ref: ids.uploads },
      NotificationConfiguration: {
        QueueConfigurations: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'].map((event) => ({
          Events: [event],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INCOMING_PREFIX }] } },
          QueueArn: arnOf(docflow.stack.ingest.queue),
        })),
      },
    });
  });

  it('lets S3 send to the ingest queue only from the uploads bucket', () => {
    // Assess
    docflow.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(docflow.stack.ingest.queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnLike: { 'aws:SourceArn': arnOf(docflow.stack.documentStore.uploadsBucket) } },
          }),
        ]),
      },
    });
  });

  it('gives no bucket a CORS rule unless upload origins are configured', () => {
    // Assess
    for (const id of Object.values(ids))
      expect(bucket(id).Properties).not.toHaveProperty('CorsConfiguration');
  });

  it('lets the configured origins POST, and only POST, to the uploads bucket', () => {
    // Prepare
    const origins = ['https://console.example.com', 'http://127.0.0.1:*'];

    // Act
    const withCors = synthDocflowTemplate({
      context: { 'docflow:uploadCorsOrigins': origins },
    });

    // Assess
    const uploadsId = logicalIdOf(withCors.stack.documentStore.uploadsBucket);
    expect(uploadsId).toBe(ids.uploads);
    expect(withCors.resourcesOf('AWS::S3::Bucket')[uploadsId]?.Properties?.CorsConfiguration).toEqual({
      CorsRules: [
        {
          Id: 'browser-uploads',
          AllowedMethods: ['POST'],
          AllowedOrigins: origins,
          ExposedHeaders: ['ETag', 'x-amz-version-id'],
          MaxAge: 3600,
        },
      ],
    });
    expect(withCors.resourcesOf('AWS::S3::Bucket')[ids.derivatives]?.Properties).not.toHaveProperty(
      'CorsConfiguration',
    );
  });

  it.each(['https://console.example.com/app', 'console.example.com', 'http://*.example.*'])(
    'refuses the upload origin %s',
    (origin) => {
      // Act, Assess
      expect(() => synthDocflowTemplate({ context: { 'docflow:uploadCorsOrigins': [origin] } })).toThrow(
        /origins as scheme:\/\/host\[:port\] with at most one \*/,
      );
    },
  );
});

describe('no output of the pipeline can start it again', () => {
  const docflow = synthesizeBeforeAll();

  it('derives no derivative key under the notification prefix, for any document id and version', () => {
    // Assess
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (bucket, key, version) => {
        const owner = { id: documentId(bucket, key), version, sequencer: '0'.repeat(32) };
        for (const derived of [derivativeKeys.thumbnail(owner), derivativeKeys.text(owner)]) {
          expect(derived.startsWith(INCOMING_PREFIX)).toBe(false);
          expect(Object.values(DERIVATIVE_PREFIXES).some((prefix) => derived.startsWith(prefix))).toBe(true);
        }
      }),
    );
    for (const prefix of Object.values(DERIVATIVE_PREFIXES)) {
      expect(prefix.startsWith(INCOMING_PREFIX) || INCOMING_PREFIX.startsWith(prefix)).toBe(false);
    }
  });

  it('writes derivatives to their own bucket, which has no notifications', () => {
    // Assess
    expect(logicalIdOf(docflow.stack.documentStore.derivativesBucket)).not.toBe(
      logicalIdOf(docflow.stack.documentStore.uploadsBucket),
    );
    const notified = Object.values(docflow.template.findResources('Custom::S3BucketNotifications')).map(
      (resource) => resource.Properties.BucketName,
    );
    expect(notified).toEqual([{ Ref: logicalIdOf(docflow.stack.documentStore.uploadsBucket) }]);
  });

  it('grants no pipeline principal any write to the uploads bucket; only the api signs uploads into its prefix', () => {
    // Prepare
    const uploadsId = logicalIdOf(docflow.stack.documentStore.uploadsBucket);
    const writes = /^s3:(Put|Copy|Restore|Replicate|\*)|^s3:.*\*$/;
    const apiStatements = new Set(
      docflow
        .statementsOfFunction(docflow.stack.queryApi.handler)
        .map((statement) => JSON.stringify(statement)),
    );

    // Act
    const writesToUploads = docflow
      .iamStatements()
      .filter(
        ({ statement }) =>
          statement.Effect === 'Allow' &&
          actionsOf(statement).some(
            (action) => writes.test(action) && action !== 's3:PutBucketNotification',
          ) &&
          resourcesOfStatement(statement).some((resource) => JSON.stringify(resource).includes(uploadsId)),
      );
    const byApi = writesToUploads.filter(({ statement }) => apiStatements.has(JSON.stringify(statement)));

    // Assess: the api function never writes itself; a presigned POST acts with its permission
    expect(writesToUploads.filter((entry) => !byApi.includes(entry))).toEqual([]);
    expect(byApi.map(({ statement }) => [statement.Action, statement.Resource])).toEqual([
      [
        's3:PutObject',
        { 'Fn::Join': ['', [arnOf(docflow.stack.documentStore.uploadsBucket), '/incoming/uploads/*']] },
      ],
    ]);
  });
});
