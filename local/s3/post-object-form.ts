/** The placeholder S3 replaces with the uploaded file's name, in every field. */
const FILENAME_VARIABLE = `\${filename}`;

/** One form field before the file, with its name as sent. */
export interface PostFormField {
  readonly name: string;
  readonly value: string;
}

/** The file part of a browser POST upload. */
export interface PostFormFile {
  /** The part's name, as sent. */
  readonly name: string;
  /** The file name without any path (S3 keeps what follows the last `/` or `\`); undefined without one. */
  readonly filename?: string;
  readonly size: number;
}

/** A browser POST upload (multipart/form-data) as S3 reads it: the fields before the file, and the file. */
export interface PostObjectForm {
  /** Fields in the order sent; fields after the file are ignored, as S3 ignores them. */
  readonly fields: readonly PostFormField[];
  readonly file?: PostFormFile;
  /** Bytes of the body before the file's content (fields, boundaries, part headers). */
  readonly bytesBeforeFile: number;
}

const boundaryOf = (contentType: string): string | undefined => {
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  return boundary?.[1] ?? boundary?.[2];
};

/**
 * Reads a POST upload body; undefined when the Content-Type names no boundary. The file is the first
 * part with a `filename` or named `file` — the part the S3 behind (fauxqs) stores — so what is checked
 * is what gets stored. Parts whose Content-Disposition names no field are skipped, as fauxqs skips them.
 */
export const parsePostObjectForm = (body: Buffer, contentType: string): PostObjectForm | undefined => {
  const delimiter = boundaryOf(contentType);
  if (!delimiter) return undefined;
  const separator = Buffer.from(`--${delimiter}`);
  const fields: PostFormField[] = [];
  let start = body.indexOf(separator);
  while (start >= 0) {
    const next = body.indexOf(separator, start + separator.length);
    if (next < 0) break;
    const part = body.subarray(start + separator.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const disposition =
        /content-disposition:\s*form-data;\s*name="([^"]+)"(?:;\s*filename="([^"]*)")?/i.exec(headers);
      // The value ends before the CRLF that precedes the next delimiter.
      const valueStart = headerEnd + 4;
      const value = part.subarray(valueStart, Math.max(valueStart, part.length - 2));
      const name = disposition?.[1];
      const filename = disposition?.[2];
      if (name !== undefined && (filename !== undefined || name === 'file')) {
        return {
          fields,
          file: {
            name,
            ...(filename === undefined ? {} : { filename: filename.slice(lastSeparator(filename) + 1) }),
            size: value.length,
          },
          bytesBeforeFile: start + separator.length + valueStart,
        };
      }
      if (name !== undefined) fields.push({ name, value: value.toString('utf8') });
    }
    start = next;
  }
  return { fields, bytesBeforeFile: body.length };
};

const lastSeparator = (filename: string): number =>
  Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));

/** Replaces `${filename}` as S3 does: with the file's name, or nothing when it has none. */
export const expandFilename = (value: string, form: PostObjectForm): string =>
  value.replaceAll(FILENAME_VARIABLE, form.file?.filename ?? '');

/**
 * A field's value by name, case-insensitively (S3: "post parameters are case insensitive"); fields
 * given more than once are joined with commas, as S3 documents. Undefined when the form lacks it.
 */
export const formField = (form: PostObjectForm, name: string): string | undefined => {
  const lower = name.toLowerCase();
  const values = form.fields
    .filter((field) => field.name.toLowerCase() === lower)
    .map((field) => field.value);
  return values.length === 0 ? undefined : values.join(',');
};

/**
 * The object key of a browser POST upload: the `key` field with `${filename}` replaced, as S3 does.
 * Undefined when the form has no boundary or no key before the file (S3 refuses the upload then).
 */
export const postObjectKey = (body: Buffer, contentType: string): string | undefined => {
  const form = parsePostObjectForm(body, contentType);
  const key = form && formField(form, 'key');
  return form && key !== undefined ? expandFilename(key, form) : undefined;
};
