import type { UrlSigner } from '../shared/adapters/s3-url-signer';
import { DOCUMENT_STATUSES, LIST_SHARDS } from '../shared/documents/document';
import { INSPECTED_ATTRIBUTES, type MetadataItem } from '../shared/documents/metadata-item';
import type { TextPage } from '../shared/documents/text-document';
import * as z from '../shared/runtime/zod';
import { attachmentDisposition, filenameOfKey } from './content-disposition';
import { costDetailOf, costSummaryOf } from './costs';
import { CursorCodec } from './cursor';
import { cursorShardsSchema, fromCursorShards, toCursorShards } from './cursor-shards';
import { initialShards, listPage } from './listing';
import type { DocumentCatalog, ListFilters, TextDocumentReader } from './ports';
import {
  DocumentDeletedError,
  InvalidCursorError,
  InvalidParameterError,
  NotFoundError,
  TextUnavailableError,
} from './problems';
import { type ApiRequest, type ApiResponse, parseParameters, type Route } from './router';
import {
  type DocumentDetail,
  type DocumentList,
  type DocumentSummary,
  documentPathParameters,
  listDocumentsQuery,
  type TextResponse,
  textQuery,
} from './schemas';

export interface DocumentsApiPorts {
  readonly catalog: DocumentCatalog;
  readonly texts: TextDocumentReader;
  readonly urls: UrlSigner;
}

export interface DocumentsApiConfig {
  /** HMAC key of the listing cursors (at least 32 characters). */
  readonly cursorSecret: string;
  /** Lifetime of presigned URLs. */
  readonly urlTtlSeconds: number;
  /** Region for console links when an execution ARN does not name one. */
  readonly region: string;
  /** Listing shards; LIST_SHARDS unless a test says otherwise. */
  readonly shardCount?: number;
  /** Catalog queries one listing request may make (see {@link listPage}). */
  readonly maxQueriesPerPage?: number;
  readonly now?: () => Date;
}

const CURSOR_VERSION = 1;

const noQuery = z.strictObject({});

const listCursorSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  f: z.strictObject({
    status: z.optional(z.enum(DOCUMENT_STATUSES)),
    type: z.optional(z.string()),
    uploadedAfter: z.optional(z.string()),
    uploadedBefore: z.optional(z.string()),
  }),
  s: cursorShardsSchema,
});

const FILTER_KEYS = ['status', 'type', 'uploadedAfter', 'uploadedBefore'] as const;

const sameFilters = (a: ListFilters, b: ListFilters): boolean =>
  FILTER_KEYS.every((key) => a[key] === b[key]);

/** Normalizes times so that they compare as strings with the stored `uploadedAt` (S3's UTC eventTime). */
const normalizeFilters = (query: z.output<typeof listDocumentsQuery>): ListFilters => {
  const filters: ListFilters = {
    ...(query.status ? { status: query.status } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.uploadedAfter ? { uploadedAfter: new Date(query.uploadedAfter).toISOString() } : {}),
    ...(query.uploadedBefore ? { uploadedBefore: new Date(query.uploadedBefore).toISOString() } : {}),
  };
  if (filters.uploadedAfter && filters.uploadedBefore && filters.uploadedAfter > filters.uploadedBefore) {
    throw new InvalidParameterError([
      { parameter: 'uploadedBefore', message: 'must not be earlier than uploadedAfter' },
    ]);
  }
  return filters;
};

/** The public view of an item: an allow-list, so internal attributes (shard keys, sequencer) never leak. */
export const toSummary = (item: MetadataItem): DocumentSummary => ({
  id: item.documentId,
  bucket: item.bucket,
  key: item.key,
  version: item.version,
  status: item.status,
  uploadedAt: item.uploadedAt,
  updatedAt: item.updatedAt,
  ...pick(item, [
    'generation',
    'size',
    'eTag',
    ...INSPECTED_ATTRIBUTES,
    'reason',
    'reasonDetail',
    'startedAt',
    'completedAt',
    'durationMs',
    'deletedAt',
  ]),
  ...(item.failure ? { failure: { error: item.failure.error, cause: item.failure.cause } } : {}),
  thumbnail: item.thumbnail
    ? { width: item.thumbnail.width, height: item.thumbnail.height, contentType: item.thumbnail.contentType }
    : null,
  text: item.text
    ? {
        pages: item.text.pages,
        characters: item.text.characters,
        words: item.text.words,
        source: item.text.source,
      }
    : null,
  ...(item.cost ? { cost: costSummaryOf(item.cost) } : {}),
});

/** The summary a detail extends: its cost lists every run, where the summary's counts them. */
const summaryOfDetail = (
  item: MetadataItem,
): Omit<DocumentSummary, 'cost'> & Pick<DocumentDetail, 'cost'> => {
  const { cost: _counted, ...summary } = toSummary(item);
  return { ...summary, ...(item.cost ? { cost: costDetailOf(item.cost) } : {}) };
};

/**
 * A deleted document's record: what it was and when it went, with no link to anything: the upload
 * and its derivatives are gone, and presigning them would only mint URLs to nothing (or, for the
 * upload's noncurrent versions, to what the user meant to remove).
 */
const deletedDetail = (item: MetadataItem, execution: DocumentDetail['execution']): DocumentDetail => ({
  ...summaryOfDetail(item),
  thumbnail: null,
  text: null,
  original: null,
  execution,
  urlsExpireAt: null,
});

const pick = <T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> => {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
};

/**
 * The S3 versionId of the item's version, if it has one. Where the bucket is not versioned the
 * version is the normalized sequencer itself (see DocumentRef), and there is no versionId to pin.
 */
const s3VersionIdOf = (item: MetadataItem): string | undefined =>
  item.version !== item.sequencer ? item.version : undefined;

