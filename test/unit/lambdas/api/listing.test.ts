import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialShards, listPage, type ShardCursor } from '../../../../lambdas/api/listing';
import type { ListFilters } from '../../../../lambdas/api/ports';
import { DOCUMENT_STATUSES, LIST_SHARDS } from '../../../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import { aMetadataItem } from '../../../fixtures/metadata-items';
import { InMemoryDocumentCatalog } from '../../../support/in-memory-document-catalog';

/** Few distinct times, so that many items share an `uploadedAt` across and within shards. */
const TIMES = Array.from({ length: 8 }, (_, i) => `2026-11-2${i}T10:00:00.000Z`);
const TYPES = ['pdf', 'jpeg', 'docx'] as const;

const itemsArbitrary = fc
  .array(
    fc.record({
      time: fc.nat({ max: TIMES.length - 1 }),
      status: fc.constantFrom(...DOCUMENT_STATUSES),
      type: fc.constantFrom(...TYPES),
    }),
    { maxLength: 70 },
  )
  .map((specs) =>
    specs.map((spec, index) =>
      aMetadataItem(
        { key: `incoming/doc-${index}.bin`, status: spec.status, uploadedAt: TIMES[spec.time] },
        { type: spec.type },
      ),
    ),
  );

const filtersArbitrary = fc
  .record({
    status: fc.option(fc.constantFrom(...DOCUMENT_STATUSES), { nil: undefined }),
    type: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
    from: fc.option(fc.nat({ max: TIMES.length - 1 }), { nil: undefined }),
    to: fc.option(fc.nat({ max: TIMES.length - 1 }), { nil: undefined }),
  })
  .map(({ status, type, from, to }): ListFilters => {
    const [low, high] = from !== undefined && to !== undefined && from > to ? [to, from] : [from, to];
    return {
      ...(status ? { status } : {}),
      ...(type ? { type } : {}),
      ...(low !== undefined ? { uploadedAfter: TIMES[low] } : {}),
      ...(high !== undefined ? { uploadedBefore: TIMES[high] } : {}),
    };
  });

/** Page cuts the fake applies in turn (the 1 MB limit), or none. */
const cutsArbitrary = fc.option(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 }), {
  nil: undefined,
});

/** A listing to page through: the stored items, the filters, the page size and the fake's page cuts. */
const listingArbitrary = fc.record({
  items: itemsArbitrary,
  filters: filtersArbitrary,
  limit: fc.integer({ min: 1, max: 12 }),
  cuts: cutsArbitrary,
});

const expectedOrder = (items: readonly MetadataItem[], filters: ListFilters): string[] =>
  items
    .filter((item) => !filters.status || item.status === filters.status)
    .filter((item) => !filters.type || item.type === filters.type)
    .filter((item) => !filters.uploadedAfter || item.uploadedAt >= filters.uploadedAfter)
    .filter((item) => !filters.uploadedBefore || item.uploadedAt <= filters.uploadedBefore)
    .sort((a, b) =>
      a.uploadedAt !== b.uploadedAt
        ? b.uploadedAt.localeCompare(a.uploadedAt)
        : b.documentId < a.documentId
          ? -1
          : 1,
    )
    .map((item) => item.documentId);

const catalogOf = (items: readonly MetadataItem[], cuts: readonly number[] | undefined) =>
  new InMemoryDocumentCatalog(cuts ? (n) => cuts[n % cuts.length] ?? 1 : undefined).put(...items);

const pageThrough = async (
  catalog: InMemoryDocumentCatalog,
  filters: ListFilters,
  limit: number,
  maxQueries: number,
): Promise<string[][]> => {
  const pages: string[][] = [];
  let shards: readonly ShardCursor[] = initialShards(LIST_SHARDS);
  for (let request = 0; request < 10_000; request += 1) {
    const page = await listPage(catalog, { filters, limit, shards, maxQueries });
    pages.push(page.items.map((item) => item.documentId));
    if (!page.shards) return pages;
    shards = page.shards;
  }
  throw new Error('paging did not end');
};

