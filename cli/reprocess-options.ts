import { REJECTION_REASON_BY_ERROR, type RejectionReason } from '../lambdas/shared/documents/errors';
import type { OptionValues } from './args';
import { parseSince } from './command-options';
import { UsageError } from './errors';
import { REPROCESS_STATUSES, type ReprocessFilters, type ReprocessStatus } from './reprocess-documents';

/** Requests a second by default: well under the API stage's default rate (50/s), leaving room for others. */
const DEFAULT_RATE = 10;
const MAX_RATE = 50;

export interface ReprocessCommandOptions {
  readonly filters: ReprocessFilters;
  readonly ratePerSecond: number;
  readonly dryRun: boolean;
}

const text = (values: OptionValues, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

const REASONS = Object.values(REJECTION_REASON_BY_ERROR) as RejectionReason[];

/** `--rate 10` or `--rate 10/s`: whole requests a second, 1 to 50. */
const rateOption = (value: string | undefined): number => {
  if (value === undefined) return DEFAULT_RATE;
  const match = /^(\d{1,3})(?:\/s)?$/.exec(value.trim());
  const rate = Number(match?.[1]);
  if (!match || rate < 1 || rate > MAX_RATE) {
    throw new UsageError(
      `--rate must be requests a second from 1 to ${MAX_RATE} (10 or 10/s), not "${value}"`,
      'reprocess',
    );
  }
  return rate;
};

/**
 * reprocess flags. `--status` is required: running every document again costs what processing them
 * did, so it is never the default.
 */
export const reprocessOptions = (values: OptionValues, now: number): ReprocessCommandOptions => {
  const status = text(values, 'status')?.toUpperCase();
  if (status === undefined) {
    throw new UsageError(`say which documents: --status ${REPROCESS_STATUSES.join('|')}`, 'reprocess');
  }
  if (!(REPROCESS_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(
      `--status must be one of ${REPROCESS_STATUSES.join(', ')}, not "${text(values, 'status')}"`,
      'reprocess',
    );
  }
  const reason = text(values, 'reason')?.toUpperCase();
  if (reason !== undefined && !(REASONS as string[]).includes(reason)) {
    throw new UsageError(
      `--reason must be one of ${REASONS.join(', ')}, not "${text(values, 'reason')}"`,
      'reprocess',
    );
  }
  if (reason !== undefined && status !== 'REJECTED' && status !== 'ALL') {
    throw new UsageError(
      '--reason is a rejection reason: use it with --status REJECTED (or ALL)',
      'reprocess',
    );
  }
  const prefix = text(values, 'prefix');
  if (prefix !== undefined && prefix === '') throw new UsageError('--prefix must not be empty', 'reprocess');
  const since = text(values, 'since');
  return {
    filters: {
      status: status as ReprocessStatus,
      ...(reason === undefined ? {} : { reason: reason as RejectionReason }),
      ...(prefix === undefined ? {} : { prefix }),
      ...(since === undefined
        ? {}
        : { uploadedAfter: new Date(parseSince('reprocess', since, now)).toISOString() }),
    },
    ratePerSecond: rateOption(text(values, 'rate')),
    dryRun: values['dry-run'] === true,
  };
};
