import type { DocumentList, DocumentSummary } from '../lambdas/api/schemas';
import type { ListOptions } from './command-options';
import { formatInstant, orDash } from './format';
import type { DocumentsApi } from './ports';
import { type Column, renderTable } from './table';

/** The API's largest page. */
const MAX_PAGE = 100;

/**
 * Lists like `GET /documents`, following `nextCursor`: up to `limit` documents, or all of them when
 * there is no limit. The result has the API's shape; `nextCursor` is set when a limit cut it short.
 */
export const listDocuments = async (
  documents: Pick<DocumentsApi, 'list'>,
  options: Omit<ListOptions, 'json'>,
): Promise<DocumentList> => {
  const { limit, ...filters } = options;
  const items: DocumentSummary[] = [];
  let cursor: string | undefined;
  for (;;) {
    const remaining = limit === undefined ? MAX_PAGE : limit - items.length;
    const page = await documents.list({
      ...filters,
      limit: Math.min(MAX_PAGE, remaining),
      ...(cursor ? { cursor } : {}),
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (!cursor) return { items, nextCursor: null };
    if (limit !== undefined && items.length >= limit)
      return { items: items.slice(0, limit), nextCursor: cursor };
  }
};

/** Why a document is not PROCESSED: the rejection reason code or the failure's error name. */
const reasonOf = (document: DocumentSummary): string => document.reason ?? document.failure?.error ?? '';

/** The `ls` table: id, status, type, pages, key, uploaded, reason. */
export const renderDocumentList = (items: readonly DocumentSummary[], width?: number): string[] => {
  const columns: Column[] = [
    { header: 'ID' },
    { header: 'STATUS' },
    { header: 'TYPE' },
    { header: 'PAGES', align: 'right' },
    { header: 'KEY', shrink: 'middle', minWidth: 16 },
    { header: 'UPLOADED' },
    { header: 'REASON', shrink: 'end' },
  ];
  return renderTable(
    columns,
    items.map((item) => [
      item.id,
      item.status,
      orDash(item.type),
      orDash(item.pages),
      item.key,
      formatInstant(item.uploadedAt),
      reasonOf(item),
    ]),
    width === undefined ? {} : { width },
  );
};
