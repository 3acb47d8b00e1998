import type { handler as Handler } from '../../../../lambdas/index-metadata/handler';
import type { DocumentOutcome } from '../../../../lambdas/index-metadata/index-document';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import { lambdaContext } from '../../../fixtures/lambda-context';
import {
  createBucket,
  createMetadataTable,
  metadataItemOf,
  testDynamo,
  useEmulatorEnv,
} from '../../../support/aws';
import { startedForFile } from '../../../support/started-for-file';
import { type TableStates, tableStatesOf } from './asl-dynamodb-task';

/** The index-metadata handler on the emulators, with the state machine's own table states beside it. */
interface IndexMetadataEnvironment extends TableStates {
  readonly dynamo: DynamoDbEmulator;
  readonly messaging: MessagingEmulator;
  readonly handler: typeof Handler;
}

/** What a test file of the handler works with: the handler, the table states, and the table's item. */
export interface IndexMetadataSuite extends TableStates {
  /** The handler, invoked as the IndexMetadata task with a test Lambda context. */
  invoke(event: unknown): ReturnType<typeof Handler>;
  /** One whole run: MarkProcessing claims the outcome's version and generation, the handler records `outcome`. */
  recordRun(outcome: DocumentOutcome): Promise<void>;
  /** The document's item as it is stored now. */
  stored(document: DocumentRef): Promise<MetadataItem | undefined>;
  /** The endpoint of the DynamoDB emulator that holds the table. */
  dynamoEndpoint(): string;
  /** The endpoint of the S3 emulator that holds the derivatives bucket. */
  s3Endpoint(): string;
}

/**
 * Starts DynamoDB and S3, makes the metadata table and the derivatives bucket, puts their names and
 * endpoints in the environment, and only then imports the handler: it reads its configuration and
 * creates its clients at module scope.
 */
const startIndexMetadataHandler = async (
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

/**
 * The handler's environment for the calling test file: started before its tests and stopped after
 * them, with everything a test uses reached through the returned suite.
 */
export const useIndexMetadataHandler = (tableName: string, derivativesBucket: string): IndexMetadataSuite => {
  const started = startedForFile(
    'the index-metadata handler',
    () => startIndexMetadataHandler(tableName, derivativesBucket),
    async ({ dynamo, messaging }) => {
      await Promise.all([dynamo.stop(), messaging.stop()]);
    },
  );
  return {
    invoke: (event) => started().handler(event, lambdaContext()),
    recordRun: async (outcome) => {
      await started().markProcessing(outcome.document, outcome.generation);
      await started().handler(outcome, lambdaContext());
    },
    markProcessing: (document, generation) => started().markProcessing(document, generation),
    recordFailure: (document, generation) => started().recordFailure(document, generation),
    stored: (document) => metadataItemOf(started().dynamo.endpoint, tableName, document.id),
    dynamoEndpoint: () => started().dynamo.endpoint,
    s3Endpoint: () => started().messaging.endpoint,
  };
};
