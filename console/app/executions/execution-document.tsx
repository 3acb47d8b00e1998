import type { ExecutionDocument } from '../../shared/api';
import { fileNameOf } from '../format';
import { href, segment } from '../router';

/** The document an execution ran for: a link to its page when its id is known, and whether it was a deletion. */
export const ExecutionDocumentName = ({ document }: { document: ExecutionDocument | undefined }) => (
  <>
    {document?.id ? (
      <a class="break" href={href(`/documents/${segment(document.id)}`)}>
        {document.key ? fileNameOf(document.key) : document.id}
      </a>
    ) : document?.key ? (
      fileNameOf(document.key)
    ) : (
      <span class="muted">–</span>
    )}
    {document?.kind === 'deletion' ? <span class="tag">deletion</span> : null}
  </>
);
