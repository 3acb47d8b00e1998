import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { nonEmpty } from '../documents/schema-parts';
import { TEXTRACT_JOBS_TABLE, type TextractJobRecord, type TextractJobs } from '../ports/textract-jobs';
import * as z from '../runtime/zod';

const recordSchema = z.object({
  jobTag: nonEmpty,
  taskToken: nonEmpty,
  documentId: nonEmpty,
  version: nonEmpty,
  sequencer: nonEmpty,
  document: z.object({
    bucket: nonEmpty,
    key: nonEmpty,
    versionId: z.optional(nonEmpty),
  }),
  createdAt: nonEmpty,
  expiresAt: z.int(),
}) satisfies z.ZodMiniType<TextractJobRecord>;

/** {@link TextractJobs} in a DynamoDB table keyed by job tag, with a TTL on `expiresAt`. */
export class DynamoDbTextractJobs implements TextractJobs {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(record: TextractJobRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }

  async find(jobTag: string): Promise<TextractJobRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TEXTRACT_JOBS_TABLE.partitionKey]: jobTag },
        // A short job can finish within a second of being started: read what was just written.
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    // TTL deletion runs up to days late: an expired record is as good as gone.
    const record = recordSchema.parse(Item);
    return record.expiresAt * 1000 < Date.now() ? undefined : record;
  }

  async remove(jobTag: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [TEXTRACT_JOBS_TABLE.partitionKey]: jobTag } }),
    );
  }
}
