import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { LocalStepFunctionsOptions, RunningLocalStepFunctions } from '../../local/stepfunctions/service';
import type { LambdaInvoker } from '../../local/stepfunctions/task-bindings';
import { createMetadataTable, createQueue, TEST_ACCOUNT, TEST_AWS, testArn, uniquePrefix } from './aws';
import { type PipelineFunctionArns, pipelineDefinitionWith } from './pipeline-definition';

/**
 * The local Step Functions' options as the tests run it: on the given emulators, in the test region
 * and account, with no wait between retries so that a retried Task costs no test time.
 */
export const testStepFunctionsOptions = (
  invokeLambda: LambdaInvoker,
  endpoints: LocalStepFunctionsOptions['endpoints'],
): LocalStepFunctionsOptions => ({
  invokeLambda,
  endpoints,
  region: TEST_AWS.region,
  accountId: TEST_ACCOUNT,
  credentials: TEST_AWS.credentials,
  waits: { retryIntervalMs: 0 },
});

/** The document pipeline as registered in a local Step Functions, and the table and queue it writes to. */
export interface RegisteredPipeline {
  readonly stateMachineArn: string;
  readonly metadataTable: string;
  readonly failedDocumentsQueueUrl: string;
}

/**
 * Registers the document pipeline's own definition in `service`, with `functions` behind its Lambda
 * tasks and a fresh metadata table and failed-documents queue on the emulators, as the stack wires them.
 */
export const registerPipeline = async (
  service: RunningLocalStepFunctions,
  emulators: { readonly dynamodb: string; readonly sqs: string },
  functions: PipelineFunctionArns,
): Promise<RegisteredPipeline> => {
  const metadataTable = uniquePrefix('metadata');
  await createMetadataTable(emulators.dynamodb, metadataTable);
  const failedDocumentsQueueUrl = (await createQueue(emulators.sqs, uniquePrefix('failed'))).url;
  const { stateMachineArn } = service.registerStateMachine({
    name: uniquePrefix('DocumentPipeline'),
    definition: pipelineDefinitionWith(functions, metadataTable, failedDocumentsQueueUrl),
    roleArn: testArn.role('docflow-test'),
  });
  return { stateMachineArn, metadataTable, failedDocumentsQueueUrl };
};

/** Creates a state machine of `definition` through the API, under a unique name; returns its ARN. */
export const createStateMachine = async (
  client: SFNClient,
  definition: object,
  roleArn: string,
): Promise<string> => {
  const { stateMachineArn } = await client.send(
    new CreateStateMachineCommand({
      name: uniquePrefix('machine'),
      definition: JSON.stringify(definition),
      roleArn,
    }),
  );
  return stateMachineArn ?? '';
};

/** Polls DescribeExecution until the execution is no longer RUNNING; fails after `timeoutMs`. */
export const finishedExecution = async (
  client: SFNClient,
  executionArn: string,
  timeoutMs = 30_000,
): Promise<DescribeExecutionOutput> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} is still RUNNING`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
