import { describe, expect, it } from 'vitest';
import { serviceOf } from '../../../local/gateway';

const signed = (service: string) => ({
  url: '/',
  headers: {
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
  },
});

describe('serviceOf', () => {
  it.each(['s3', 'sqs', 'sns', 'dynamodb', 'states', 'textract', 'secretsmanager'])(
    'reads %s from the SigV4 credential scope',
    (service) => {
      // Act
      const routed = serviceOf(signed(service));

      // Assess
      expect(routed).toBe(service);
    },
  );

  it('prefers the credential scope over X-Amz-Target', () => {
    // Prepare
    const request = signed('states');
    const withTarget = {
      ...request,
      headers: { ...request.headers, 'x-amz-target': 'DynamoDB_20120810.Query' },
    };

    // Act
    const routed = serviceOf(withTarget);

    // Assess
    expect(routed).toBe('states');
  });

  it('reads a presigned URL’s X-Amz-Credential', () => {
    // Prepare
    const url =
      '/bucket/key.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00';

    // Act
    const routed = serviceOf({ url, headers: {} });

    // Assess
    expect(routed).toBe('s3');
  });

  it.each([
    ['DynamoDB_20120810.ListTables', 'dynamodb'],
    ['AWSStepFunctions.StartExecution', 'states'],
    ['Textract.DetectDocumentText', 'textract'],
    ['secretsmanager.GetSecretValue', 'secretsmanager'],
    ['AmazonSQS.ReceiveMessage', 'sqs'],
  ])('routes the unsigned target %s to %s', (target, service) => {
    // Act
    const routed = serviceOf({ url: '/', headers: { 'x-amz-target': target } });

    // Assess
    expect(routed).toBe(service);
  });

  it('sends SigV2, anonymous and unknown-target requests to S3', () => {
    // Act
    const routed = [
      serviceOf({ url: '/b/k', headers: { authorization: 'AWS AKID:signature' } }),
      serviceOf({ url: '/b/k?AWSAccessKeyId=AKID&Signature=x&Expires=1', headers: {} }),
      serviceOf({ url: '/b/k', headers: {} }),
      serviceOf({ url: '/', headers: { 'x-amz-target': 'Kinesis_20131202.ListStreams' } }),
    ];

    // Assess
    expect(routed).toEqual(['s3', 's3', 's3', 's3']);
  });
});
