/** Display helpers, pure: sizes, durations and times as people read them. */

import { scaleBytes } from '../shared/byte-scale';

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** 1536 → `1.5 KB` (powers of 1024, one decimal below 10). */
export const formatBytes = (bytes: number): string => {
  const { value, unit } = scaleBytes(bytes, BYTE_UNITS.length);
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
};

/** 850 → `850 ms`, 12_400 → `12.4 s`, 125_000 → `2 min 5 s`. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** An ISO instant in the reader's time zone; the text itself when it is not a date. */
export const formatDateTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
};

export const formatTime = (epochMs: number): string => timeOnly.format(new Date(epochMs));

/** The last segment of a key: `incoming/2026/report.pdf` → `report.pdf`. */
export const fileNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1) || key;

/** `YYYY-MM-DD` of a local date input → the ISO instant the local day starts or ends at. */
export const localDayBound = (day: string, bound: 'start' | 'end'): string | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const instant =
    bound === 'start'
      ? new Date(year, month, date, 0, 0, 0, 0)
      : new Date(year, month, date, 23, 59, 59, 999);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
};
