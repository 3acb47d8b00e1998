import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnTaskCallbacks } from '../../../../lambdas/textract-callback/sfn-task-callbacks';

const sfnMock = mockClient(SFNClient);
const callbacks = () => new SfnTaskCallbacks(new SFNClient({ region: 'us-east-1' }));

describe('SfnTaskCallbacks', () => {
  beforeEach(() => {
    sfnMock.reset();
  });

  it('sends the output as JSON with SendTaskSuccess', async () => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).resolves({});

    // Act
    const delivery = await callbacks().succeed('token-1', { text: { pages: 2 } });

    // Assess
    expect(delivery).toBe('delivered');
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"text":{"pages":2}}',
    });
  });

  it('sends SendTaskFailure within Step Functions’ field limits', async () => {
    // Prepare
    sfnMock.on(SendTaskFailureCommand).resolves({});

    // Act
    await callbacks().fail('token-1', 'CorruptDocumentError', `CORRUPT: ${'x'.repeat(40_000)}`);

    // Assess
    const input = sfnMock.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input?.error).toBe('CorruptDocumentError');
    expect(input?.cause).toHaveLength(32_768);
    expect(input?.cause?.startsWith('CORRUPT: ')).toBe(true);
  });

  it.each([
    new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }),
    new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} }),
    new InvalidToken({ message: 'Invalid token', $metadata: {} }),
  ])('reports $name as a task that no longer waits', async (error) => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(error);

    // Act
    const delivery = await callbacks().succeed('token-1', {});

    // Assess
    expect(delivery).toBe('task-gone');
  });

  it('throws any other failure, so the message is retried', async () => {
    // Prepare
    sfnMock.on(SendTaskFailureCommand).rejects(
      new SFNServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        message: 'try later',
        $metadata: {},
      }),
    );

    // Act
    const outcome = callbacks().fail('token-1', 'TextractJobFailedError', 'boom');

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ServiceUnavailable' });
  });
});
