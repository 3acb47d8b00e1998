/**
 * An Error with the given `name`, as a Lambda function throws a typed error: Step Functions' Retry and
 * Catch match on that name.
 */
export const namedError = (name: string, message: string): Error =>
  Object.assign(new Error(message), { name });
