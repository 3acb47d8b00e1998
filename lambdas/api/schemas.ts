import { DOCUMENT_STATUSES, TEXT_STRATEGIES } from '../shared/documents/document';
import { REJECTION_REASON_BY_ERROR } from '../shared/documents/errors';
import { TEXT_ENCODINGS } from '../shared/documents/text-encoding';
import * as z from '../shared/runtime/zod';
import {
  COST_SCHEMA_IDS,
  costPartsSchema,
  costSummarySchema,
  documentCostDetailSchema,
  documentCostSummarySchema,
  runCostSchema,
} from './cost-schemas';

/**
 * The API's request and response shapes. Requests are validated with them; the OpenAPI document is
 * generated from them; tests parse responses with them. Every response schema is registered in
 * {@link apiSchemas} under its component name.
 */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const wholeNumber = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,9}$/, 'must be a whole number')),
    z.coerce.number<string>().check(z.int(), z.gte(min), z.lte(max)),
  );

const isoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** A date-time with offset or a plain date (UTC midnight), as the JSON Schema `date-time` string it reads as. */
const instant = z.string().check(
  z.refine((value) => isoInstant.safeParse(value).success, {
    error: 'must be an ISO-8601 date-time with offset (2026-11-03T10:00:00Z) or a date (2026-11-03)',
  }),
  z.meta({ format: 'date-time' }),
);

/** A document id as {@link documentId} makes it: 22 base64url characters. */
export const documentIdParameter = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_-]{22}$/, 'must be a document id (22 base64url characters)'),
    z.meta({ description: 'Document id (derived from bucket and key).' }),
  );

export const documentPathParameters = z.strictObject({ id: documentIdParameter });

export const listDocumentsQuery = z.strictObject({
  status: z
    .optional(z.enum(DOCUMENT_STATUSES))
    .check(z.meta({ description: 'Only documents in this status.' })),
  type: z
    .optional(
      z
        .string()
        .check(
          z.toLowerCase(),
          z.regex(/^[a-z0-9][a-z0-9.+-]{0,63}$/, 'must be a short kind such as pdf, jpeg, docx or text'),
        ),
    )
    .check(z.meta({ description: 'Only documents of this kind (`pdf`, `jpeg`, `png`, `docx`, `text`, …).' })),
  uploadedAfter: z
    .optional(instant)
    .check(z.meta({ description: 'Uploaded at or after this time (inclusive).' })),
  uploadedBefore: z
    .optional(instant)
    .check(z.meta({ description: 'Uploaded at or before this time (inclusive).' })),
  limit: z._default(wholeNumber(1, 100), 25).check(z.meta({ description: 'Page size, 1–100.' })),
  cursor: z
    .optional(z.string().check(z.minLength(1), z.maxLength(4096)))
    .check(
      z.meta({ description: 'Opaque `nextCursor` of the previous page; only valid with the same filters.' }),
    ),
});

export const textQuery = z.strictObject({
  page: z
    ._default(wholeNumber(1, 1_000_000), 1)
    .check(z.meta({ description: 'Which page of text pages, from 1.' })),
  pageSize: z
    ._default(wholeNumber(1, 50), 1)
    .check(z.meta({ description: 'Document pages per response page, 1–50.' })),
});

costPartsSchema.register(apiSchemas, { id: COST_SCHEMA_IDS.parts });
documentCostSummarySchema.register(apiSchemas, {
  id: COST_SCHEMA_IDS.summary,
  description:
    'The modelled AWS cost of the document: every run (upload, redrive, reprocess, deletion) added up.',
});
runCostSchema.register(apiSchemas, {
  id: COST_SCHEMA_IDS.run,
  description: 'One priced run and what it used.',
});
documentCostDetailSchema.register(apiSchemas, { id: COST_SCHEMA_IDS.detail });
costSummarySchema.register(apiSchemas, {
  id: COST_SCHEMA_IDS.costs,
  description: 'The modelled cost of the documents uploaded in a range.',
});

export const parameterErrorSchema = z.object({ parameter: z.string(), message: z.string() });

export const problemSchema = z
  .object({
    type: z.string().check(z.meta({ description: 'URI reference naming the problem type.' })),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z
      .optional(z.array(parameterErrorSchema))
      .check(z.meta({ description: 'Each rejected parameter.' })),
  })
  .register(apiSchemas, { id: 'Problem', description: 'RFC 9457 problem details.' });

export const thumbnailSummarySchema = z
  .object({ width: z.int(), height: z.int(), contentType: z.string() })
  .register(apiSchemas, { id: 'ThumbnailSummary' });

export const textSummarySchema = z
  .object({
    pages: z.int(),
    characters: z.int(),
    words: z.int(),
    source: z.enum(['pdf-text-layer', 'docx', 'plain-text', 'textract']),
  })
  .register(apiSchemas, { id: 'TextSummary' });