const copyPage = (page: TextPage): TextResponse['pages'][number] => ({
  number: page.number,
  text: page.text,
  ...(page.lines
    ? {
        lines: page.lines.map((line) => ({
          text: line.text,
          confidence: line.confidence,
          box: { ...line.box },
        })),
      }
    : {}),
  ...(page.error !== undefined ? { error: page.error } : {}),
});

/** Step Functions console page of an execution, in the execution's own region. */
export const executionConsoleUrl = (executionArn: string, fallbackRegion: string): string => {
  const region = /^arn:[^:]+:states:([a-z0-9-]+):/.exec(executionArn)?.[1] ?? fallbackRegion;
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
};

/** The three document routes, over the catalog, text store and URL signer. */
export const documentRoutes = (ports: DocumentsApiPorts, config: DocumentsApiConfig): Route[] => {
  const { catalog, texts, urls } = ports;
  const shardCount = config.shardCount ?? LIST_SHARDS;
  const now = config.now ?? (() => new Date());
  const cursors = new CursorCodec(config.cursorSecret, listCursorSchema);

  const requireDocument = async (id: string): Promise<MetadataItem> => {
    const item = await catalog.get(id);
    if (!item) throw new NotFoundError(`document ${id} does not exist`);
    return item;
  };

  const listDocuments = async (request: ApiRequest): Promise<ApiResponse> => {
    const query = parseParameters(listDocumentsQuery, request.query);
    const filters = normalizeFilters(query);
    let shards = initialShards(shardCount);
    if (query.cursor !== undefined) {
      const cursor = cursors.decode(query.cursor);
      if (!sameFilters(cursor.f, filters))
        throw new InvalidCursorError('the cursor was issued for other filters; repeat them unchanged');
      if (cursor.s.length !== shardCount)
        throw new InvalidCursorError('the cursor is from an incompatible listing layout');
      shards = fromCursorShards(cursor.s);
    }
    const page = await listPage(catalog, {
      filters,
      limit: query.limit,
      shards,
      ...(config.maxQueriesPerPage ? { maxQueries: config.maxQueriesPerPage } : {}),
    });
    const body: DocumentList = {
      items: page.items.map(toSummary),
      nextCursor: page.shards
        ? cursors.encode({ v: CURSOR_VERSION, f: filters, s: toCursorShards(page.shards) })
        : null,
    };
    return { status: 200, body };
  };

  const getDocument = async (request: ApiRequest): Promise<ApiResponse> => {
    const { id } = parseParameters(documentPathParameters, request.params);
    parseParameters(noQuery, request.query);
    const item = await requireDocument(id);
    const execution = item.executionArn
      ? { arn: item.executionArn, consoleUrl: executionConsoleUrl(item.executionArn, config.region) }
      : null;
    if (item.status === 'DELETED') return { status: 200, body: deletedDetail(item, execution) };
    const expiresInSeconds = config.urlTtlSeconds;
    const urlsExpireAt = new Date(now().getTime() + expiresInSeconds * 1000).toISOString();
    const filename = filenameOfKey(item.key);
    const versionId = s3VersionIdOf(item);
    const [thumbnailUrl, textUrl, originalUrl] = await Promise.all([
      item.thumbnail
        ? urls.presignGet({ bucket: item.thumbnail.bucket, key: item.thumbnail.key, expiresInSeconds })
        : undefined,
      item.text
        ? urls.presignGet({ bucket: item.text.bucket, key: item.text.key, expiresInSeconds })
        : undefined,
      urls.presignGet({
        bucket: item.bucket,
        key: item.key,
        ...(versionId ? { versionId } : {}),
        contentDisposition: attachmentDisposition(filename),
        expiresInSeconds,
      }),
    ]);
    const summary = summaryOfDetail(item);
    const body: DocumentDetail = {
      ...summary,
      thumbnail: summary.thumbnail && thumbnailUrl ? { ...summary.thumbnail, url: thumbnailUrl } : null,
      text: summary.text && textUrl ? { ...summary.text, url: textUrl } : null,
      original: { url: originalUrl, filename },
      execution,
      urlsExpireAt,
    };
    return { status: 200, body };
  };

  const getText = async (request: ApiRequest): Promise<ApiResponse> => {
    const { id } = parseParameters(documentPathParameters, request.params);
    const { page, pageSize } = parseParameters(textQuery, request.query);
    const item = await requireDocument(id);
    if (item.status === 'DELETED')
      throw new DocumentDeletedError(`document ${id} was deleted at ${item.deletedAt ?? 'an unknown time'}`);
    if (!item.text)
      throw new TextUnavailableError(`document ${id} has no extracted text (status ${item.status})`);
    const document = await texts.get(item.text);
    if (!document) throw new TextUnavailableError(`the extracted text of document ${id} is missing`);
    const pages = document.pages.toSorted((a, b) => a.number - b.number);
    const totalPages = Math.ceil(pages.length / pageSize);
    const lastPage = Math.max(totalPages, 1);
    if (page > lastPage)
      throw new InvalidParameterError([{ parameter: 'page', message: `must be at most ${lastPage}` }]);
    const body: TextResponse = {
      documentId: item.documentId,
      version: document.version,
      source: document.source,
      page,
      pageSize,
      totalPages,
      documentPages: pages.length,
      nextPage: page < totalPages ? page + 1 : null,
      pages: pages.slice((page - 1) * pageSize, page * pageSize).map(copyPage),
    };
    return { status: 200, body };
  };

  return [
    { method: 'GET', path: '/documents', handle: listDocuments },
    { method: 'GET', path: '/documents/{id}', handle: getDocument },
    { method: 'GET', path: '/documents/{id}/text', handle: getText },
  ];
};
