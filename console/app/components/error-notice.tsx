import { ConsoleApiError } from '../api/client';

/** What went wrong, in words a user can act on (the API's problem detail when there is one). */
export const errorText = (error: unknown): string => {
  if (error instanceof ConsoleApiError) {
    const parameters = (error.parameters ?? []).map((entry) => `${entry.parameter} ${entry.message}`);
    return parameters.length > 0 ? parameters.join('; ') : error.detail || error.title;
  }
  return error instanceof Error ? error.message : String(error);
};

/** An error, announced to screen readers as it appears. */
export const ErrorNotice = ({ error, prefix }: { error: unknown; prefix?: string }) => (
  <p class="notice notice-error" role="alert">
    {prefix ? `${prefix}: ` : ''}
    {errorText(error)}
  </p>
);
