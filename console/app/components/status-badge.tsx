import type { DocumentStatus, ExecutionStatus } from '../../shared/api';

/** A status as a colored label; the word itself carries the meaning, color only helps. */
export const StatusBadge = ({ status }: { status: DocumentStatus | ExecutionStatus }) => (
  <span class={`status status-${status.toLowerCase().replace(/_/g, '-')}`}>{status}</span>
);
