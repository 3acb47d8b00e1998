import * as z from '../shared/runtime/zod';
import { apiSchemas } from './schemas';

/**
 * The shapes of `POST /uploads`, registered in {@link apiSchemas} with the others, so the OpenAPI
 * document shows them; the request is validated with them and tests parse answers with them.
 */

/** Code points that hide or reorder what a name shows: C0 and C1 controls, bidirectional formatting. */
const isHiddenCharacter = (code: number): boolean =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x061c ||
  code === 0x200e ||
  code === 0x200f ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

/**
 * The name of an uploaded file: it becomes the last segment of the object key, so it is a name, never
 * a path, and it is shown as the document's name, so nothing in it may hide or reorder characters.
 */
export const uploadFilename = z.string().check(
  z.minLength(1, { error: 'must not be empty', abort: true }),
  z.maxLength(255),
  z.refine((name) => name.isWellFormed(), 'must be valid Unicode (no lone surrogates)'),
  z.refine((name) => Buffer.byteLength(name.normalize('NFC')) <= 255, 'must be at most 255 bytes of UTF-8'),
  z.refine((name) => !/[/\\]/.test(name), 'must be a file name, not a path (no / or \\)'),
  z.refine((name) => name.trim() !== '' && name !== '.' && name !== '..', 'must name a file'),
  z.refine(
    (name) => ![...name].some((char) => isHiddenCharacter(char.codePointAt(0) ?? 0)),
    'must not contain control or bidirectional formatting characters',
  ),
  // S3 expands `${filename}` in a POST upload's key field, so the key would not be the signed one.
  z.refine((name) => !name.includes('${'), 'must not contain "${"'),
  z.meta({ description: "The file's name (no path); it becomes the last segment of the object key." }),
);

/** A media type as RFC 6838 and RFC 9110 spell it: `type/subtype`, optionally with parameters. */
const TOKEN = "[A-Za-z0-9!#$%&'*+.^_`|~-]+";
const MEDIA_TYPE = new RegExp(
  `^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:[ \t]*;[ \t]*${TOKEN}=(?:${TOKEN}|"[^"\\\\\r\n]*"))*$`,
);

export const uploadRequestSchema = z
  .strictObject({
    filename: uploadFilename,
    contentType: z.string().check(
      z.maxLength(255),
      z.regex(MEDIA_TYPE, 'must be a media type such as application/pdf'),
      z.meta({
        description:
          'Media type the object is stored with (`application/octet-stream` when unknown). The pipeline reads the type from the bytes, not from this.',
      }),
    ),
    size: z.int().check(
      z.gte(1, 'must be at least 1 byte'),
      z.meta({
        description:
          'Exact size in bytes; S3 refuses a file of any other size. At most the deployment’s MAX_DOCUMENT_BYTES.',
      }),
    ),
  })
  .register(apiSchemas, { id: 'UploadRequest', description: 'The file a client is about to upload.' });

export const uploadTicketSchema = z
  .object({
    url: z.string().check(z.meta({ description: 'Where to POST the form: the uploads bucket.' })),
    fields: z.record(z.string(), z.string()).check(
      z.meta({
        description:
          'Form fields to send, unchanged and in this order, before the file (the part named `file`, last).',
      }),
    ),
    key: z
      .string()
      .check(z.meta({ description: 'The object key the upload is stored under (under `incoming/`).' })),
    documentId: z
      .string()
      .check(z.meta({ description: 'The id the document will have (`GET /documents/{id}`).' })),
    expiresAt: z.string().check(z.meta({ description: 'When S3 stops accepting the form.' })),
  })
  .register(apiSchemas, {
    id: 'UploadTicket',
    description:
      'An S3 presigned POST for one file: a multipart/form-data POST of these fields, then the file.',
  });

export type UploadRequest = z.output<typeof uploadRequestSchema>;
export type UploadTicket = z.output<typeof uploadTicketSchema>;
