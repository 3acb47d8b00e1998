import type { MorePages } from '../hooks/use-paged-list';
import { ErrorNotice } from './error-notice';

/** The "Show more" button under a paged list, with the error of its last read. */
export const ShowMore = ({ more }: { more: MorePages }) => (
  <>
    {more.error ? <ErrorNotice error={more.error} prefix="Could not load more" /> : null}
    {more.available ? (
      <p>
        <button type="button" class="button-secondary" disabled={more.loading} onClick={more.load}>
          {more.loading ? 'Loading…' : 'Show more'}
        </button>
      </p>
    ) : null}
  </>
);