export const documentSummarySchema = z
  .object({
    id: z.string(),
    bucket: z.string(),
    key: z.string(),
    version: z.string(),
    generation: z.optional(z.int()).check(
      z.meta({
        description:
          'Which run of this version the record holds: 0 its upload’s, n its n-th reprocess (absent on records from before reprocessing).',
      }),
    ),
    status: z.enum(DOCUMENT_STATUSES),
    uploadedAt: z.string(),
    updatedAt: z.string(),
    size: z.optional(z.int()),
    eTag: z.optional(z.string()),
    mimeType: z.optional(z.string()),
    type: z.optional(z.string()),
    sha256: z.optional(z.string()),
    pages: z.optional(z.int()),
    width: z.optional(z.int()),
    height: z.optional(z.int()),
    title: z.optional(z.string()),
    author: z.optional(z.string()),
    encoding: z.optional(z.enum(TEXT_ENCODINGS)).check(
      z.meta({
        description:
          'Text documents only: the encoding found from the bytes, by its WHATWG Encoding Standard name (utf-8, windows-1252, shift_jis, …).',
      }),
    ),
    textStrategy: z.optional(z.enum(TEXT_STRATEGIES)),
    reason: z
      .optional(z.enum(Object.values(REJECTION_REASON_BY_ERROR)))
      .check(z.meta({ description: 'Why a REJECTED document was rejected.' })),
    reasonDetail: z.optional(z.string()),
    failure: z
      .optional(z.object({ error: z.string(), cause: z.string() }))
      .check(z.meta({ description: 'The error of a FAILED document, after retries.' })),
    startedAt: z.optional(z.string()),
    completedAt: z.optional(z.string()),
    durationMs: z.optional(z.number()),
    deletedAt: z
      .optional(z.string())
      .check(z.meta({ description: 'When a DELETED document was deleted from the uploads bucket.' })),
    thumbnail: z.nullable(thumbnailSummarySchema),
    text: z.nullable(textSummarySchema),
    cost: z
      .optional(documentCostSummarySchema)
      .check(z.meta({ description: 'Absent until the document’s first run has ended and been priced.' })),
  })
  .register(apiSchemas, { id: 'DocumentSummary' });

export const documentListSchema = z
  .object({
    items: z.array(documentSummarySchema),
    nextCursor: z.nullable(z.string()).check(
      z.meta({
        description: 'Pass as `cursor` (with the same filters) for the next page; null on the last.',
      }),
    ),
  })
  .register(apiSchemas, { id: 'DocumentList' });

const presignedUrl = z
  .string()
  .check(z.meta({ description: 'Presigned GET URL, valid until `urlsExpireAt`.' }));

export const documentDetailSchema = z
  .extend(documentSummarySchema, {
    thumbnail: z.nullable(z.extend(thumbnailSummarySchema, { url: presignedUrl })),
    text: z.nullable(
      z.extend(textSummarySchema, {
        url: presignedUrl.check(z.meta({ description: 'Presigned GET URL of the whole text JSON.' })),
      }),
    ),
    original: z
      .nullable(
        z.object({
          url: presignedUrl.check(
            z.meta({ description: 'Presigned GET URL that downloads the upload as an attachment.' }),
          ),
          filename: z.string(),
        }),
      )
      .check(z.meta({ description: 'Null for a DELETED document: there is nothing left to download.' })),
    execution: z.nullable(z.object({ arn: z.string(), consoleUrl: z.string() })).check(
      z.meta({
        description: 'The Step Functions execution that last wrote this record (for DELETED, the deletion).',
      }),
    ),
    urlsExpireAt: z.nullable(z.string()).check(z.meta({ description: 'Null when there are no URLs.' })),
    cost: z
      .optional(documentCostDetailSchema)
      .check(z.meta({ description: 'Absent until the document’s first run has ended and been priced.' })),
  })
  .register(apiSchemas, { id: 'DocumentDetail' });

export const textPageSchema = z.object({
  number: z.int(),
  text: z.string(),
  lines: z.optional(
    z.array(
      z.object({
        text: z.string(),
        confidence: z.number(),
        box: z.object({ left: z.number(), top: z.number(), width: z.number(), height: z.number() }),
      }),
    ),
  ),
  error: z.optional(z.string()),
});

export const textResponseSchema = z
  .object({
    documentId: z.string(),
    version: z.string(),
    source: textSummarySchema.shape.source,
    page: z.int(),
    pageSize: z.int(),
    totalPages: z.int().check(z.meta({ description: 'Response pages at this pageSize.' })),
    documentPages: z.int().check(z.meta({ description: 'Pages in the document.' })),
    nextPage: z.nullable(z.int()),
    pages: z.array(textPageSchema),
  })
  .register(apiSchemas, { id: 'TextPage' });

/** The TextDocument JSON as stored, checked when read (a malformed object is a server fault). */
export const storedTextDocumentSchema = z.object({
  documentId: z.string(),
  version: z.string(),
  source: textSummarySchema.shape.source,
  pages: z.array(textPageSchema),
});

export type DocumentSummary = z.output<typeof documentSummarySchema>;
export type DocumentList = z.output<typeof documentListSchema>;
export type DocumentDetail = z.output<typeof documentDetailSchema>;
export type TextResponse = z.output<typeof textResponseSchema>;
