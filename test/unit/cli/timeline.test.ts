import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { renderTimeline } from '../../../cli/show-document';
import { buildTimeline, endedInFailState } from '../../../cli/timeline';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** One event of a history, `ms` after T0. */
type Row = readonly [type: string, previousEventId: number, ms: number, extra?: Partial<HistoryEvent>];

/** Builds a history the way Step Functions numbers and links it. */
const history = (rows: readonly Row[]): HistoryEvent[] =>
  rows.map(([type, previousEventId, ms, extra], index) => ({
    id: index + 1,
    previousEventId,
    timestamp: new Date(T0 + ms),
    type: type as HistoryEvent['type'],
    ...extra,
  }));

const entered = (name: string) => ({ stateEnteredEventDetails: { name } });
const exited = (name: string) => ({ stateExitedEventDetails: { name } });

/**
 * The five rows of a service Task that succeeds: entered after event `previousEventId` at `enteredMs`,
 * started 1 ms later, ended at `endedMs`.
 */
const succeededServiceTask = (
  name: string,
  previousEventId: number,
  enteredMs: number,
  endedMs: number,
): Row[] => [
  ['TaskStateEntered', previousEventId, enteredMs, entered(name)],
  ['TaskScheduled', previousEventId + 1, enteredMs],
  ['TaskStarted', previousEventId + 2, enteredMs + 1],
  ['TaskSucceeded', previousEventId + 3, endedMs],
  ['TaskStateExited', previousEventId + 4, endedMs, exited(name)],
];

/** The three rows of a Lambda Task entered after event `previousEventId` at `ms`, its function started 1 ms later. */
const startedLambdaTask = (name: string, previousEventId: number, ms: number): Row[] => [
  ['TaskStateEntered', previousEventId, ms, entered(name)],
  ['LambdaFunctionScheduled', previousEventId + 1, ms],
  ['LambdaFunctionStarted', previousEventId + 2, ms + 1],
];

/**
 * MarkProcessing; Inspect retried once; a Parallel whose Thumbnail times out (no retries left) while
 * the text branch succeeds; the Catch runs RecordFailure and SendToDlq; the Fail state ends it.
 */
