import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { updateIfCondition } from '../shared/adapters/conditional-update';
import { COST_PARTS, type DocumentCost, type RunCost } from '../shared/documents/document-cost';
import { METADATA_TABLE } from '../shared/documents/metadata-item';
import type { CostLedger, LedgerOutcome } from './record-run-cost';

/** Attempts of the add-or-create sequence before a run that keeps racing is given up (and retried). */
const MAX_ROUNDS = 4;

/**
 * {@link CostLedger} on the metadata table: the cost is the `cost` map of the document's item.
 *
 * Adding a run is one conditional UpdateItem that sets `cost.runs.<key>` and adds the run's parts and
 * total to the document's (`SET a = a + :v`: DynamoDB adds decimals exactly), only while that key is
 * absent. So a redelivered event changes nothing, and two runs ending together (a redrive and a
 * deletion) each add theirs. The first run of a document creates the map instead, only while there is
 * none, and is tried first: most documents have one run, and a refused write is billed as a write too.
 * A failed condition is told apart with a consistent read. Only an existing item is written: a
 * cost alone would make an item without a version, which every later run would take for a newer one.
 */
export class DynamoDbCostLedger implements CostLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async addRun(documentId: string, runKey: string, run: RunCost): Promise<LedgerOutcome> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // A document's first run is by far the most common one: creating first spares it a refused write.
      if (await this.#createWith(documentId, runKey, run)) return 'recorded';
      if (await this.#addToExisting(documentId, runKey, run)) return 'recorded';
      const state = await this.#stateOf(documentId, runKey);
      if (state !== 'racing') return state;
    }
    throw new Error(`the cost of document ${documentId} kept changing while run ${runKey} was added`);
  }

  async #addToExisting(documentId: string, runKey: string, run: RunCost): Promise<boolean> {
    const names: Record<string, string> = {
      '#cost': 'cost',
      '#runs': 'runs',
      '#run': runKey,
      '#total': 'totalUsd',
      '#parts': 'parts',
    };
    const values: Record<string, unknown> = { ':run': run, ':total': run.totalUsd, ':zero': 0 };
    const additions = COST_PARTS.map((part) => {
      names[`#${part}`] = part;
      values[`:${part}`] = run.parts[part];
      // if_not_exists: a part added to the model after the map was created starts at zero.
      return `#cost.#parts.#${part} = if_not_exists(#cost.#parts.#${part}, :zero) + :${part}`;
    });
    return updateIfCondition(this.client, {
      TableName: this.tableName,
      Key: { [METADATA_TABLE.partitionKey]: documentId },
      UpdateExpression: `SET #cost.#runs.#run = :run, #cost.#total = #cost.#total + :total, ${additions.join(', ')}`,
      ConditionExpression: 'attribute_exists(#cost.#runs) AND attribute_not_exists(#cost.#runs.#run)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async #createWith(documentId: string, runKey: string, run: RunCost): Promise<boolean> {
    const cost: DocumentCost = {
      currency: 'USD',
      totalUsd: run.totalUsd,
      parts: run.parts,
      runs: { [runKey]: run },
    };
    return updateIfCondition(this.client, {
      TableName: this.tableName,
      Key: { [METADATA_TABLE.partitionKey]: documentId },
      UpdateExpression: 'SET #cost = :cost',
      ConditionExpression: 'attribute_exists(#documentId) AND attribute_not_exists(#cost)',
      ExpressionAttributeNames: { '#cost': 'cost', '#documentId': METADATA_TABLE.partitionKey },
      ExpressionAttributeValues: { ':cost': cost },
    });
  }

  /** Why both writes were refused: no item, the run already there, or another run got in between. */
  async #stateOf(documentId: string, runKey: string): Promise<'no-document' | 'duplicate' | 'racing'> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [METADATA_TABLE.partitionKey]: documentId },
        ProjectionExpression: '#documentId, #cost.#runs.#run',
        ExpressionAttributeNames: {
          '#documentId': METADATA_TABLE.partitionKey,
          '#cost': 'cost',
          '#runs': 'runs',
          '#run': runKey,
        },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return 'no-document';
    const runs = (Item.cost as { runs?: Record<string, unknown> } | undefined)?.runs;
    return runs?.[runKey] === undefined ? 'racing' : 'duplicate';
  }
}
