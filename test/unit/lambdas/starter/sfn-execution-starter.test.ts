import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArnOf, SfnExecutionStarter } from '../../../../lambdas/starter/sfn-execution-starter';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:docflow-pipeline';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:docflow-pipeline:report-pdf-abc';
const TRACE = 'Root=1-6740f2a1-5f0c1d2e3f4a5b6c7d8e9f01;Parent=53995c3f42cd8ad8;Sampled=1';

const sfnMock = mockClient(SFNClient);
const client = new SFNClient({ region: 'eu-west-1' });

describe('SfnExecutionStarter', () => {
  afterEach(() => {
    sfnMock.reset();
  });

  it('starts an execution of its state machine with name, input and trace header', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    const starter = new SfnExecutionStarter(client, STATE_MACHINE_ARN);

    // Act
    const result = await starter.start('report-pdf-abc', '{"document":{}}', TRACE);

    // Assess
    expect(result).toEqual({ status: 'started', executionArn: EXECUTION_ARN });
    expect(sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input)).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: 'report-pdf-abc',
        input: '{"document":{}}',
        traceHeader: TRACE,
      },
    ]);
  });

  it('reports ExecutionAlreadyExists as already-exists, with the execution ARN', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const starter = new SfnExecutionStarter(client, STATE_MACHINE_ARN);

    // Act
    const result = await starter.start('report-pdf-abc', '{}');

    // Assess
    expect(result).toEqual({ status: 'already-exists', executionArn: EXECUTION_ARN });
  });

  it('recognises the error by name too, as a deserialized service error carries it', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
    const starter = new SfnExecutionStarter(client, STATE_MACHINE_ARN);

    // Act
    const result = await starter.start('report-pdf-abc', '{}');

    // Assess
    expect(result.status).toBe('already-exists');
  });

  it('lets every other error through', async () => {
    // Prepare
    const limit = new ExecutionLimitExceeded({ message: 'too many executions', $metadata: {} });
    sfnMock.on(StartExecutionCommand).rejects(limit);
    const starter = new SfnExecutionStarter(client, STATE_MACHINE_ARN);

    // Act & Assess
    await expect(starter.start('report-pdf-abc', '{}')).rejects.toBe(limit);
  });

  it.each([
    { name: 'longer than 256 characters', header: `Root=1-6740f2a1-${'a'.repeat(250)}` },
    { name: 'not ASCII', header: 'Root=1-6740f2a1-é' },
    { name: 'empty', header: '' },
  ])('leaves out a trace header that is $name rather than fail the start', async ({ header }) => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN });
    const starter = new SfnExecutionStarter(client, STATE_MACHINE_ARN);

    // Act
    await starter.start('report-pdf-abc', '{}', header);

    // Assess
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.traceHeader).toBeUndefined();
  });
});

describe('executionArnOf', () => {
  it('turns a state machine ARN and a name into the execution ARN', () => {
    // Assess
    expect(executionArnOf(STATE_MACHINE_ARN, 'report-pdf-abc')).toBe(EXECUTION_ARN);
  });
});
