import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DeletionRef } from '../documents/document';
import { INSPECTED_ATTRIBUTES, type MetadataItem } from '../documents/metadata-item';
import type { DeletionRecord, MetadataIndex } from '../ports/metadata-index';
import { updateIfCondition } from './conditional-update';

/**
 * The version condition, character for character the `ConditionExpression` of the state machine's
 * MarkProcessing and RecordFailure states (a unit test keeps them equal), with the same placeholders.
 * Versions are ordered by sequencer; runs of one version by generation (a reprocess is a newer run),
 * and a run may write again only while its own record is PROCESSING or FAILED. An item without a
 * generation was written before generations existed and is older than any run of its version.
 */
export const VERSION_CONDITION =
  'attribute_not_exists(#documentId) OR #sequencer < :sequencer OR (#sequencer = :sequencer AND (attribute_not_exists(#generation) OR #generation < :generation OR (#generation = :generation AND #status IN (:processing, :failed))))';

/** A deletion of the key: it wins over every upload before it; a retry of itself passes again. */
export const KEY_DELETION_CONDITION =
  'attribute_not_exists(#documentId) OR #sequencer < :sequencer OR (#sequencer = :sequencer AND #status = :deleted)';

/** A deletion of one version: only when that version is the recorded one (or a retry of itself). */
export const VERSION_DELETION_CONDITION =
  '(#version = :versionId AND #sequencer < :sequencer) OR (#sequencer = :sequencer AND #status = :deleted)';

/** What a tombstone no longer holds: everything read from the document's content. */
export const CONTENT_ATTRIBUTES = [
  'thumbnail',
  'text',
  'title',
  'author',
  'sha256',
  'reason',
  'reasonDetail',
  'failure',
] as const;

/**
 * Every attribute of an item but its key and `cost`: what an outcome replaces. `cost` belongs to the
 * document, every run of every version adding to it (record-cost), so an outcome keeps it. The type
 * check below fails the build when MetadataItem gains an attribute this list does not name.
 */
export const OUTCOME_ATTRIBUTES = [
  'bucket',
  'key',
  'version',
  'sequencer',
  'generation',
  'status',
  'statusShard',
  'listShard',
  'uploadedAt',
  'updatedAt',
  'size',
  'eTag',
  ...INSPECTED_ATTRIBUTES,
  'thumbnail',
  'text',
  'reason',
  'reasonDetail',
  'failure',
  'executionArn',
  'deletedAt',
  'startedAt',
  'completedAt',
  'durationMs',
] as const satisfies readonly Exclude<keyof MetadataItem, 'documentId' | 'cost'>[];

type UnlistedAttribute = Exclude<
  keyof MetadataItem,
  'documentId' | 'cost' | (typeof OUTCOME_ATTRIBUTES)[number]
>;
type Assert<T extends true> = T;
/** `true` only while {@link OUTCOME_ATTRIBUTES} names every attribute (the build fails otherwise). */
export type EveryOutcomeAttributeListed = Assert<[UnlistedAttribute] extends [never] ? true : false>;

/**
 * {@link MetadataIndex} over the metadata table. An outcome is a conditional UpdateItem that sets every
 * attribute the item has and removes every other one of {@link OUTCOME_ATTRIBUTES}: the record is the
 * outcome's alone (no previous version's thumbnail, text, rejection reason or failure lingers), except
 * the document's `cost`, which a full PutItem would drop.
 */
export class DynamoDbMetadataIndex implements MetadataIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putIfNewer(item: MetadataItem): Promise<boolean> {
    const names: Record<string, string> = {
      '#documentId': 'documentId',
      '#sequencer': 'sequencer',
      '#generation': 'generation',
      '#status': 'status',
    };
    const values: Record<string, unknown> = {
      ':sequencer': item.sequencer,
      ':generation': item.generation ?? 0,
      ':processing': 'PROCESSING',
      ':failed': 'FAILED',
    };
    const set: string[] = [];
    const remove: string[] = [];
    OUTCOME_ATTRIBUTES.forEach((attribute, index) => {
      names[`#${attribute}`] = attribute;
      const value = item[attribute];
      if (value === undefined) {
        remove.push(`#${attribute}`);
      } else {
        values[`:v${index}`] = value;
        set.push(`#${attribute} = :v${index}`);
      }
    });
    return updateIfCondition(this.client, {
      TableName: this.tableName,
      Key: { documentId: item.documentId },
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: VERSION_CONDITION,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async recordDeletion(
    deletion: DeletionRef,
    execution: { readonly arn: string },
    now: Date,
  ): Promise<DeletionRecord> {
    const wholeKey = deletion.versionId === undefined;
    // DynamoDB refuses names an expression does not use: only the key's deletion tests for absence.
    const names: Record<string, string> = {
      ...(wholeKey ? { '#documentId': 'documentId' } : {}),
      '#status': 'status',
      '#sequencer': 'sequencer',
      '#statusShard': 'statusShard',
      '#listShard': 'listShard',
      '#bucket': 'bucket',
      '#key': 'key',
      '#version': 'version',
      '#uploadedAt': 'uploadedAt',
      '#deletedAt': 'deletedAt',
      '#updatedAt': 'updatedAt',
      '#executionArn': 'executionArn',
      ...Object.fromEntries(CONTENT_ATTRIBUTES.map((name) => [`#${name}`, name])),
    };
    const values: Record<string, string> = {
      ':deleted': 'DELETED',
      ':sequencer': deletion.sequencer,
      ':statusShard': `DELETED#${deletion.shard}`,
      ':listShard': `ALL#${deletion.shard}`,
      ':bucket': deletion.bucket,
      ':key': deletion.key,
      ':deletedAt': deletion.deletedAt,
      ':updatedAt': now.toISOString(),
      ':executionArn': execution.arn,
      ...(deletion.versionId === undefined ? {} : { ':versionId': deletion.versionId }),
    };
    const recorded = await updateIfCondition(this.client, {
      TableName: this.tableName,
      Key: { documentId: deletion.id },
      // A tombstone for a key never seen (the removal overtook the upload's notification) still
      // needs a version and an upload time: by convention the sequencer, and the deletion time.
      UpdateExpression: `SET #status = :deleted, #sequencer = :sequencer, #statusShard = :statusShard, #listShard = :listShard, #bucket = :bucket, #key = :key, #version = if_not_exists(#version, :sequencer), #uploadedAt = if_not_exists(#uploadedAt, :deletedAt), #deletedAt = :deletedAt, #updatedAt = :updatedAt, #executionArn = :executionArn REMOVE ${CONTENT_ATTRIBUTES.map((name) => `#${name}`).join(', ')}`,
      ConditionExpression: wholeKey ? KEY_DELETION_CONDITION : VERSION_DELETION_CONDITION,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return recorded ? 'recorded' : 'not-recorded';
  }

  async sequencerOf(documentId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { documentId },
        ProjectionExpression: '#sequencer',
        ExpressionAttributeNames: { '#sequencer': 'sequencer' },
        ConsistentRead: true,
      }),
    );
    const sequencer: unknown = Item?.sequencer;
    return typeof sequencer === 'string' ? sequencer : undefined;
  }
}
