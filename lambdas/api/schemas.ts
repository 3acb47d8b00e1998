import * as z from 'zod';
import { DOCUMENT_STATUSES, TEXT_STRATEGIES } from '../shared/documents/document';
import { REJECTION_REASON_BY_ERROR } from '../shared/documents/errors';
import { TEXT_ENCODINGS } from '../shared/documents/text-encoding';
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
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .pipe(z.coerce.number<string>().int().min(min).max(max));

const isoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** A date-time with offset or a plain date (UTC midnight), as the JSON Schema `date-time` string it reads as. */
const instant = z
  .string()
  .refine((value) => isoInstant.safeParse(value).success, {
    error: 'must be an ISO-8601 date-time with offset (2026-11-03T10:00:00Z) or a date (2026-11-03)',
  })
  .meta({ format: 'date-time' });

/** A document id as {@link documentId} makes it: 22 base64url characters. */
export const documentIdParameter = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/, 'must be a document id (22 base64url characters)')
  .meta({ description: 'Document id (derived from bucket and key).' });

export const documentPathParameters = z.strictObject({ id: documentIdParameter });

export const listDocumentsQuery = z.strictObject({
  status: z.enum(DOCUMENT_STATUSES).optional().meta({ description: 'Only documents in this status.' }),
  type: z
    .string()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9.+-]{0,63}$/, 'must be a short kind such as pdf, jpeg, docx or text')
    .optional()
    .meta({ description: 'Only documents of this kind (`pdf`, `jpeg`, `png`, `docx`, `text`, …).' }),
  uploadedAfter: instant.optional().meta({ description: 'Uploaded at or after this time (inclusive).' }),
  uploadedBefore: instant.optional().meta({ description: 'Uploaded at or before this time (inclusive).' }),
  limit: wholeNumber(1, 100).default(25).meta({ description: 'Page size, 1–100.' }),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .meta({ description: 'Opaque `nextCursor` of the previous page; only valid with the same filters.' }),
});

export const textQuery = z.strictObject({
  page: wholeNumber(1, 1_000_000).default(1).meta({ description: 'Which page of text pages, from 1.' }),
  pageSize: wholeNumber(1, 50).default(1).meta({ description: 'Document pages per response page, 1–50.' }),
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
    type: z.string().meta({ description: 'URI reference naming the problem type.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(parameterErrorSchema).optional().meta({ description: 'Each rejected parameter.' }),
  })
  .register(apiSchemas, { id: 'Problem', description: 'RFC 9457 problem details.' });

export const thumbnailSummarySchema = z
  .object({ width: z.number().int(), height: z.number().int(), contentType: z.string() })
  .register(apiSchemas, { id: 'ThumbnailSummary' });

export const textSummarySchema = z
  .object({
    pages: z.number().int(),
    characters: z.number().int(),
    words: z.number().int(),
    source: z.enum(['pdf-text-layer', 'docx', 'plain-text', 'textract']),
  })
  .register(apiSchemas, { id: 'TextSummary' });

export const documentSummarySchema = z
  .object({
    id: z.string(),
    bucket: z.string(),
    key: z.string(),
    version: z.string(),
    generation: z.number().int().optional().meta({
      description:
        'Which run of this version the record holds: 0 its upload’s, n its n-th reprocess (absent on records from before reprocessing).',
    }),
    status: z.enum(DOCUMENT_STATUSES),
    uploadedAt: z.string(),
    updatedAt: z.string(),
    size: z.number().int().optional(),
    eTag: z.string().optional(),
    mimeType: z.string().optional(),
    type: z.string().optional(),
    sha256: z.string().optional(),
    pages: z.number().int().optional(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    title: z.string().optional(),
    author: z.string().optional(),
    encoding: z.enum(TEXT_ENCODINGS).optional().meta({
      description:
        'Text documents only: the encoding found from the bytes, by its WHATWG Encoding Standard name (utf-8, windows-1252, shift_jis, …).',
    }),
    textStrategy: z.enum(TEXT_STRATEGIES).optional(),
    reason: z
      .enum(Object.values(REJECTION_REASON_BY_ERROR))
      .optional()
      .meta({ description: 'Why a REJECTED document was rejected.' }),
    reasonDetail: z.string().optional(),
    failure: z
      .object({ error: z.string(), cause: z.string() })
      .optional()
      .meta({ description: 'The error of a FAILED document, after retries.' }),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
    durationMs: z.number().optional(),
    deletedAt: z
      .string()
      .optional()
      .meta({ description: 'When a DELETED document was deleted from the uploads bucket.' }),
    thumbnail: thumbnailSummarySchema.nullable(),
    text: textSummarySchema.nullable(),
    cost: documentCostSummarySchema
      .optional()
      .meta({ description: 'Absent until the document’s first run has ended and been priced.' }),
  })
  .register(apiSchemas, { id: 'DocumentSummary' });

export const documentListSchema = z
  .object({
    items: z.array(documentSummarySchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` (with the same filters) for the next page; null on the last.' }),
  })
  .register(apiSchemas, { id: 'DocumentList' });

const presignedUrl = z.string().meta({ description: 'Presigned GET URL, valid until `urlsExpireAt`.' });

export const documentDetailSchema = documentSummarySchema
  .extend({
    thumbnail: thumbnailSummarySchema.extend({ url: presignedUrl }).nullable(),
    text: textSummarySchema
      .extend({ url: presignedUrl.meta({ description: 'Presigned GET URL of the whole text JSON.' }) })
      .nullable(),
    original: z
      .object({
        url: presignedUrl.meta({
          description: 'Presigned GET URL that downloads the upload as an attachment.',
        }),
        filename: z.string(),
      })
      .nullable()
      .meta({ description: 'Null for a DELETED document: there is nothing left to download.' }),
    execution: z.object({ arn: z.string(), consoleUrl: z.string() }).nullable().meta({
      description: 'The Step Functions execution that last wrote this record (for DELETED, the deletion).',
    }),
    urlsExpireAt: z.string().nullable().meta({ description: 'Null when there are no URLs.' }),
    cost: documentCostDetailSchema
      .optional()
      .meta({ description: 'Absent until the document’s first run has ended and been priced.' }),
  })
  .register(apiSchemas, { id: 'DocumentDetail' });

export const textPageSchema = z.object({
  number: z.number().int(),
  text: z.string(),
  lines: z
    .array(
      z.object({
        text: z.string(),
        confidence: z.number(),
        box: z.object({ left: z.number(), top: z.number(), width: z.number(), height: z.number() }),
      }),
    )
    .optional(),
  error: z.string().optional(),
});

export const textResponseSchema = z
  .object({
    documentId: z.string(),
    version: z.string(),
    source: textSummarySchema.shape.source,
    page: z.number().int(),
    pageSize: z.number().int(),
    totalPages: z.number().int().meta({ description: 'Response pages at this pageSize.' }),
    documentPages: z.number().int().meta({ description: 'Pages in the document.' }),
    nextPage: z.number().int().nullable(),
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
