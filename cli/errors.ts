/** Process exit codes of every command. */
export const EXIT = {
  ok: 0,
  /** A document failed, was rejected, timed out or did not match; or the command could not finish. */
  failed: 1,
  /** The command line was wrong: nothing was done. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong command line (unknown flag, bad value, missing file). Exit code 2; nothing was done. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /** @param command the command whose `--help` the message points at, if any */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/**
 * An expected operational failure (the local cloud is not running, a stack has no such output), shown
 * as its message alone, without a stack trace. Exit code 1.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT']);

/** The network error code of an error or of one of its causes (fetch wraps it in `cause`). */
export const networkErrorCode = (error: unknown): string | undefined => {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const inner = errors.map(networkErrorCode).find((found) => found !== undefined);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
};
