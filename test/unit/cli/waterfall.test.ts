import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../../cli/format';
import { barCells, describeFacts, problemLines, renderWaterfall } from '../../../cli/waterfall';
import { readTrace } from '../../../console/shared/trace-entities';
import { buildTraceTree } from '../../../console/shared/trace-tree';
import { asXRayTrace, fixtureTrace, STATE_MACHINE_NAME } from './fixture-trace';

const START = 1_795_000_000;
const tree = buildTraceTree(readTrace(asXRayTrace(fixtureTrace(START))));

const rowOf = (lines: readonly string[], pattern: RegExp): string => {
  const row = lines.find((line) => pattern.test(line));
  if (!row) throw new Error(`no row matches ${pattern}`);
  return row;
};

/** The bar of a row: its first and last column after the duration column. */
const barOf = (line: string, header: string): { from: number; to: number } => {
  const axisAt = header.indexOf('0', header.indexOf('DURATION'));
  const bar = [...line].slice(axisAt).join('');
  return { from: bar.indexOf('█'), to: bar.lastIndexOf('█') };
};

describe('renderWaterfall', () => {
  it('draws the fixture trace as a tree with start, duration and a bar on one time axis, within the width', () => {
    // Act
    const lines = renderWaterfall(tree, { width: 100, colors: false });

    // Assess
    const [header = ''] = lines;
    expect(header).toMatch(/^SEGMENT\s+START\s+DURATION\s+0\s+1\.6 s\s+3\.2 s$/);
    expect(lines).toHaveLength(51);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(100);
    expect(lines[1]).toMatch(new RegExp(`^${STATE_MACHINE_NAME} · state machine\\s+\\+0 ms\\s+3\\.2 s  █+$`));
    const axisWidth = displayWidth(header) - header.indexOf('0', header.indexOf('DURATION'));
    expect(barOf(lines[1] ?? '', header)).toEqual({ from: 0, to: axisWidth - 1 });
    expect(lines.slice(2, 6).map((line) => line.slice(0, line.search(/\s+\+\d/)))).toEqual([
      '├─ RouteEvent',
      '├─ MarkProcessing',
      '│  └─ DynamoDB UpdateItem',
      '├─ Inspect  2 attempts',
    ]);
    const processed = rowOf(lines, /^└─ Processed/);
    expect(barOf(processed, header).to).toBe(axisWidth - 1);
    expect(barOf(processed, header).from).toBeGreaterThan(axisWidth * 0.9);
  });

  it('shows retries as numbered attempts, and marks cold starts, faults and errors', () => {
    // Act
    const lines = renderWaterfall(tree, { width: 200, colors: false });

    // Assess
    expect(rowOf(lines, /^├─ Inspect/)).toMatch(/^├─ Inspect {2}2 attempts\s/);
    expect(rowOf(lines, /attempt 1\/2/)).toMatch(
      /^│ {2}├─ Lambda Invoke · attempt 1\/2 {2}✗ fault Lambda\.Unknown/,
    );
    expect(rowOf(lines, /attempt 2\/2/)).not.toMatch(/✗/);
    const coldRows = lines.filter((line) => line.includes('cold start'));
    expect(coldRows.map((line) => line.slice(0, line.indexOf('  cold start')))).toEqual([
      '│  │     └─ docflow-inspect · function',
      '│  │        └─ docflow-thumbnail · function',
      '│           └─ docflow-extract-text · function',
    ]);
    expect(rowOf(lines, /DynamoDB PutItem/)).toMatch(
      /DynamoDB PutItem {2}✗ error ConditionalCheckFailedException: The conditional request failed\s/,
    );
    expect(rowOf(lines, /S3 GetObject {2}3/)).toMatch(
      /S3 GetObject {2}3 SDK attempts {2}✗ fault InternalError: We encountered an internal error/,
    );
    expect(lines.filter((line) => line.includes('SDK attempts'))).toHaveLength(1);
    expect(rowOf(lines, /## index\.handler {2}PROCESSED/)).toBeDefined();
  });

  it('cuts a long name in the middle before it cuts the marks after it', () => {
    // Prepare
    const name = 'Docflow-dev-WorkflowInspectFunctionC5A9D094-K0LK6HXI89EQ';
    const long = buildTraceTree(
      readTrace({
        Id: 't',
        Segments: [
          {
            Document: JSON.stringify({
              id: 'd000000000000001',
              name,
              origin: 'AWS::Lambda::Function',
              start_time: START,
              end_time: START + 1,
              fault: true,
              subsegments: [
                { id: 'd000000000000002', name: 'Initialization', start_time: START, end_time: START + 0.5 },
              ],
            }),
          },
        ],
      }),
    );

    // Act
    const lines = renderWaterfall(long, { width: 100, colors: false });

    // Assess
    expect(lines[1]).toMatch(/^Docflow-\S*…\S*89EQ · function {2}cold start {2}✗ fault +\+0 ms/);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(100);
  });

  it('keeps names whole when piped, and colours only when asked', () => {
    // Act
    const piped = renderWaterfall(tree, { colors: false });
    const coloured = renderWaterfall(tree, { width: 100, colors: true });

    // Assess
    expect(rowOf(piped, /attempt 1\/2/)).toContain(
      '✗ fault Lambda.Unknown: We encountered an internal error.',
    );
    expect(piped.join('\n')).not.toContain('\u001b');
    expect(coloured.join('\n')).toContain('\u001b[');
    // Colour codes do not count towards the width.
    const visible = coloured.map((line) => stripVTControlCharacters(line));
    expect(visible).toEqual(renderWaterfall(tree, { width: 100, colors: false }));
  });

  it('prints names and messages from data with control characters and bidi overrides escaped', () => {
    // Prepare
    const hostile = buildTraceTree(
      readTrace({
        Id: 't',
        Segments: [
          {
            Document: JSON.stringify({
              id: 'c000000000000001',
              name: 'evil\u001b[2J\u202efdp.exe',
              start_time: START,
              end_time: START + 1,
              error: true,
              cause: { exceptions: [{ type: 'Bad\u0007Error', message: 'line\nbreak' }] },
            }),
          },
        ],
      }),
    );

    // Act
    const lines = renderWaterfall(hostile, { colors: false });

    // Assess
    expect(lines[1]).toContain('evil\\u{1b}[2J\\u{202e}fdp.exe');
    expect(lines[1]).toContain('✗ error Bad\\u{07}Error: line\\u{0a}break');
    expect(problemLines(hostile)).toEqual([
      'evil\\u{1b}[2J\\u{202e}fdp.exe: error Bad\\u{07}Error: line\\u{0a}break',
    ]);
  });
});

describe('barCells', () => {
  it('places a bar by the fractions of the axis and keeps even an instant one column long', () => {
    expect(barCells(0, 1, 40)).toEqual({ start: 0, length: 40 });
    expect(barCells(0.5, 0.5, 40)).toEqual({ start: 20, length: 1 });
    expect(barCells(1, 1, 40)).toEqual({ start: 39, length: 1 });
    expect(barCells(0.25, 0.5, 40)).toEqual({ start: 10, length: 10 });
  });
});

describe('describeFacts and problemLines', () => {
  it('sums the trace up in one line and lists its errors whole, with the state they happened in', () => {
    expect(describeFacts(tree.facts)).toBe('3.2 s, 50 segments, 1 error, 4 faults, 1 retry, 3 cold starts');
    expect(problemLines(tree)).toEqual([
      'Inspect › Lambda Invoke (attempt 1/2): fault Lambda.Unknown: We encountered an internal error.',
      'Inspect › ## index.handler (attempt 1/2): fault InternalError: We encountered an internal error.',
      'Inspect › S3 GetObject (attempt 1/2): fault InternalError: We encountered an internal error. Please try again.',
      'IndexMetadata › DynamoDB PutItem: error ConditionalCheckFailedException: The conditional request failed',
    ]);
  });

  it('lists one failure once, where it is deepest, with the message of a Lambda error envelope', () => {
    // Prepare
    const envelope = JSON.stringify({
      errorType: 'CorruptDocumentError',
      errorMessage: 'CORRUPT: not a valid PDF',
      trace: ['CorruptDocumentError: CORRUPT: not a valid PDF', '    at inspect (handler.ts:1:1)'],
    });
    const failure = (message: string) => ({
      fault: true,
      cause: { exceptions: [{ type: 'CorruptDocumentError', message }] },
    });
    const at = (offset: number) => ({ start_time: START + offset, end_time: START + 1 });
    const raw = readTrace({
      Id: 't',
      Segments: [
        {
          id: 'f000000000000001',
          name: 'm',
          origin: 'AWS::StepFunctions::StateMachine',
          ...at(0),
          subsegments: [
            {
              id: 'f000000000000002',
              name: 'Inspect',
              ...at(0),
              ...failure(envelope),
              subsegments: [
                { id: 'f000000000000003', name: 'Lambda', namespace: 'aws', ...at(0), ...failure(envelope) },
              ],
            },
          ],
        },
        {
          id: 'f000000000000004',
          name: 'inspect',
          origin: 'AWS::Lambda::Function',
          parent_id: 'f000000000000003',
          ...at(0.1),
          ...failure('CORRUPT: not a valid PDF'),
          subsegments: [
            {
              id: 'f000000000000005',
              name: '## handler.handler',
              ...at(0.2),
              ...failure('CORRUPT: not a valid PDF'),
            },
          ],
        },
      ].map((document) => ({ Document: JSON.stringify(document) })),
    });

    // Act
    const lines = problemLines(buildTraceTree(raw));

    // Assess
    expect(lines).toEqual([
      'Inspect › ## handler.handler: fault CorruptDocumentError: CORRUPT: not a valid PDF',
    ]);
  });
});
