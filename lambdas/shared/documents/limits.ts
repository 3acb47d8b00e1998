import { intEnv } from '../runtime/env';

/** The input limits every handler checks before doing work on a document. */
export interface Limits {
  /** Largest object, in bytes, that is read at all. */
  readonly maxDocumentBytes: number;
  /** Largest image, in pixels (width × height of one page), that is decoded. */
  readonly maxImagePixels: number;
  /** Most pages a document may have. */
  readonly maxPages: number;
  /** Time budget, in milliseconds, for parsing one document (pdf.js can hang on hostile files). */
  readonly parseTimeoutMs: number;
  /** V8 heap cap, in MiB, of the sandboxed process a document is parsed or decoded in. */
  readonly parseMemoryMb: number;
}

/** One configurable limit: its environment variable, default and meaning (the README lists these). */
export interface LimitSetting {
  readonly env: string;
  readonly default: number;
  readonly description: string;
}

/**
 * The limits with their environment variables and defaults. The pixel limit is far below sharp's own
 * default (268 MP): a 50k×50k PNG of a few hundred bytes would otherwise take gigabytes to decode.
 */
export const LIMIT_SETTINGS = {
  maxDocumentBytes: {
    env: 'MAX_DOCUMENT_BYTES',
    default: 50 * 1024 * 1024,
    description:
      'Largest upload, in bytes, that is processed (larger ones are rejected as TOO_LARGE unread).',
  },
  maxImagePixels: {
    env: 'MAX_IMAGE_PIXELS',
    default: 50_000_000,
    description: 'Largest image, in pixels (width × height), that is decoded; checked from the header.',
  },
  maxPages: {
    env: 'MAX_PAGES',
    default: 500,
    description: 'Most pages a PDF or multi-page TIFF may have.',
  },
  parseTimeoutMs: {
    env: 'PARSE_TIMEOUT_MS',
    default: 20_000,
    description: 'Time budget, in milliseconds, for parsing one document; over it the document is CORRUPT.',
  },
  parseMemoryMb: {
    env: 'PARSE_MEMORY_MB',
    default: 512,
    description:
      'JavaScript heap cap, in MiB, of the child process that parses or decodes one document (it may hold as much again outside its heap); over either the document is TOO_LARGE.',
  },
} as const satisfies Record<keyof Limits, LimitSetting>;

/** Reads the limits from the environment, falling back to the defaults. Call once, at module scope. */
export const readLimits = (): Limits => ({
  maxDocumentBytes: intEnv(LIMIT_SETTINGS.maxDocumentBytes.env, LIMIT_SETTINGS.maxDocumentBytes.default),
  maxImagePixels: intEnv(LIMIT_SETTINGS.maxImagePixels.env, LIMIT_SETTINGS.maxImagePixels.default),
  maxPages: intEnv(LIMIT_SETTINGS.maxPages.env, LIMIT_SETTINGS.maxPages.default),
  parseTimeoutMs: intEnv(LIMIT_SETTINGS.parseTimeoutMs.env, LIMIT_SETTINGS.parseTimeoutMs.default),
  parseMemoryMb: intEnv(LIMIT_SETTINGS.parseMemoryMb.env, LIMIT_SETTINGS.parseMemoryMb.default),
});

/** The default limits, for tests and for tools that run without the Lambda environment. */
export const DEFAULT_LIMITS: Limits = {
  maxDocumentBytes: LIMIT_SETTINGS.maxDocumentBytes.default,
  maxImagePixels: LIMIT_SETTINGS.maxImagePixels.default,
  maxPages: LIMIT_SETTINGS.maxPages.default,
  parseTimeoutMs: LIMIT_SETTINGS.parseTimeoutMs.default,
  parseMemoryMb: LIMIT_SETTINGS.parseMemoryMb.default,
};
