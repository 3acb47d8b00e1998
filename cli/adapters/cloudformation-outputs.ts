import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CliError } from '../errors';

const describeStack = async (cloudFormation: CloudFormationClient, stackName: string): Promise<Stack> => {
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks[0];
    if (stack) return stack;
  } catch (error) {
    // DescribeStacks answers a missing stack with a ValidationError "Stack with id X does not exist".
    if (
      !(error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message))
    ) {
      throw error;
    }
  }
  const region = await cloudFormation.config.region();
  throw new CliError(`stack ${stackName} does not exist in ${region} (deploy it, or pass --region)`);
};

/** A stack's outputs by OutputKey (the CfnOutput ids of infra/stacks/docflow-stack.ts). */
export const stackOutputs = async (
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> => {
  const stack = await describeStack(cloudFormation, stackName);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return outputs;
};
