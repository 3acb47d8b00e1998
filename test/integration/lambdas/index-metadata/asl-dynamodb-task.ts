import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { readDefinition } from '../../../../statemachines/definition';
import { aProcessedOutcome } from '../../../fixtures/document-outcomes';

interface UpdateItemParameters {
  Key: Record<string, unknown>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

const definition = JSON.parse(readDefinition()) as {
  States: Record<string, { Parameters: UpdateItemParameters }>;
};

const get = (root: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>((value, name) => (value as Record<string, unknown> | undefined)?.[name], root);

/** Resolves the few path forms the table states use: `$.x`, `$$.x`, States.Format, States.JsonToString. */
const resolve = (expression: string, input: unknown, context: unknown): string => {
  const format = /^States\.Format\('([^']*)', (\$[\w.$]+)\)$/.exec(expression);
  if (format?.[1] !== undefined && format[2]) {
    return format[1].replace('{}', resolve(format[2], input, context));
  }
  const jsonToString = /^States\.JsonToString\((\$[\w.$]+)\)$/.exec(expression);
  if (jsonToString?.[1]) return JSON.stringify(get(input, jsonToString[1].slice(2)));
  if (expression.startsWith('$$.')) return String(get(context, expression.slice(3)));
  if (expression.startsWith('$.')) return String(get(input, expression.slice(2)));
  throw new Error(`unsupported path ${expression}`);
};

const resolveParameters = (template: unknown, input: unknown, context: unknown): unknown => {
  if (typeof template !== 'object' || template === null) return template;
  return Object.fromEntries(
    Object.entries(template).map(([name, value]) =>
      name.endsWith('.$')
        ? [name.slice(0, -2), resolve(value as string, input, context)]
        : [name, resolveParameters(value, input, context)],
    ),
  );
};

/**
 * Runs one of the state machine's direct DynamoDB states (MarkProcessing, RecordFailure) against a
 * table, from the definition's own expressions, so the function is tested against what the ASL writes.
 */
export const runTableState = async (
  dynamo: DynamoDBClient,
  tableName: string,
  state: 'MarkProcessing' | 'RecordFailure',
  input: unknown,
  context: { Execution: { Id: string; StartTime: string }; State: { EnteredTime: string } },
): Promise<void> => {
  const parameters = definition.States[state]?.Parameters;
  if (!parameters) throw new Error(`no state ${state}`);
  await dynamo.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: resolveParameters(parameters.Key, input, context) as Record<string, AttributeValue>,
      UpdateExpression: parameters.UpdateExpression,
      ConditionExpression: parameters.ConditionExpression,
      ExpressionAttributeNames: parameters.ExpressionAttributeNames,
      ExpressionAttributeValues: resolveParameters(
        parameters.ExpressionAttributeValues,
        input,
        context,
      ) as Record<string, AttributeValue>,
    }),
  );
};

/** The context object of `document`'s run, as the fixtures' outcomes name its execution. */
const executionContext = (document: DocumentRef) => ({
  Execution: { Id: aProcessedOutcome(document).execution.arn, StartTime: '2026-11-23T10:00:01.000Z' },
  State: { EnteredTime: '2026-11-23T10:00:02.000Z' },
});

/** What the state machine's own table states write for run `generation` of a document. */
export interface TableStates {
  markProcessing(document: DocumentRef, generation?: number): Promise<void>;
  recordFailure(document: DocumentRef, generation?: number): Promise<void>;
}

/** {@link TableStates} on `tableName`, from the ASL's expressions (see {@link runTableState}). */
export const tableStatesOf = (dynamo: DynamoDBClient, tableName: string): TableStates => ({
  markProcessing: (document, generation = 0) =>
    runTableState(dynamo, tableName, 'MarkProcessing', { document, generation }, executionContext(document)),
  recordFailure: (document, generation = 0) =>
    runTableState(
      dynamo,
      tableName,
      'RecordFailure',
      { document, generation, error: { Error: 'States.Timeout', Cause: 'Task timed out' } },
      executionContext(document),
    ),
});
