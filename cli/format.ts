import stringWidth from 'string-width';
import { scaleBytes } from '../console/shared/byte-scale';

/**
 * Characters that must not reach a terminal from data: C0/C1 controls and DEL (an object key may hold
 * an escape sequence that rewrites the screen) and the bidirectional overrides and isolates, which
 * can make `invoice‮fdp.exe` read as something else ("Trojan Source", CVE-2021-42574).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Data made safe to print on one line: unsafe characters shown as `\u{…}` escapes. */
export const printable = (value: string): string =>
  value.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)?.toString(16).padStart(2, '0')}}`);

/** Like {@link printable}, but keeps line breaks and tabs (for a text preview). */
export const printableText = (value: string): string =>
  value
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => printable(line.replace(/\t/g, '  ')))
    .join('\n');

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const graphemes = (value: string): string[] => Array.from(segmenter.segment(value), (s) => s.segment);

/**
 * Columns a string takes in a terminal, by Unicode's East Asian Width table (wide characters and emoji
 * count two, combining marks none), as string-width reads it.
 */
export const displayWidth = (value: string): number => stringWidth(value);

const ELLIPSIS = '…';

const takeWidth = (parts: readonly string[], width: number): string[] => {
  const taken: string[] = [];
  let used = 0;
  for (const part of parts) {
    const next = stringWidth(part);
    if (used + next > width) break;
    taken.push(part);
    used += next;
  }
  return taken;
};

/**
 * Shortens a string to `width` columns with an ellipsis: at the end, or in the middle (which keeps a
 * key's folder and its file extension readable).
 */
export const truncate = (value: string, width: number, where: 'end' | 'middle' = 'end'): string => {
  if (displayWidth(value) <= width) return value;
  if (width <= 1) return ELLIPSIS.slice(0, width);
  const parts = graphemes(value);
  if (where === 'end') return `${takeWidth(parts, width - 1).join('')}${ELLIPSIS}`;
  const tailWidth = Math.floor((width - 1) / 2);
  const head = takeWidth(parts, width - 1 - tailWidth).join('');
  const tail = takeWidth(parts.toReversed(), tailWidth).toReversed().join('');
  return `${head}${ELLIPSIS}${tail}`;
};

/** Pads to `width` columns (by display width). */
export const pad = (value: string, width: number, align: 'left' | 'right' = 'left'): string => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(value)));
  return align === 'left' ? `${value}${fill}` : `${fill}${value}`;
};

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `532 B`, `1.5 KiB`, `12.0 MiB`. */
export const formatBytes = (bytes: number): string => {
  const { value, unit } = scaleBytes(bytes, BYTE_UNITS.length);
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
};

/** `850 ms`, `4.2 s`, `3 min 05 s`, `1 h 02 min`. */
export const formatDuration = (milliseconds: number): string => {
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};

/** An ISO instant to the second, in UTC: `2026-11-23T10:00:00Z`. */
export const formatInstant = (iso: string | undefined): string => {
  if (!iso) return '';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return printable(iso);
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/** A field that may be absent, for table cells: a dash stands for "none". */
export const orDash = (value: string | number | null | undefined): string =>
  value === undefined || value === null || value === '' ? '–' : String(value);

/**
 * The message of an error cause. A Lambda function's error reaches Step Functions (and the failure
 * recorded from it) as a JSON envelope, `{"errorType":…,"errorMessage":…,"trace":[…]}`; people want
 * the message, not the stack trace. Shared with the console.
 */
export { readableCause } from '../console/shared/error-cause';
