import * as z from '../shared/runtime/zod';
import type { ShardCursor } from './listing';

/**
 * The shards' states as a listing cursor carries them, kept short because the cursor travels in a URL:
 * per shard, null = done, {} = from its start, {u, d} = after (uploadedAt, documentId). The document
 * list and the costs summary page through the same shards, so they share this form.
 */
export const cursorShardsSchema = z.array(
  z.union([z.null(), z.strictObject({ u: z.string(), d: z.string() }), z.strictObject({})]),
);

export type CursorShards = z.output<typeof cursorShardsSchema>;

/** The shards' states of a page, as the next page's cursor carries them. */
export const toCursorShards = (shards: readonly ShardCursor[]): CursorShards =>
  shards.map((shard): CursorShards[number] => {
    if (shard === null) return null;
    return shard.after ? { u: shard.after.uploadedAt, d: shard.after.documentId } : {};
  });

/** A decoded cursor's shards, as the listing resumes from them. */
export const fromCursorShards = (shards: CursorShards): ShardCursor[] =>
  shards.map((shard) => {
    if (shard === null) return null;
    return 'u' in shard ? { after: { uploadedAt: shard.u, documentId: shard.d } } : {};
  });
