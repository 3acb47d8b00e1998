import type { DocumentSummary } from '../../shared/api';

/** Why a document is where it is: the rejection reason, the failure, or the deletion; nothing when processed. */
export const outcomeText = (document: DocumentSummary): string | undefined => {
  if (document.status === 'REJECTED' && document.reason) {
    return document.reasonDetail ? `${document.reason}: ${document.reasonDetail}` : document.reason;
  }
  if (document.status === 'FAILED' && document.failure) return document.failure.error;
  return undefined;
};
