import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { METADATA_TABLE, type MetadataItem } from '../shared/documents/metadata-item';
import type { DocumentCatalog, ShardPage, ShardPosition, ShardQuery } from './ports';

/**
 * The metadata table as the API reads it. Listing queries one shard of a listing index at a time:
 * `byStatus` (`<STATUS>#<shard>`) when a status is given, else `byUploadTime` (`ALL#<shard>`), both
 * sorted by `uploadedAt`, read newest first. The date range is a key condition (it narrows what is
 * read); the type is a filter (it only narrows what is returned, so a page can come back empty).
 */
export class DynamoDbDocumentCatalog implements DocumentCatalog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(documentId: string): Promise<MetadataItem | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { [METADATA_TABLE.partitionKey]: documentId } }),
    );
    return Item as MetadataItem | undefined;
  }

  async queryShard(query: ShardQuery): Promise<ShardPage> {
    const index = query.status ? METADATA_TABLE.byStatusIndex : METADATA_TABLE.byUploadTimeIndex;
    const partition = `${query.status ?? 'ALL'}#${query.shard}`;
    // DynamoDB refuses unused names and values, so each is added only with the clause that uses it.
    const names: Record<string, string> = { '#pk': index.partitionKey };
    const values: Record<string, unknown> = { ':pk': partition };
    let keyCondition = '#pk = :pk';
    if (query.uploadedAfter || query.uploadedBefore) names['#sk'] = index.sortKey;
    if (query.uploadedAfter && query.uploadedBefore) {
      keyCondition += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = query.uploadedAfter;
      values[':to'] = query.uploadedBefore;
    } else if (query.uploadedAfter) {
      keyCondition += ' AND #sk >= :from';
      values[':from'] = query.uploadedAfter;
    } else if (query.uploadedBefore) {
      keyCondition += ' AND #sk <= :to';
      values[':to'] = query.uploadedBefore;
    }
    let filter: string | undefined;
    if (query.type) {
      filter = '#type = :type';
      names['#type'] = 'type';
      values[':type'] = query.type;
    }
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: keyCondition,
        ...(filter ? { FilterExpression: filter } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.startAfter
          ? {
              // An index's start key is the index key plus the table key; the item need not exist.
              ExclusiveStartKey: {
                [METADATA_TABLE.partitionKey]: query.startAfter.documentId,
                [index.partitionKey]: partition,
                [index.sortKey]: query.startAfter.uploadedAt,
              },
            }
          : {}),
      }),
    );
    const next = LastEvaluatedKey ? positionOfKey(LastEvaluatedKey) : undefined;
    return { items: (Items ?? []) as MetadataItem[], ...(next ? { next } : {}) };
  }
}

const positionOfKey = (key: Record<string, unknown>): ShardPosition => {
  const documentId = key[METADATA_TABLE.partitionKey];
  const uploadedAt = key[METADATA_TABLE.byUploadTimeIndex.sortKey];
  if (typeof documentId !== 'string' || typeof uploadedAt !== 'string')
    throw new Error('unexpected LastEvaluatedKey shape from the listing index');
  return { documentId, uploadedAt };
};
