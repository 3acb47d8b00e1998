import { describe, expect, it } from 'vitest';
import { VERSION_CONDITION } from '../../../../../lambdas/shared/adapters/dynamodb-metadata-index';
import { readDefinition } from '../../../../../statemachines/definition';

interface DynamoTaskParameters {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, Record<string, string>>;
}

const definition = JSON.parse(readDefinition()) as {
  States: Record<string, { Parameters: DynamoTaskParameters }>;
};

describe('VERSION_CONDITION', () => {
  it.each(['MarkProcessing', 'RecordFailure'])('is the condition of the %s state', (state) => {
    // Prepare
    const parameters = definition.States[state]?.Parameters;

    // Act
    const condition = parameters?.ConditionExpression;

    // Assess
    expect(condition).toBe(VERSION_CONDITION);
    expect(parameters?.ExpressionAttributeNames).toMatchObject({
      '#documentId': 'documentId',
      '#sequencer': 'sequencer',
      '#generation': 'generation',
      '#status': 'status',
    });
    expect(parameters?.ExpressionAttributeValues).toMatchObject({
      ':processing': { S: 'PROCESSING' },
      ':failed': { S: 'FAILED' },
      ':sequencer': { 'S.$': '$.document.sequencer' },
      ':generation': { 'N.$': 'States.JsonToString($.generation)' },
    });
    // The run's generation is what the item then holds, so the next write compares against it.
    expect(parameters?.UpdateExpression).toMatch(/^SET .*#generation = :generation[, ]/);
  });

  it.each([
    ['MarkProcessing', 'PROCESSING'],
    ['RecordFailure', 'FAILED'],
  ])('shares the shard key formats of the %s state', (state, status) => {
    // Prepare
    const values = definition.States[state]?.Parameters.ExpressionAttributeValues;

    // Act
    const formats = [values?.[':statusShard']?.['S.$'], values?.[':listShard']?.['S.$']];

    // Assess
    expect(formats).toEqual([
      `States.Format('${status}#{}', $.document.shard)`,
      "States.Format('ALL#{}', $.document.shard)",
    ]);
  });
});
