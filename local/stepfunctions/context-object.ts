import type { RunOptions } from 'aws-local-stepfunctions';

/** The Context Object (`$$`) handed to aws-local-stepfunctions for one execution. */
export type ContextObject = NonNullable<RunOptions['context']>;

/**
 * What `$$.Task.Token` resolves to locally. aws-local-stepfunctions has no task tokens: its
 * Context Object is one static object per execution. So `$$.Task.Token` resolves to this marker,
 * and the `.waitForTaskToken` binding replaces the marker in the task's resolved Parameters with a
 * fresh token of its own, per invocation (so each retry gets a new token, as in AWS).
 */
export const TASK_TOKEN_PLACEHOLDER = 'docflow-local:task-token:replaced-per-invocation';

/** Identity of one execution, as the local Step Functions API reports it. */
export interface ExecutionIdentity {
  /** The execution ARN (`$$.Execution.Id`). */
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn?: string;
  readonly redriveCount?: number;
}

/**
 * The Context Object fields AWS provides and the interpreter does not: execution and state machine
 * identity, `$$.State.EnteredTime` and `$$.Task.Token`. aws-local-stepfunctions itself sets
 * `$$.Execution.Input` and `$$.Execution.StartTime`, overwriting anything given here.
 *
 * `$$.State.EnteredTime` is a getter that answers the current time. The interpreter evaluates a
 * state's Parameters as the state starts, so that is the time the state was entered (on a retry,
 * the time of that attempt). `$$.State.Name` and `$$.State.RetryCount` cannot be known this way
 * and stay absent.
 */
export const executionContext = (execution: ExecutionIdentity): ContextObject => ({
  Execution: {
    Id: execution.executionArn,
    Name: execution.name,
    RoleArn: execution.roleArn ?? 'arn:aws:iam::000000000000:role/docflow-local-state-machine',
    RedriveCount: execution.redriveCount ?? 0,
  },
  StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineName },
  State: {
    get EnteredTime(): string {
      return new Date().toISOString();
    },
  },
  Task: { Token: TASK_TOKEN_PLACEHOLDER },
});
