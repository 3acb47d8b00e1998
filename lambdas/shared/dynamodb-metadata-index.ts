import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MetadataIndex } from './metadata-index';
import type { MetadataItem } from './metadata-item';

/**
 * The version condition, character for character the `ConditionExpression` of the state machine's
 * MarkProcessing and RecordFailure states (a unit test keeps them equal), with the same placeholders.
 */
export const VERSION_CONDITION =
  'attribute_not_exists(#documentId) OR #sequencer < :sequencer OR (#sequencer = :sequencer AND #status IN (:processing, :failed))';

/**
 * {@link MetadataIndex} over the metadata table. A conditional full `PutItem` rather than an update:
 * replacing the whole item is what removes a previous version's attributes (an old thumbnail, text,
 * rejection reason or failure) without having to list them.
 */
export class DynamoDbMetadataIndex implements MetadataIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putIfNewer(item: MetadataItem): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: VERSION_CONDITION,
          ExpressionAttributeNames: {
            '#documentId': 'documentId',
            '#sequencer': 'sequencer',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':sequencer': item.sequencer,
            ':processing': 'PROCESSING',
            ':failed': 'FAILED',
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
