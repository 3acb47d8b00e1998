import type { DocumentSummary } from '../../shared/api';
import { useConsole } from '../context';

export interface ThumbnailProps {
  readonly document: Pick<DocumentSummary, 'id' | 'version' | 'status' | 'thumbnail' | 'type'>;
  /** Empty when the image only repeats what is written beside it. */
  readonly alt: string;
  readonly size: 'small' | 'large';
}

/**
 * The document's WebP thumbnail through the server's redirect to a presigned URL; a placeholder with
 * the document's type when there is none (rejected, deleted, still processing). Originals are never
 * shown inline, whatever their type (an SVG original could carry script).
 */
export const Thumbnail = ({ document, alt, size }: ThumbnailProps) => {
  const { client } = useConsole();
  const { thumbnail } = document;
  if (!thumbnail || document.status === 'DELETED') {
    return (
      <span
        class={`thumbnail thumbnail-${size} thumbnail-none`}
        aria-hidden={alt === '' ? 'true' : undefined}
      >
        {document.type?.toUpperCase() ?? (size === 'large' ? 'No preview' : '—')}
      </span>
    );
  }
  return (
    <img
      class={`thumbnail thumbnail-${size}`}
      src={client.thumbnailUrl(document.id, document.version)}
      alt={alt}
      width={thumbnail.width}
      height={thumbnail.height}
      loading="lazy"
      decoding="async"
    />
  );
};
