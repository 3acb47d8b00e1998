/**
 * The message of a Lambda error envelope (`{"errorType":…,"errorMessage":…,"trace":[…]}`), which is what
 * Step Functions puts in a Task's `Cause` and X-Ray in a failed invocation's exception; any other cause
 * as it is. Shared by the CLI and the console (pure).
 */
export const readableCause = (cause: string | undefined): string | undefined => {
  if (cause === undefined || !cause.startsWith('{')) return cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
};
