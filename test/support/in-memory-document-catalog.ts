import type {
  DocumentCatalog,
  ShardPage,
  ShardPosition,
  ShardQuery,
  TextDocumentReader,
} from '../../lambdas/api/ports';
import type { PresignedGetRequest, UrlSigner } from '../../lambdas/shared/adapters/s3-url-signer';
import type { MetadataItem, S3Pointer } from '../../lambdas/shared/documents/metadata-item';
import type { TextDocument } from '../../lambdas/shared/documents/text-document';

const newestFirst = (a: MetadataItem, b: MetadataItem): number => {
  if (a.uploadedAt !== b.uploadedAt) return a.uploadedAt > b.uploadedAt ? -1 : 1;
  if (a.documentId === b.documentId) return 0;
  return a.documentId > b.documentId ? -1 : 1;
};

const isAfter = (item: MetadataItem, position: ShardPosition): boolean =>
  item.uploadedAt < position.uploadedAt ||
  (item.uploadedAt === position.uploadedAt && item.documentId < position.documentId);

/**
 * {@link DocumentCatalog} in memory, with DynamoDB's query semantics: key condition and start key
 * first, then `Limit` items evaluated, then the type filter (so a page can be empty and still have a
 * next key), and a next key whenever `Limit` items were evaluated, even if nothing follows.
 * `evaluateAtMost` cuts pages shorter than `Limit`, as the 1 MB page limit does.
 */
export class InMemoryDocumentCatalog implements DocumentCatalog {
  readonly items = new Map<string, MetadataItem>();
  readonly queries: ShardQuery[] = [];

  constructor(
    private readonly evaluateAtMost: (queryIndex: number) => number = () => Number.POSITIVE_INFINITY,
  ) {}

  put(...items: MetadataItem[]): this {
    for (const item of items) this.items.set(item.documentId, structuredClone(item));
    return this;
  }

  async get(documentId: string): Promise<MetadataItem | undefined> {
    const item = this.items.get(documentId);
    return item ? structuredClone(item) : undefined;
  }

  async queryShard(query: ShardQuery): Promise<ShardPage> {
    const queryIndex = this.queries.push(query) - 1;
    const partition = `${query.status ?? 'ALL'}#${query.shard}`;
    const candidates = [...this.items.values()]
      .filter((item) => (query.status ? item.statusShard : item.listShard) === partition)
      .filter((item) => !query.uploadedAfter || item.uploadedAt >= query.uploadedAfter)
      .filter((item) => !query.uploadedBefore || item.uploadedAt <= query.uploadedBefore)
      .sort(newestFirst)
      .filter((item) => !query.startAfter || isAfter(item, query.startAfter));
    const evaluate = Math.max(1, Math.min(query.limit, this.evaluateAtMost(queryIndex)));
    const evaluated = candidates.slice(0, evaluate);
    const last = evaluated.at(-1);
    const hasNext =
      last !== undefined && (evaluated.length < candidates.length || evaluated.length === query.limit);
    return {
      items: evaluated
        .filter((item) => !query.type || item.type === query.type)
        .map((item) => structuredClone(item)),
      ...(hasNext ? { next: { documentId: last.documentId, uploadedAt: last.uploadedAt } } : {}),
    };
  }
}

/** {@link TextDocumentReader} in memory, keyed by `bucket/key`. */
export class InMemoryTextStore implements TextDocumentReader {
  readonly documents = new Map<string, TextDocument>();

  put(pointer: S3Pointer, document: TextDocument): this {
    this.documents.set(`${pointer.bucket}/${pointer.key}`, document);
    return this;
  }

  async get(pointer: S3Pointer): Promise<TextDocument | undefined> {
    return this.documents.get(`${pointer.bucket}/${pointer.key}`);
  }
}

/** A {@link UrlSigner} that records its requests and returns URLs that spell them out. */
export class RecordingUrlSigner implements UrlSigner {
  readonly requests: PresignedGetRequest[] = [];

  async presignGet(request: PresignedGetRequest): Promise<string> {
    this.requests.push(request);
    const url = new URL(`https://signed.example/${request.bucket}/${request.key}`);
    url.searchParams.set('expires', String(request.expiresInSeconds));
    if (request.versionId) url.searchParams.set('versionId', request.versionId);
    if (request.contentDisposition) url.searchParams.set('disposition', request.contentDisposition);
    return url.toString();
  }
}
