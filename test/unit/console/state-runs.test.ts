import { describe, expect, it } from 'vitest';
import { executionRunsOf, transitionKey } from '../../../console/app/executions/state-runs';
import type { HistoryEvent } from '../../../console/shared/api';

/** A history as the console server passes it on: ids in order, each event threaded to the one before. */
const history = (
  ...events: [type: string, details?: Record<string, unknown>, previous?: number][]
): HistoryEvent[] =>
  events.map(([type, details, previous], index) => ({
    id: index + 1,
    ...(index === 0 ? {} : { previousEventId: previous ?? index }),
    type,
    timestamp: new Date(Date.UTC(2026, 11, 1, 10, 0, 0, index * 100)).toISOString(),
    ...(details ? { [`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`]: details } : {}),
  }));

const entered = (name: string, input = '{}') => ({ name, input });
const exited = (name: string, output = '{}') => ({ name, output });

describe('executionRunsOf', () => {
  it('tells a retried success, a caught failure, a failed Fail state and the path taken', () => {
    // Prepare
    const events = history(
      ['ExecutionStarted', { input: '{"document":{}}' }],
      ['TaskStateEntered', entered('Inspect', '{"n":1}')],
      [
        'LambdaFunctionScheduled',
        { resource: 'arn:aws:lambda:us-east-1:1:function:inspect', input: '{"n":1}' },
      ],
      ['LambdaFunctionStarted'],
      ['LambdaFunctionFailed', { error: 'Lambda.ServiceException', cause: 'boom' }],
      [
        'LambdaFunctionScheduled',
        { resource: 'arn:aws:lambda:us-east-1:1:function:inspect', input: '{"n":1}' },
      ],
      ['LambdaFunctionStarted'],
      ['LambdaFunctionSucceeded', { output: '{"type":"pdf"}' }],
      ['TaskStateExited', exited('Inspect', '{"type":"pdf"}')],
      ['TaskStateEntered', entered('Thumbnail')],
      ['LambdaFunctionScheduled', { resource: 'arn:thumbnail' }],
      ['LambdaFunctionStarted'],
      [
        'LambdaFunctionFailed',
        { error: 'States.TaskFailed', cause: '{"errorType":"NoSuchBucket","errorMessage":"gone"}' },
      ],
      ['TaskStateExited', exited('Thumbnail', '{"error":{}}')],
      ['TaskStateEntered', entered('RecordFailure')],
      ['TaskScheduled', { resource: 'updateItem', parameters: '{}' }],
      ['TaskStarted'],
      ['TaskSucceeded', { output: '{}' }],
      ['TaskStateExited', exited('RecordFailure')],
      ['FailStateEntered', entered('Failed')],
      ['ExecutionFailed', { error: 'NoSuchBucket', cause: 'gone' }],
    );

    // Act
    const runs = executionRunsOf(events.toReversed());

    // Assess
    const status = (name: string) => runs.lastVisit.get(name)?.status;
    expect([status('Inspect'), status('Thumbnail'), status('RecordFailure'), status('Failed')]).toEqual([
      'retried',
      'caught',
      'succeeded',
      'failed',
    ]);
    expect(
      runs.lastVisit.get('Inspect')?.attempts.map((attempt) => [attempt.number, attempt.outcome]),
    ).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(runs.lastVisit.get('Inspect')).toMatchObject({ input: '{"n":1}', output: '{"type":"pdf"}' });
    expect(runs.lastVisit.get('Thumbnail')).toMatchObject({ error: 'States.TaskFailed' });
    expect(runs.lastVisit.get('Failed')).toMatchObject({ error: 'NoSuchBucket', cause: 'gone' });
    expect(runs.lastVisit.has('Processed')).toBe(false);
    expect([...runs.taken].toSorted()).toEqual(
      [
        transitionKey('Start', 'Inspect'),
        transitionKey('Inspect', 'Thumbnail'),
        transitionKey('Thumbnail', 'RecordFailure'),
        transitionKey('RecordFailure', 'Failed'),
        transitionKey('Failed', 'End'),
      ].toSorted(),
    );
    expect(runs).toMatchObject({ ended: true, error: 'NoSuchBucket' });
  });

  it('ties a Parallel branch’s events to their state, and tells a running state from a caught Parallel', () => {
    // Prepare: two branches; the first fails its Task, which fails the Parallel, caught by its Catch.
    const events = history(
      ['ExecutionStarted', { input: '{}' }],
      ['ParallelStateEntered', entered('MakeDerivatives')],
      ['ParallelStateStarted'],
      ['TaskStateEntered', entered('Thumbnail'), 3],
      ['TaskStateEntered', entered('ExtractText'), 3],
      ['LambdaFunctionScheduled', { resource: 'arn:thumbnail' }, 4],
      ['LambdaFunctionScheduled', { resource: 'arn:text' }, 5],
      ['LambdaFunctionFailed', { error: 'Boom', cause: 'x' }, 6],
      ['ParallelStateFailed', {}, 8],
      ['ParallelStateExited', exited('MakeDerivatives'), 9],
      ['TaskStateEntered', entered('RecordFailure'), 10],
    );

    // Act
    const runs = executionRunsOf(events);

    // Assess
    const status = (name: string) => runs.lastVisit.get(name)?.status;
    expect(status('MakeDerivatives')).toBe('caught');
    expect(status('Thumbnail')).toBe('failed');
    expect(runs.lastVisit.get('ExtractText')?.attempts.map((attempt) => attempt.resource)).toEqual([
      'arn:text',
    ]);
    expect(status('ExtractText')).toBe('in-progress');
    expect(status('RecordFailure')).toBe('in-progress');
    expect(runs.taken.has(transitionKey('MakeDerivatives', 'RecordFailure'))).toBe(true);
    expect(runs.ended).toBe(false);
  });
});
