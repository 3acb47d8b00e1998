import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/**
 * `size` random bytes as text, taken from a pool refilled 8 KB at a time (as `randomUUID` caches its
 * entropy). `up` mints trace, segment and S3 request ids for every call of every document, and
 * `randomBytes` per id cost ~8 µs, ~0.4 s of its loop in a burst of 300; from the pool it is ~0.4 µs.
 * For ids only, never for secrets: task tokens keep `randomBytes`.
 */
export const randomText = (size: number, encoding: 'hex' | 'base64'): string => {
  if (size > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at a time`);
  if (used + size > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString(encoding, used, used + size);
  used += size;
  return text;
};
