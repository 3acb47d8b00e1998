import type { MetadataItem } from '../../lambdas/shared/documents/metadata-item';

/**
 * The order the list promises, written out independently of the code under test: newest upload first,
 * and among uploads of the same instant the larger document id first.
 */
export const newestFirst = (items: readonly MetadataItem[]): string[] =>
  [...items]
    .sort((a, b) =>
      a.uploadedAt !== b.uploadedAt
        ? a.uploadedAt < b.uploadedAt
          ? 1
          : -1
        : a.documentId < b.documentId
          ? 1
          : -1,
    )
    .map((item) => item.documentId);