const FAILED_RUN = history([
  ['ExecutionStarted', 0, 0], // 1
  ...succeededServiceTask('MarkProcessing', 1, 10, 40), // 2 to 6
  ...startedLambdaTask('Inspect', 6, 40), // 7 to 9
  [
    'LambdaFunctionFailed',
    9,
    90,
    { lambdaFunctionFailedEventDetails: { error: 'Lambda.ServiceException', cause: 'boom' } },
  ], // 10
  ['LambdaFunctionScheduled', 10, 1090], // 11
  ['LambdaFunctionStarted', 11, 1091], // 12
  ['LambdaFunctionSucceeded', 12, 1200], // 13
  ['TaskStateExited', 13, 1200, exited('Inspect')], // 14
  ['ParallelStateEntered', 14, 1200, entered('MakeDerivatives')], // 15
  ['ParallelStateStarted', 15, 1200], // 16
  ['TaskStateEntered', 16, 1201, entered('Thumbnail')], // 17
  ['ChoiceStateEntered', 16, 1201, entered('TextStrategy')], // 18
  ['ChoiceStateExited', 18, 1201, exited('TextStrategy')], // 19
  ['TaskStateEntered', 19, 1202, entered('ExtractTextLocal')], // 20
  ['LambdaFunctionScheduled', 17, 1202], // 21
  ['LambdaFunctionScheduled', 20, 1202], // 22
  ['LambdaFunctionStarted', 21, 1203], // 23
  ['LambdaFunctionStarted', 22, 1203], // 24
  [
    'LambdaFunctionTimedOut',
    23,
    31_203,
    { lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout', cause: 'Task timed out after 30 s' } },
  ], // 25
  ['LambdaFunctionSucceeded', 24, 1500], // 26
  ['TaskStateExited', 26, 1500, exited('ExtractTextLocal')], // 27
  ['ParallelStateFailed', 25, 31_203], // 28
  ['ParallelStateExited', 28, 31_204, exited('MakeDerivatives')], // 29
  ...succeededServiceTask('RecordFailure', 29, 31_204, 31_230), // 30 to 34
  ...succeededServiceTask('SendToDlq', 34, 31_230, 31_260), // 35 to 39
  ['FailStateEntered', 39, 31_260, entered('Failed')], // 40
  [
    'ExecutionFailed',
    40,
    31_260,
    { executionFailedEventDetails: { error: 'States.Timeout', cause: 'Task timed out after 30 s' } },
  ], // 41
]);

describe('buildTimeline', () => {
  it('gives each state its status, duration, retries and error, branches one level in', () => {
    // Act
    const timeline = buildTimeline(FAILED_RUN.toReversed());

    // Assess
    expect(timeline).toMatchObject({
      status: 'FAILED',
      startedAt: new Date(T0),
      stoppedAt: new Date(T0 + 31_260),
      error: 'States.Timeout',
      redriveCount: 0,
    });
    expect(
      timeline.steps.map((step) => [
        step.name,
        step.depth,
        step.status,
        step.durationMs,
        step.retries,
        step.error,
      ]),
    ).toEqual([
      ['MarkProcessing', 0, 'succeeded', 30, 0, undefined],
      ['Inspect', 0, 'succeeded', 1160, 1, undefined],
      ['MakeDerivatives', 0, 'caught', 30_004, 0, undefined],
      ['Thumbnail', 1, 'failed', 30_059, 0, 'States.Timeout'],
      ['TextStrategy', 1, 'succeeded', 0, 0, undefined],
      ['ExtractTextLocal', 1, 'succeeded', 298, 0, undefined],
      ['RecordFailure', 0, 'succeeded', 26, 0, undefined],
      ['SendToDlq', 0, 'succeeded', 30, 0, undefined],
      ['Failed', 0, 'failed', 0, 0, 'States.Timeout'],
    ]);
  });

  it('shows a caught Task error and marks states of a running execution as running', () => {
    // Prepare
    const events = history([
      ['ExecutionStarted', 0, 0],
      ...startedLambdaTask('Inspect', 1, 5),
      [
        'LambdaFunctionFailed',
        4,
        50,
        { lambdaFunctionFailedEventDetails: { error: 'CorruptDocumentError', cause: 'CORRUPT: bad xref' } },
      ],
      ['TaskStateExited', 5, 51, exited('Inspect')],
      ['TaskStateEntered', 6, 51, entered('RecordRejected')],
      ['TaskScheduled', 7, 51],
    ]);

    // Act
    const timeline = buildTimeline(events);

    // Assess
    expect(timeline.status).toBe('RUNNING');
    expect(timeline.steps).toMatchObject([
      {
        name: 'Inspect',
        status: 'caught',
        error: 'CorruptDocumentError',
        cause: 'CORRUPT: bad xref',
        retries: 0,
      },
      { name: 'RecordRejected', status: 'running', retries: 0 },
    ]);
    expect(timeline.steps[1]?.durationMs).toBeUndefined();
  });

  it('counts redrives and keeps both runs’ steps', () => {
    // Prepare
    const events = history([
      ['ExecutionStarted', 0, 0],
      ...startedLambdaTask('Inspect', 1, 1),
      ['LambdaFunctionFailed', 4, 9, { lambdaFunctionFailedEventDetails: { error: 'Boom', cause: 'x' } }],
      ['ExecutionFailed', 5, 9, { executionFailedEventDetails: { error: 'Boom', cause: 'x' } }],
      ['ExecutionRedriven', 6, 60_000, { executionRedrivenEventDetails: { redriveCount: 1 } }],
      ...startedLambdaTask('Inspect', 7, 60_001),
      ['LambdaFunctionSucceeded', 10, 60_020],
      ['TaskStateExited', 11, 60_020, exited('Inspect')],
      ['SucceedStateEntered', 12, 60_020, entered('Processed')],
      ['SucceedStateExited', 13, 60_020, exited('Processed')],
      ['ExecutionSucceeded', 14, 60_021],
    ]);

    // Act
    const timeline = buildTimeline(events);

    // Assess
    expect(timeline).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      stoppedAt: new Date(T0 + 60_021),
    });
    expect(timeline.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'Inspect:failed',
      'Inspect:succeeded',
      'Processed:succeeded',
    ]);
  });
});

describe('endedInFailState', () => {
  it('is true for an execution that failed in a Fail state, as every DLQ’d one does', () => {
    // Act & Assess
    expect(endedInFailState(FAILED_RUN.toReversed().slice(0, 3))).toBe(true);
  });

  it('is false for a Task failure outside any Catch, a timeout, or a success', () => {
    // Prepare
    const uncaught = history([
      ['ExecutionStarted', 0, 0],
      ['TaskStateEntered', 1, 1, entered('Inspect')],
      ['LambdaFunctionFailed', 2, 5, { lambdaFunctionFailedEventDetails: { error: 'Boom' } }],
      ['ExecutionFailed', 3, 5, { executionFailedEventDetails: { error: 'Boom' } }],
    ]);

    // Act & Assess
    expect(endedInFailState(uncaught.toReversed())).toBe(false);
    expect(endedInFailState(history([['ExecutionTimedOut', 0, 0]]))).toBe(false);
    expect(endedInFailState([])).toBe(false);
  });
});

describe('renderTimeline', () => {
  it('prints one row per step with start offsets, durations, retries and errors', () => {
    // Act
    const lines = renderTimeline(buildTimeline(FAILED_RUN));

    // Assess
    expect(lines[0]).toMatch(/^STEP\s+STATUS\s+START\s+DURATION\s+RETRIES\s+ERROR$/);
    expect(lines[2]).toMatch(/^Inspect\s+succeeded\s+\+40 ms\s+1\.2 s\s+1$/);
    expect(lines[4]).toMatch(
      /^ {2}Thumbnail\s+failed\s+\+1\.2 s\s+30\.1 s\s+States\.Timeout: Task timed out after 30 s$/,
    );
    expect(lines).toHaveLength(10);
  });
});
