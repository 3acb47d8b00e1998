import { derivativeKeys } from '../shared/documents/derivative-keys';
import { putDerivativeOf } from '../shared/documents/derivative-of-upload';
import type { DocumentRef } from '../shared/documents/document';
import { EmptyDocumentError } from '../shared/documents/errors';
import type { Limits } from '../shared/documents/limits';
import type { Inspection, ThumbnailInfo } from '../shared/documents/metadata-item';
import type { DerivativeStore } from '../shared/ports/derivative-store';
import type { DocumentBlobs } from '../shared/ports/document-blobs';
import { type PictureKind, THUMBNAIL_CONTENT_TYPE, type ThumbnailRenderer } from './render-thumbnail';

/** Ports and configuration of {@link makeThumbnail}. */
export interface ThumbnailDependencies {
  readonly blobs: DocumentBlobs;
  readonly derivatives: DerivativeStore;
  readonly renderer: ThumbnailRenderer;
  /** `parseTimeoutMs` is the budget of the rendering job. */
  readonly limits: Limits;
}

/** The Thumbnail task's result: `null` when the document has no picture (DOCX, text). */
export interface ThumbnailResult {
  readonly thumbnail: ThumbnailInfo | null;
}

/** Inspect's types, by how their picture is decoded; `null` for the kinds that have none. */
const PICTURE_KINDS: Readonly<Record<string, PictureKind | null>> = {
  jpeg: 'raster',
  png: 'raster',
  webp: 'raster',
  gif: 'raster',
  tiff: 'raster',
  avif: 'raster',
  heic: 'heic',
  svg: 'svg',
  pdf: 'pdf',
  docx: null,
  text: null,
};

/**
 * How a type's picture is decoded, or `null` when it has none. A type Inspect may return but this
 * table does not know is a wiring fault, not a verdict on the document: it throws a plain error, which
 * the state machine retries and then records as FAILED, where an operator sees it.
 */
export const pictureKindOf = (type: string): PictureKind | null => {
  const kind = PICTURE_KINDS[type];
  if (kind === undefined) throw new Error(`the thumbnail step does not know the document type "${type}"`);
  return kind;
};

/**
 * Makes the thumbnail of one document version: the image, or a PDF's first page, fitted inside
 * 256×256 as WebP in the derivatives bucket at `thumbnails/<id>/<version>.webp`. Documents without a
 * picture get `null` without their object being read. Decoding runs in the renderer (sandboxed, in the
 * function); every failure of the bytes is a typed rejection.
 */
export const makeThumbnail = async (
  document: DocumentRef,
  inspection: Pick<Inspection, 'type'>,
  { blobs, derivatives, renderer, limits }: ThumbnailDependencies,
): Promise<ThumbnailResult> => {
  const kind = pictureKindOf(inspection.type);
  if (kind === null) return { thumbnail: null };
  const bytes = await blobs.read(document, limits.maxDocumentBytes);
  if (bytes.length === 0) throw new EmptyDocumentError();
  const rendered = await renderer.render({
    kind,
    bytes,
    maxPixels: limits.maxImagePixels,
    maxPages: limits.maxPages,
    budgetMs: limits.parseTimeoutMs,
  });
  const pointer = await putDerivativeOf(
    document,
    { key: derivativeKeys.thumbnail(document), body: rendered.webp, contentType: THUMBNAIL_CONTENT_TYPE },
    { derivatives, uploads: blobs },
  );
  return {
    thumbnail: {
      ...pointer,
      width: rendered.width,
      height: rendered.height,
      contentType: THUMBNAIL_CONTENT_TYPE,
    },
  };
};
