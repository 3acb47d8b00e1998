/**
 * The error names of the Step Functions API that the local service answers with. `@aws-sdk/client-sfn`
 * maps the `__type` of an AWS JSON 1.0 error body to its modeled exception class by this name
 * (`ExecutionAlreadyExists` arrives as an `ExecutionAlreadyExists` instance).
 */
export type StepFunctionsErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'ServiceUnavailable'
  | 'InternalServerError';

/** A refused request: `name` is what the client sees as the error's type. */
export class StepFunctionsApiError extends Error {
  override readonly name: StepFunctionsErrorName;
  readonly statusCode: number;

  constructor(name: StepFunctionsErrorName, message: string, statusCode = 400) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

/** AWS's wording for a field that fails a length constraint. */
export const lengthError = (field: string, value: string, max: number): StepFunctionsApiError =>
  new StepFunctionsApiError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ` +
      `Member must have length less than or equal to ${max}`,
  );
