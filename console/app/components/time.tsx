import { formatDateTime } from '../format';

/** A point in time, shown in the reader's zone, machine-readable in `datetime`. */
export const Time = ({ iso }: { iso: string | undefined }) =>
  iso === undefined ? <span class="muted">–</span> : <time dateTime={iso}>{formatDateTime(iso)}</time>;
