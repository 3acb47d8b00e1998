import * as z from '../runtime/zod';

/** A string with at least one character: ids, keys, tags and names the pipeline reads back. */
export const nonEmpty = z.string().check(z.minLength(1));

/** A whole number, zero or more: sizes, pages, pixels. */
export const count = z.int().check(z.nonnegative());
