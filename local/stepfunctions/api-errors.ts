import { AwsApiError } from '../http/aws-api-error';

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

/** A refused Step Functions request. */
export class StepFunctionsApiError extends AwsApiError<StepFunctionsErrorName> {}

/** AWS's wording for a field that fails a length constraint. */
export const lengthError = (field: string, value: string, max: number): StepFunctionsApiError =>
  new StepFunctionsApiError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ` +
      `Member must have length less than or equal to ${max}`,
  );
