import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { TextractClient } from '@aws-sdk/client-textract';
import { tracer } from './powertools';

/**
 * AWS clients, created once per container and captured by the tracer. Endpoints come from the SDK's
 * own `AWS_ENDPOINT_URL_<SERVICE>` variables, so the same code reaches AWS or the local cloud; the
 * only explicit setting is path-style S3 addressing, which the local S3 needs. The DynamoDB document
 * client is in ./dynamodb-document-client, so that only the functions that use it carry it.
 */
export const s3Client = (): S3Client =>
  tracer.captureAWSv3Client(
    new S3Client({ forcePathStyle: process.env.DOCFLOW_S3_FORCE_PATH_STYLE === 'true' }),
  );

export const sfnClient = (): SFNClient => tracer.captureAWSv3Client(new SFNClient({}));

/**
 * SQS addresses a queue by URL; `useQueueUrlAsEndpoint: false` keeps requests on the configured
 * endpoint instead of the URL's host (local queue URLs carry a host name that does not resolve).
 */
export const sqsClient = (): SQSClient =>
  tracer.captureAWSv3Client(new SQSClient({ useQueueUrlAsEndpoint: false }));

/** Textract, in AWS or the local Textract (`AWS_ENDPOINT_URL_TEXTRACT`). */
export const textractClient = (): TextractClient => tracer.captureAWSv3Client(new TextractClient({}));

export const secretsManagerClient = (): SecretsManagerClient =>
  tracer.captureAWSv3Client(new SecretsManagerClient({}));
