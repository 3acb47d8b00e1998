import { styleText } from 'node:util';
import {
  type Span,
  spanCallName,
  spanFlag,
  spanProblem,
  spansOf,
  type TraceFacts,
  type TraceTree,
  traceProblems,
} from '../console/shared/trace-tree';
import { displayWidth, formatDuration, pad, printable, truncate } from './format';

/** How a piece of a row is shown in colour (on a TTY only; without colour the words say it all). */
type Tone =
  | 'plain'
  | 'dim'
  | 'fault'
  | 'error'
  | 'throttle'
  | 'cold'
  | 'retry'
  | 'lambda'
  | 'machine'
  | 'call';

interface Piece {
  readonly text: string;
  readonly tone: Tone;
  /** Cut in the middle first when the row is too wide (a long function name), so the marks stay. */
  readonly shrink?: boolean;
}

/** The narrowest a name is cut to before the marks after it are cut instead. */
const MIN_SHRUNK_NAME = 16;

const STYLES: Readonly<Record<Tone, Parameters<typeof styleText>[0] | undefined>> = {
  plain: undefined,
  dim: 'dim',
  fault: ['red', 'bold'],
  error: 'yellow',
  throttle: 'magenta',
  cold: 'cyan',
  retry: 'yellow',
  lambda: 'cyan',
  machine: 'blue',
  call: 'green',
};

const paint = (piece: Piece, colors: boolean): string => {
  const style = STYLES[piece.tone];
  return colors && style && piece.text !== ''
    ? styleText(style, piece.text, { validateStream: false })
    : piece.text;
};

/**
 * Pieces cut to `width` columns, then padded to it: the name first (in the middle, keeping both ends of
 * `Docflow-dev-WorkflowInspectFunction…-K0LK6H`), then whatever still overflows at the end.
 */
const fitPieces = (pieces: readonly Piece[], width: number, colors: boolean): string => {
  const excess = widthOf(pieces) - width;
  const shrunk =
    excess <= 0
      ? pieces
      : pieces.map((piece) => {
          if (!piece.shrink) return piece;
          const target = Math.max(MIN_SHRUNK_NAME, displayWidth(piece.text) - excess);
          return { ...piece, text: truncate(piece.text, target, 'middle') };
        });
  const out: string[] = [];
  let used = 0;
  for (const piece of shrunk) {
    const room = width - used;
    if (room <= 0) break;
    const text = truncate(piece.text, room);
    out.push(paint({ text, tone: piece.tone }, colors));
    used += displayWidth(text);
  }
  return `${out.join('')}${' '.repeat(Math.max(0, width - used))}`;
};

const widthOf = (pieces: readonly Piece[]): number =>
  pieces.reduce((sum, piece) => sum + displayWidth(piece.text), 0);

const TAGS: Partial<Record<Span['kind'], string>> = {
  'state-machine': 'state machine',
  lambda: 'Lambda',
  function: 'function',
};

/** What the row says: the name (with what kind of thing it is), then the marks. */
export const describeSpan = (span: Span): Piece[] => {
  const { entity } = span;
  const name = printable(
    span.kind === 'aws-call' || span.kind === 'attempt' ? spanCallName(span) : entity.name,
  );
  const nameTone: Tone =
    span.kind === 'state-machine'
      ? 'machine'
      : span.kind === 'lambda' || span.kind === 'function'
        ? 'lambda'
        : span.kind === 'aws-call'
          ? 'call'
          : 'plain';
  const pieces: Piece[] = [{ text: name, tone: nameTone, shrink: true }];
  const tag = span.attempt ? `attempt ${span.attempt.number}/${span.attempt.of}` : TAGS[span.kind];
  if (tag) pieces.push({ text: ` · ${tag}`, tone: 'dim' });
  const marks: Piece[] = [];
  if (span.attempts) marks.push({ text: `${span.attempts} attempts`, tone: 'retry' });
  if (span.coldStart) marks.push({ text: 'cold start', tone: 'cold' });
  if (span.kind === 'handler') {
    const verdict = [entity.annotations.status, entity.annotations.reason]
      .filter((value) => value !== undefined)
      .map(String)
      .join(' ');
    if (verdict) marks.push({ text: printable(verdict), tone: 'plain' });
  }
  if (entity.sdkAttempts > 1) marks.push({ text: `${entity.sdkAttempts} SDK attempts`, tone: 'retry' });
  const flag = spanFlag(span);
  if (flag) {
    const problem = spanProblem(span);
    marks.push({
      text: `✗ ${flag}${problem ? ` ${printable(problem)}` : ''}`,
      tone: entity.fault ? 'fault' : entity.throttle ? 'throttle' : 'error',
    });
  }
  if (entity.inProgress) marks.push({ text: 'in progress', tone: 'dim' });
  for (const mark of marks) pieces.push({ text: '  ', tone: 'plain' }, mark);
  return pieces;
};

/** The tree's connectors for each row: `├─ `, `└─ ` under `│  ` or blanks. */
const connectors = (tree: Pick<TraceTree, 'roots'>): Map<Span, string> => {
  const prefixes = new Map<Span, string>();
  const visit = (span: Span, lead: string, last: boolean, root: boolean): void => {
    prefixes.set(span, root ? '' : `${lead}${last ? '└─ ' : '├─ '}`);
    const childLead = root ? '' : `${lead}${last ? '   ' : '│  '}`;
    span.children.forEach((child, index) => {
      visit(child, childLead, index === span.children.length - 1, false);
    });
  };
  for (const root of tree.roots) visit(root, '', true, true);
  return prefixes;
};

