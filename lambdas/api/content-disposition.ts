/**
 * `Content-Disposition: attachment` for a download, with an ASCII `filename` for old clients and the
 * exact name as RFC 6266 / RFC 8187 `filename*`. Attachment, never inline: an uploaded SVG or HTML
 * file must not render (and run script) in the browser under a presigned S3 origin.
 */
export const attachmentDisposition = (filename: string): string =>
  `attachment; filename="${asciiFallback(filename)}"; filename*=UTF-8''${encodeExtValue(filename)}`;

/** The last segment of an object key, used as the download's file name. */
export const filenameOfKey = (key: string): string => key.split('/').at(-1) || 'document';

/**
 * Printable ASCII only; quote, backslash, percent and semicolon replaced too, because clients
 * disagree on escaping inside a quoted `filename`, some percent-decode it, and naive parsers split
 * on `;` even inside quotes.
 */
const asciiFallback = (filename: string): string => filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_');

/** RFC 8187 `value-chars`: encodeURIComponent leaves `'()*` alone, which attr-char does not allow. */
const encodeExtValue = (value: string): string =>
  encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
