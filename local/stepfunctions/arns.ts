import { lengthError, StepFunctionsApiError } from './api-errors';

/** Where the local state machines live: ARNs are built from these. */
export interface Partition {
  readonly region: string;
  readonly accountId: string;
}

/** Step Functions limit on state machine and execution names. */
export const MAX_NAME_LENGTH = 80;

/**
 * Characters AWS refuses in state machine and execution names: white space, brackets, wildcards,
 * `" # % \ ^ | ~ ` $ & , ; : /`, control characters, lone surrogates and U+FFFE/U+FFFF.
 */
const FORBIDDEN_NAME_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/**
 * Checks a state machine or execution name as StartExecution/CreateStateMachine do: a length outside
 * 1–80 is a `ValidationException` (the API's length constraint), a forbidden character `InvalidName`.
 */
export const assertValidName = (name: string, field = 'name'): void => {
  if (name.length > MAX_NAME_LENGTH) throw lengthError(field, name, MAX_NAME_LENGTH);
  if (name.length === 0) {
    throw new StepFunctionsApiError(
      'ValidationException',
      `1 validation error detected: Value '' at '${field}' failed to satisfy constraint: ` +
        'Member must have length greater than or equal to 1',
    );
  }
  if (FORBIDDEN_NAME_CHARACTER.test(name)) {
    throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${name}'`);
  }
};

export const stateMachineArnOf = (partition: Partition, name: string): string =>
  `arn:aws:states:${partition.region}:${partition.accountId}:stateMachine:${name}`;

export const executionArnOf = (partition: Partition, stateMachineName: string, name: string): string =>
  `arn:aws:states:${partition.region}:${partition.accountId}:execution:${stateMachineName}:${name}`;

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:([^:]+):([^:]+)$/;

/** The name in a state machine ARN; `InvalidArn` when it is not one (versions and aliases included). */
export const parseStateMachineArn = (arn: string): { name: string } => {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match?.[1]) throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { name: match[1] };
};

/** The state machine and execution names in an execution ARN; `InvalidArn` when it is not one. */
export const parseExecutionArn = (arn: string): { stateMachineName: string; name: string } => {
  const match = EXECUTION_ARN.exec(arn);
  if (!match?.[1] || !match[2]) throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { stateMachineName: match[1], name: match[2] };
};

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

export const assertRoleArn = (arn: string): void => {
  if (!ROLE_ARN.test(arn)) throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${arn}'`);
};
