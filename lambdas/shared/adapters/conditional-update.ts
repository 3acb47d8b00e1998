import { type DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * Sends an UpdateItem whose condition decides whether it applies, and says whether it did: a refusal on
 * the condition (ConditionalCheckFailedException) is an answer, not an error; any other failure throws.
 */
export const updateIfCondition = async (
  client: DynamoDBDocumentClient,
  input: UpdateCommandInput,
): Promise<boolean> => {
  try {
    await client.send(new UpdateCommand(input));
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
};
