import type { handler as Handler } from '../../../../lambdas/index-metadata/handler';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import { createBucket, createMetadataTable, testDynamo, useEmulatorEnv } from '../../../support/aws';
import { type TableStates, tableStatesOf } from './asl-dynamodb-task';

/** The index-metadata handler on the emulators, with the state machine's own table states beside it. */
export interface IndexMetadataEnvironment extends TableStates {
  readonly dynamo: DynamoDbEmulator;
  readonly messaging: MessagingEmulator;
  readonly handler: typeof Handler;
}

/**
 * Starts DynamoDB and S3, makes the metadata table and the derivatives bucket, puts their names and
 * endpoints in the environment, and only then imports the handler: it reads its configuration and
 * creates its clients at module scope.
 */
export const startIndexMetadataHandler = async (
  tableName: string,
  derivativesBucket: string,
): Promise<IndexMetadataEnvironment> => {
  const [dynamo, messaging] = await Promise.all([startDynamoDb(), startMessaging()]);
  await Promise.all([
    createMetadataTable(dynamo.endpoint, tableName),
    createBucket(messaging.endpoint, derivativesBucket),
  ]);
  useEmulatorEnv({ dynamodb: dynamo.endpoint, s3: messaging.endpoint });
  process.env.METADATA_TABLE_NAME = tableName;
  process.env.DERIVATIVES_BUCKET_NAME = derivativesBucket;
  const { handler } = await import('../../../../lambdas/index-metadata/handler');
  return {
    dynamo,
    messaging,
    handler,
    ...tableStatesOf(testDynamo(dynamo.endpoint), tableName),
  };
};
