import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { CallbackDelivery, TaskCallbacks } from './complete-textract-job';

/**
 * Step Functions' answers that mean the task is no longer waiting: it timed out or was completed
 * (`TaskTimedOut`), its execution ended (`TaskDoesNotExist`), or the token can never be valid
 * (`InvalidToken`). Retrying cannot change any of them, so the callback is done.
 */
const TASK_GONE_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Step Functions' limits on SendTaskFailure's fields. */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

const deliver = async (send: () => Promise<unknown>): Promise<CallbackDelivery> => {
  try {
    await send();
    return 'delivered';
  } catch (error) {
    if (error instanceof Error && TASK_GONE_ERRORS.has(error.name)) return 'task-gone';
    throw error;
  }
};

/** {@link TaskCallbacks} with SendTaskSuccess / SendTaskFailure. */
export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly sfn: SFNClient) {}

  succeed(taskToken: string, output: unknown): Promise<CallbackDelivery> {
    return deliver(() =>
      this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery> {
    return deliver(() =>
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken,
          error: error.slice(0, MAX_ERROR_LENGTH),
          cause: cause.slice(0, MAX_CAUSE_LENGTH),
        }),
      ),
    );
  }
}
