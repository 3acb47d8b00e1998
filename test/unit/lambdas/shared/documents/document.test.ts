import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  documentId,
  LIST_SHARDS,
  normalizeSequencer,
  shardOf,
} from '../../../../../lambdas/shared/documents/document';

const bucketName = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
const objectKey = fc.string({ unit: 'binary', minLength: 1, maxLength: 200 });
const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
/** S3 sequencers are hex strings of varying length (18 characters today). */
const sequencer = fc.string({ unit: hexDigit, minLength: 1, maxLength: 32 });

/** AWS's rule for comparing sequencers: right-pad the shorter with zeros, compare as numbers. */
const compareByAwsRule = (a: string, b: string): number => {
  const width = Math.max(a.length, b.length);
  const [x, y] = [BigInt(`0x${a.padEnd(width, '0')}`), BigInt(`0x${b.padEnd(width, '0')}`)];
  return x === y ? 0 : x < y ? -1 : 1;
};
const compareStrings = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);

describe('documentId', () => {
  it('is stable across releases (metadata items are keyed by it)', () => {
    // Act
    const id = documentId('docflow-uploads', 'incoming/report.pdf');

    // Assess
    expect(id).toBe('QJqCAtafxcd7fFJRwfHWa3');
  });

  it('is 22 URL-safe characters that need no escaping, for any bucket and key', () => {
    fc.assert(
      fc.property(bucketName, objectKey, (bucket, key) => {
        // Act
        const id = documentId(bucket, key);

        // Assess
        expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(encodeURIComponent(id)).toBe(id);
        expect(documentId(bucket, key)).toBe(id);
      }),
    );
  });

  it('differs when the bucket or the key differs', () => {
    fc.assert(
      fc.property(bucketName, bucketName, objectKey, objectKey, (bucketA, bucketB, keyA, keyB) => {
        fc.pre(bucketA !== bucketB || keyA !== keyB);
        expect(documentId(bucketA, keyA)).not.toBe(documentId(bucketB, keyB));
      }),
    );
  });

  it('does not let bucket and key run into each other', () => {
    // Assess
    expect(documentId('ab', 'c')).not.toBe(documentId('a', 'bc'));
  });
});

describe('shardOf', () => {
  it('is a stable shard number below LIST_SHARDS', () => {
    fc.assert(
      fc.property(bucketName, objectKey, (bucket, key) => {
        // Prepare
        const id = documentId(bucket, key);

        // Act
        const shard = shardOf(id);

        // Assess
        expect(Number(shard)).toBeGreaterThanOrEqual(0);
        expect(Number(shard)).toBeLessThan(LIST_SHARDS);
        expect(shard).toBe(String(Number(shard)));
        expect(shardOf(id)).toBe(shard);
      }),
    );
  });

  it('is pinned for a known id', () => {
    // Assess
    expect(shardOf('QJqCAtafxcd7fFJRwfHWa3')).toBe('7');
  });
});

describe('normalizeSequencer', () => {
  it('orders sequencers as plain strings exactly as AWS says to compare them', () => {
    fc.assert(
      fc.property(sequencer, sequencer, (a, b) => {
        // Act
        const order = compareStrings(normalizeSequencer(a), normalizeSequencer(b));

        // Assess
        expect(order).toBe(compareByAwsRule(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('sorts a shuffled series of events of one key back into event order', () => {
    // Prepare: later events of one key have larger sequencers, possibly longer ones.
    const inOrder = ['0055AED6DCD90281E5', '0055AED6DCD90281E6', '0055AED6DCD90281E61', '0055AED6DCD9028F'];
    const shuffled = [inOrder[2], inOrder[0], inOrder[3], inOrder[1]] as string[];

    // Act
    const sorted = shuffled.map(normalizeSequencer).sort();

    // Assess
    expect(sorted).toEqual(inOrder.map(normalizeSequencer));
  });

  it('is case-insensitive, fixed-width and idempotent', () => {
    fc.assert(
      fc.property(sequencer, (value) => {
        // Act
        const normalized = normalizeSequencer(value);

        // Assess
        expect(normalized).toHaveLength(32);
        expect(normalized).toMatch(/^[0-9A-F]+$/);
        expect(normalizeSequencer(value.toLowerCase())).toBe(normalized);
        expect(normalizeSequencer(normalized)).toBe(normalized);
      }),
    );
  });

  it('rejects a value that is not hexadecimal', () => {
    // Act & Assess
    expect(() => normalizeSequencer('0055AED6DCD9028G')).toThrow(/not hexadecimal/);
    expect(() => normalizeSequencer('')).toThrow(/not hexadecimal/);
  });
});
