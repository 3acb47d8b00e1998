import { createHash } from 'node:crypto';

/** Step Functions limit on execution names. */
export const EXECUTION_NAME_MAX_LENGTH = 80;

/**
 * Hex characters of SHA-256 kept in the name: 128 bits, so two object versions never share a name
 * within the 90 days Step Functions remembers it.
 */
const HASH_LENGTH = 32;

/** What is left for the readable part, after the hash and its `-` separator. */
const PREFIX_MAX_LENGTH = EXECUTION_NAME_MAX_LENGTH - HASH_LENGTH - 1;

/**
 * The execution name for one object version: the key's base name, sanitized and truncated so an
 * operator can recognise it in the console, followed by a hash of bucket, key and version that makes
 * it unique. The same version always gets the same name, which is what turns a redelivered
 * notification into `ExecutionAlreadyExists` instead of a second run.
 *
 * Only `[A-Za-z0-9_-]` is used: Step Functions allows more, but executions with X-Ray tracing or
 * CloudWatch logging need ASCII names, and these characters are safe in ARNs, URLs and log queries.
 */
export const executionName = (bucket: string, key: string, version: string): string => {
  const prefix = readablePrefix(key);
  const hash = versionHash(bucket, key, version);
  return prefix === '' ? hash : `${prefix}-${hash}`;
};

// JSON keeps the parts apart (a key may contain any separator) and escapes lone surrogates, which
// UTF-8 encoding would otherwise fold into one replacement character.
const versionHash = (bucket: string, key: string, version: string): string =>
  createHash('sha256')
    .update(JSON.stringify([bucket, key, version]))
    .digest('hex')
    .slice(0, HASH_LENGTH);

/**
 * The execution name of the `generation`-th reprocess of one object version: the upload run's name
 * (same readable part, same hash) with `-g<generation>` appended, the readable part shortened to make
 * room. One name per version and generation, so a repeated reprocess request of the same generation
 * is `ExecutionAlreadyExists`, and the console shows which upload a reprocess belongs to.
 */
export const reprocessExecutionName = (
  bucket: string,
  key: string,
  version: string,
  generation: number,
): string => {
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new RangeError(`a reprocess generation is a whole number from 1, not ${generation}`);
  }
  const suffix = `-g${generation}`;
  const prefix = readablePrefix(key)
    .slice(0, PREFIX_MAX_LENGTH - suffix.length)
    .replace(/-+$/, '');
  const hash = versionHash(bucket, key, version);
  return `${prefix === '' ? '' : `${prefix}-`}${hash}${suffix}`;
};

/** What deletion execution names start with, so an operator tells them apart in the console. */
export const DELETION_NAME_PREFIX = 'deleted-';

/**
 * The execution name for one removal of a key: `deleted-`, the readable base name, and a hash of
 * bucket, key and the removal's sequencer. A redelivered removal gets the same name; a later removal
 * of the same key (after a new upload) gets a new one.
 */
export const deletionExecutionName = (bucket: string, key: string, sequencer: string): string => {
  const hash = createHash('sha256')
    .update(JSON.stringify([bucket, key, 'ObjectRemoved', sequencer]))
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const prefix = readablePrefix(key)
    .slice(0, PREFIX_MAX_LENGTH - DELETION_NAME_PREFIX.length)
    .replace(/-+$/, '');
  return `${DELETION_NAME_PREFIX}${prefix === '' ? '' : `${prefix}-`}${hash}`;
};

const readablePrefix = (key: string): string =>
  key
    .slice(key.lastIndexOf('/') + 1)
    // Decompose and drop combining marks so `café.pdf` reads `cafe-pdf` rather than `caf-pdf`.
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .slice(0, PREFIX_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
