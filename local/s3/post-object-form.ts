/** The placeholder S3 replaces with the uploaded file's name. */
const FILENAME_VARIABLE = `\${filename}`;

/**
 * The object key of a browser POST upload (multipart/form-data): the `key` field, with `${filename}`
 * replaced by the file part's file name, as S3 does. Fields after `file` are ignored, as S3 ignores them.
 * Undefined when the form has no key (S3 refuses the upload then).
 */
export const postObjectKey = (body: Buffer, contentType: string): string | undefined => {
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) return undefined;
  const separator = Buffer.from(`--${delimiter}`);
  let key: string | undefined;
  let filename: string | undefined;
  let start = body.indexOf(separator);
  while (start >= 0) {
    const next = body.indexOf(separator, start + separator.length);
    if (next < 0) break;
    const part = body.subarray(start + separator.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const disposition =
        /content-disposition:\s*form-data;\s*name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(headers);
      // The value ends before the CRLF that precedes the next delimiter.
      const value = part.subarray(headerEnd + 4, part.length - 2);
      if (disposition?.[1] === 'key') key = value.toString('utf8');
      if (disposition?.[1] === 'file') {
        filename = disposition[2] ?? '';
        break;
      }
    }
    start = next;
  }
  return key?.replaceAll(FILENAME_VARIABLE, filename ?? '');
};
