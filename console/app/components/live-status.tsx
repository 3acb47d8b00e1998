import { formatTime } from '../format';
import { ErrorNotice } from './error-notice';

/** When a live page last heard from the API (not announced: it changes every poll). */
export const LiveUpdated = ({ updatedAt }: { updatedAt: number | undefined }) => (
  <p class="live" aria-live="off">
    {updatedAt === undefined ? 'Loading…' : `Live · updated ${formatTime(updatedAt)}`}
  </p>
);

/**
 * A live page's failed read: before anything is shown the page could not load `what`; after, what is
 * shown stays and the next poll retries.
 */
export const PollError = ({ error, shown, what }: { error: unknown; shown: boolean; what: string }) =>
  error ? (
    <ErrorNotice error={error} prefix={shown ? 'Could not refresh (retrying)' : `Could not load ${what}`} />
  ) : null;