describe('listPage', () => {
  it('pages through every matching item exactly once, newest first, in pages of exactly `limit`', async () => {
    await fc.assert(
      fc.asyncProperty(listingArbitrary, async ({ items, filters, limit, cuts }) => {
        // Prepare
        const catalog = catalogOf(items, cuts);
        const expected = expectedOrder(items, filters);

        // Act
        const pages = await pageThrough(catalog, filters, limit, Number.POSITIVE_INFINITY);

        // Assess
        expect(pages.flat()).toEqual(expected);
        expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / limit)));
        for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
      }),
      { numRuns: 300 },
    );
  });

  it('still returns every item exactly once, in order, when a small query budget cuts pages short', async () => {
    await fc.assert(
      fc.asyncProperty(
        listingArbitrary,
        fc.integer({ min: 1, max: 12 }),
        async ({ items, filters, limit, cuts }, maxQueries) => {
          // Prepare
          const catalog = catalogOf(items, cuts);

          // Act
          const pages = await pageThrough(catalog, filters, limit, maxQueries);

          // Assess
          expect(pages.flat()).toEqual(expectedOrder(items, filters));
          for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('queries every shard of the status index, with the filters, newest first', async () => {
    // Prepare
    const catalog = catalogOf(
      TIMES.map((uploadedAt, i) =>
        aMetadataItem({ key: `k${i}`, uploadedAt, status: 'FAILED' }, { type: 'pdf' }),
      ),
      undefined,
    );
    const filters: ListFilters = { status: 'FAILED', type: 'pdf', uploadedAfter: TIMES[1] };

    // Act
    const page = await listPage(catalog, { filters, limit: 3, shards: initialShards(LIST_SHARDS) });

    // Assess
    expect(page.items.map((item) => item.uploadedAt)).toEqual([TIMES[7], TIMES[6], TIMES[5]]);
    expect(new Set(catalog.queries.map((query) => query.shard))).toEqual(
      new Set(Array.from({ length: LIST_SHARDS }, (_, shard) => shard)),
    );
    for (const query of catalog.queries) expect(query).toMatchObject(filters);
    expect(page.shards).toHaveLength(LIST_SHARDS);
  });

  it('returns no cursor when the last page ends exactly at the last item', async () => {
    // Prepare
    const catalog = catalogOf(
      TIMES.slice(0, 4).map((uploadedAt, i) => aMetadataItem({ key: `k${i}`, uploadedAt })),
      undefined,
    );

    // Act
    const page = await listPage(catalog, { filters: {}, limit: 4, shards: initialShards(LIST_SHARDS) });

    // Assess
    expect(page.items).toHaveLength(4);
    expect(page.shards).toBeUndefined();
  });

  it('reads about its share of each shard, not a whole page from each', async () => {
    // Prepare
    const count = 800;
    const limit = 100;
    const catalog = catalogOf(
      Array.from({ length: count }, (_, i) =>
        aMetadataItem({
          key: `incoming/${i}.txt`,
          uploadedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
        }),
      ),
      undefined,
    );

    // Act
    const pages = await pageThrough(catalog, {}, limit, Number.POSITIVE_INFINITY);

    // Assess
    expect(pages.flat()).toHaveLength(count);
    const evaluated = catalog.queries.reduce((sum, query) => sum + query.limit, 0);
    expect(evaluated).toBeLessThanOrEqual(2 * count);
    expect(catalog.queries.length).toBeLessThanOrEqual(2 * LIST_SHARDS * pages.length);
  });

  it('skips shards the cursor marks as done', async () => {
    // Prepare
    const catalog = catalogOf([aMetadataItem({ key: 'only' })], undefined);
    const shards = initialShards(LIST_SHARDS).map((shard, index) => (index === 0 ? shard : null));

    // Act
    await listPage(catalog, { filters: {}, limit: 5, shards });

    // Assess
    expect(catalog.queries.map((query) => query.shard)).toEqual([0]);
  });
});