const barTone = (span: Span): Tone => {
  if (span.entity.fault) return 'fault';
  if (span.entity.throttle) return 'throttle';
  if (span.entity.error) return 'error';
  if (span.kind === 'state-machine' || span.kind === 'state' || span.kind === 'attempt') return 'machine';
  if (span.kind === 'lambda' || span.kind === 'function' || span.kind === 'function-phase') return 'lambda';
  if (span.kind === 'aws-call' || span.kind === 'remote-call') return 'call';
  return 'plain';
};

/** A bar from `from` to `to` (fractions of the axis) on `width` columns; at least one column long. */
export const barCells = (from: number, to: number, width: number): { start: number; length: number } => {
  const start = Math.min(width - 1, Math.max(0, Math.floor(from * width)));
  const end = Math.min(width, Math.max(start + 1, Math.ceil(to * width)));
  return { start, length: end - start };
};

/** The axis under the header: the start, the middle and the end of the trace, in time since its start. */
const axis = (durationMs: number, width: number): string => {
  const cells = Array.from({ length: width }, () => ' ');
  const place = (label: string, at: number): void => {
    const from = Math.max(0, Math.min(width - label.length, at));
    for (const [offset, character] of [...label].entries()) cells[from + offset] = character;
  };
  place('0', 0);
  if (width >= 24) {
    const middle = formatDuration(durationMs / 2);
    place(middle, Math.round(width / 2 - middle.length / 2));
  }
  const end = formatDuration(durationMs);
  place(end, width - end.length);
  return cells.join('');
};

export interface WaterfallOptions {
  /** Terminal columns; undefined (output piped) keeps every name whole and draws a 50-column axis. */
  readonly width?: number;
  readonly colors: boolean;
}

const PIPED_BAR_WIDTH = 50;
const MIN_BAR_WIDTH = 16;
const MIN_NAME_WIDTH = 24;
const GAP = '  ';

/**
 * The trace as a waterfall: one row per segment and subsegment, as a tree (children under their
 * parent, earliest first), with its start offset, its duration and a bar on one time axis for the
 * whole trace, fitted to the terminal's width. Names and messages come from data and are made printable.
 */
export const renderWaterfall = (tree: TraceTree, options: WaterfallOptions): string[] => {
  const rows = spansOf(tree);
  if (rows.length === 0) return [];
  const prefixes = connectors(tree);
  const { colors } = options;
  const labels = rows.map((span) => [
    { text: prefixes.get(span) ?? '', tone: 'dim' as const },
    ...describeSpan(span),
  ]);
  const total = Math.max(tree.end - tree.start, 0);
  const offsets = rows.map((span) => `+${formatDuration((span.entity.startTime - tree.start) * 1000)}`);
  const durations = rows.map((span) =>
    span.entity.endTime === undefined
      ? '…'
      : formatDuration((span.entity.endTime - span.entity.startTime) * 1000),
  );
  const headers = ['SEGMENT', 'START', 'DURATION'] as const;
  const offsetWidth = Math.max(headers[1].length, ...offsets.map((text) => text.length));
  const durationWidth = Math.max(headers[2].length, ...durations.map((text) => text.length));
  const fixed = offsetWidth + durationWidth + GAP.length * 3;
  const widest = Math.max(headers[0].length, ...labels.map(widthOf));
  let nameWidth = widest;
  let barWidth = PIPED_BAR_WIDTH;
  if (options.width !== undefined) {
    // Names get what they need up to three fifths of the room; the bars get the rest (at least 16).
    const room = options.width - fixed;
    const barShare = Math.max(MIN_BAR_WIDTH, Math.floor(room * 0.4));
    nameWidth = Math.min(widest, Math.max(MIN_NAME_WIDTH, room - barShare));
    barWidth = Math.max(MIN_BAR_WIDTH, room - nameWidth);
  }
  const header = [
    pad(headers[0], nameWidth),
    pad(headers[1], offsetWidth, 'right'),
    pad(headers[2], durationWidth, 'right'),
    axis((tree.end - tree.start) * 1000, barWidth),
  ].join(GAP);
  const lines = [colors ? paint({ text: header, tone: 'dim' }, true) : header];
  rows.forEach((span, row) => {
    const from = total === 0 ? 0 : (span.entity.startTime - tree.start) / total;
    const to = total === 0 ? 1 : ((span.entity.endTime ?? tree.end) - tree.start) / total;
    const { start, length } = barCells(from, to, barWidth);
    const fill = span.entity.inProgress ? '░' : '█';
    const bar = `${' '.repeat(start)}${paint({ text: fill.repeat(length), tone: barTone(span) }, colors)}`;
    lines.push(
      [
        fitPieces(labels[row] ?? [], nameWidth, colors),
        pad(offsets[row] ?? '', offsetWidth, 'right'),
        pad(durations[row] ?? '', durationWidth, 'right'),
        bar,
      ]
        .join(GAP)
        .trimEnd(),
    );
  });
  return lines;
};

const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

/** `3.2 s, 41 segments, 1 error, 0 faults, 1 retry` (throttles and cold starts when there are any). */
export const describeFacts = (facts: TraceFacts): string =>
  [
    `${formatDuration(facts.durationMs)}${facts.inProgress ? ' so far' : ''}`,
    plural(facts.segments, 'segment'),
    plural(facts.errors, 'error'),
    plural(facts.faults, 'fault'),
    ...(facts.throttles > 0 ? [plural(facts.throttles, 'throttle')] : []),
    plural(facts.retries, 'retry', 'retries'),
    ...(facts.coldStarts > 0 ? [plural(facts.coldStarts, 'cold start')] : []),
  ].join(', ');

/**
 * The errors, faults and throttles that carry a message, whole (the waterfall cuts them to its width),
 * made printable: see {@link traceProblems}.
 */
export const problemLines = (tree: Pick<TraceTree, 'roots'>): string[] => traceProblems(tree).map(printable);
