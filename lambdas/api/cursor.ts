import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as z from '../shared/runtime/zod';
import { InvalidCursorError } from './problems';

/** Shortest accepted signing secret: HMAC-SHA256 keys shorter than this are guessable. */
export const MIN_CURSOR_SECRET_LENGTH = 32;

/** Longer tokens are refused before any work (a listing cursor is well under 2 KB). */
const MAX_TOKEN_LENGTH = 4096;

/** Domain separation, so a MAC made for anything else with the same key can never pass as a cursor. */
const MAC_CONTEXT = 'docflow:cursor:v1\n';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Opaque, tamper-evident pagination cursors: `base64url(JSON payload) "." base64url(HMAC-SHA256)`.
 * The payload is not secret (it holds index positions of the caller's own results), only unforgeable;
 * a cursor that was altered, cut short or signed with another key is refused with a 400.
 */
export class CursorCodec<S extends z.ZodMiniType> {
  readonly #secret: Buffer;
  readonly #schema: S;

  constructor(secret: string, schema: S) {
    if (secret.length < MIN_CURSOR_SECRET_LENGTH)
      throw new Error(`cursor secret must be at least ${MIN_CURSOR_SECRET_LENGTH} characters`);
    this.#secret = Buffer.from(secret, 'utf8');
    this.#schema = schema;
  }

  encode(payload: z.input<S>): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  /** Verifies and parses a cursor; throws {@link InvalidCursorError} for anything but an intact one of ours. */
  decode(token: string): z.output<S> {
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidCursorError('the cursor is too long');
    const [body, mac, ...rest] = token.split('.');
    if (!body || !mac || rest.length > 0 || !BASE64URL.test(body) || !BASE64URL.test(mac))
      throw new InvalidCursorError('the cursor is malformed');
    // Compared as text, not as decoded bytes: a 32-byte MAC takes 43 base64url characters whose last
    // two bits are padding the decoder ignores, so four spellings of the last character decode alike.
    // Only the canonical spelling this codec issues is accepted.
    const given = Buffer.from(mac, 'ascii');
    const expected = Buffer.from(this.#mac(body).toString('base64url'), 'ascii');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new InvalidCursorError('the cursor was not issued by this API or has been altered');
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch (error) {
      // Only reachable with a valid MAC, i.e. a key shared with something that signs other payloads.
      throw new InvalidCursorError('the cursor is malformed', { cause: error });
    }
    const parsed = this.#schema.safeParse(json);
    if (!parsed.success) throw new InvalidCursorError('the cursor is not a listing cursor of this version');
    return parsed.data;
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#secret).update(MAC_CONTEXT).update(body).digest();
  }
}
