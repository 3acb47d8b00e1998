import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CursorCodec } from '../../../../lambdas/api/cursor';
import { InvalidCursorError } from '../../../../lambdas/api/problems';

const SECRET = 'test-cursor-secret-0123456789abcdef';
const schema = z.strictObject({ v: z.literal(1), s: z.array(z.string()) });
const payload = { v: 1 as const, s: ['2026-11-23T10:00:00.000Z', 'doc-1'] };

const decodeError = (codec: CursorCodec<typeof schema>, token: string): unknown => {
  try {
    codec.decode(token);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('CursorCodec', () => {
  it('round-trips a payload through a URL-safe token', () => {
    // Prepare
    const codec = new CursorCodec(SECRET, schema);

    // Act
    const token = codec.encode(payload);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(codec.decode(token)).toEqual(payload);
  });

  it('refuses a token signed with another secret (a foreign cursor)', () => {
    // Prepare
    const ours = new CursorCodec(SECRET, schema);
    const theirs = new CursorCodec('another-secret-of-a-different-api-0001', schema);

    // Act
    const error = decodeError(ours, theirs.encode(payload));

    // Assess
    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as InvalidCursorError).status).toBe(400);
  });

  it('refuses a payload re-encoded with other values but the old signature', () => {
    // Prepare
    const codec = new CursorCodec(SECRET, schema);
    const [, mac] = codec.encode(payload).split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, s: ['2099-01-01T00:00:00.000Z', 'doc-1'] })).toString(
      'base64url',
    );

    // Act
    const error = decodeError(codec, `${forged}.${mac}`);

    // Assess
    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as Error).message).toBe('the cursor was not issued by this API or has been altered');
  });

  it('refuses every truncation of a valid token', () => {
    // Prepare
    const codec = new CursorCodec(SECRET, schema);
    const token = codec.encode(payload);

    // Act
    const accepted = Array.from({ length: token.length }, (_, n) => token.slice(0, n)).filter(
      (prefix) => !(decodeError(codec, prefix) instanceof InvalidCursorError),
    );

    // Assess
    expect(accepted).toEqual([]);
  });

  it('refuses any single-character change of a valid token', () => {
    // Prepare
    const codec = new CursorCodec(SECRET, schema);
    const token = codec.encode(payload);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

    // Act & Assess
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), (index, replacement) => {
        fc.pre(token[index] !== replacement);
        const tampered = `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
        expect(decodeError(codec, tampered)).toBeInstanceOf(InvalidCursorError);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every other spelling of every character, the padding bits of the signature included', () => {
    // Prepare
    const codec = new CursorCodec(SECRET, schema);
    const token = codec.encode(payload);
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

    // Act
    const accepted = [...token].flatMap((original, index) =>
      [...base64url]
        .filter((replacement) => replacement !== original)
        .map((replacement) => `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`)
        .filter((tampered) => !(decodeError(codec, tampered) instanceof InvalidCursorError)),
    );

    // Assess
    expect(accepted).toEqual([]);
  });

  it('refuses junk, oversized tokens and correctly signed payloads of the wrong shape', () => {
    // Prepare
    const codec = new CursorCodec(SECRET, schema);
    const otherShape = new CursorCodec(SECRET, z.object({ anything: z.string() }));

    // Act
    const errors = [
      '',
      '.',
      'abc',
      'a.b.c',
      '%%%.%%%',
      'x'.repeat(5000),
      otherShape.encode({ anything: 'goes' }),
    ].map((token) => decodeError(codec, token));

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a short secret when built', () => {
    // Act
    const build = () => new CursorCodec('short', schema);

    // Assess
    expect(build).toThrow('cursor secret must be at least 32 characters');
  });
});
