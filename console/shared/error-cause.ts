/** `"errorMessage":"…"` near the start of an envelope that was cut short (X-Ray keeps 1,024 characters). */
const ERROR_MESSAGE = /^\{[^{]*?"errorMessage"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/**
 * The message of a Lambda error envelope (`{"errorType":…,"errorMessage":…,"trace":[…]}`), which is what
 * Step Functions puts in a Task's `Cause` and X-Ray in a failed invocation's exception (cut to 1,024
 * characters there, so a cut envelope is read too); any other cause as it is. Shared by the CLI and the
 * console (pure).
 */
export const readableCause = (cause: string | undefined): string | undefined => {
  if (cause === undefined || !cause.startsWith('{')) return cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    const found = ERROR_MESSAGE.exec(cause)?.[1];
    if (found === undefined) return cause;
    try {
      return JSON.parse(`"${found}"`) as string;
    } catch {
      return cause;
    }
  }
};
