import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_MAX_LENGTH,
  parseFailedDocumentMessage,
  type RedriveReport,
  redriveFailedDocuments,
  restartName,
  splitExecutionArn,
} from '../../../cli/redrive-documents';
import { executionName } from '../../../lambdas/starter/execution-name';
import { FakeExecutions, FakeQueue } from '../../support/fake-docflow';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:DocumentPipeline';
const executionArn = (name: string): string => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
const NAME = 'report-pdf-0123456789abcdef0123456789abcdef';

const input = { document: { id: 'AbCdEfGhIjKlMnOpQrStUv', bucket: 'uploads', key: 'incoming/report.pdf' } };

/** A message as SendToDlq writes it. */
const dlqBody = (name = NAME, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    input,
    error: { Error: 'States.Timeout', Cause: 'Thumbnail timed out' },
    executionArn: executionArn(name),
    failedAt: '2026-11-23T10:00:31.260Z',
    ...extra,
  });

const endedInFail = (): HistoryEvent[] => [
  { id: 40, previousEventId: 39, type: 'FailStateEntered', timestamp: new Date() },
  { id: 41, previousEventId: 40, type: 'ExecutionFailed', timestamp: new Date() },
];
const timedOut = (): HistoryEvent[] => [
  { id: 20, previousEventId: 19, type: 'TaskStateEntered', timestamp: new Date() },
  { id: 21, previousEventId: 20, type: 'ExecutionTimedOut', timestamp: new Date() },
];

const run = async (queue: FakeQueue, executions: FakeExecutions, dryRun = false) => {
  const reports: RedriveReport[] = [];
  const returned = await redriveFailedDocuments({
    queue,
    executions,
    redriver: executions,
    dryRun,
    onReport: (report) => reports.push(report),
  });
  expect(returned).toEqual(reports);
  return reports;
};

describe('redriveFailedDocuments', () => {
  it('starts a DLQ’d execution again under <name>-r1 with its original input, then deletes the message', async () => {
    // Prepare
    const queue = new FakeQueue();
    const executions = new FakeExecutions();
    executions.histories.set(executionArn(NAME), endedInFail());
    const messageId = queue.add(dlqBody());

    // Act
    const reports = await run(queue, executions);

    // Assess
    expect(executions.redriven).toEqual([]);
    expect(executions.started).toEqual([
      { stateMachineArn: MACHINE, name: `${NAME}-r1`, input: JSON.stringify(input) },
    ]);
    expect(reports).toMatchObject([
      { messageId, key: 'incoming/report.pdf', action: { kind: 'restarted', name: `${NAME}-r1` } },
    ]);
    expect(queue.deleted).toEqual([messageId]);
    expect(queue.messages).toEqual([]);
  });

  it('takes the next free name when an earlier restart exists', async () => {
    // Prepare
    const queue = new FakeQueue();
    const executions = new FakeExecutions();
    executions.names.add(`${NAME}-r1`).add(`${NAME}-r2`);
    queue.add(dlqBody());

    // Act
    const [report] = await run(queue, executions);

    // Assess
    expect(report?.action).toMatchObject({ kind: 'restarted', name: `${NAME}-r3` });
  });

  it('redrives an execution that stopped in a real step, and restarts when AWS refuses the redrive', async () => {
    // Prepare
    const queue = new FakeQueue();
    const executions = new FakeExecutions();
    executions.histories.set(executionArn('a'), timedOut());
    executions.histories.set(executionArn('b'), timedOut());
    executions.redriveAnswers.set(executionArn('b'), 'not-redrivable');
    queue.add(dlqBody('a'));
    queue.add(dlqBody('b'));

    // Act
    const reports = await run(queue, executions);

    // Assess
    expect(reports.map((report) => report.action)).toEqual([
      { kind: 'redriven', executionArn: executionArn('a') },
      { kind: 'restarted', executionArn: executionArn('b-r1'), name: 'b-r1' },
    ]);
    expect(executions.redriven).toEqual([executionArn('a')]);
    expect(queue.messages).toEqual([]);
  });

  it('leaves unreadable messages and failed restarts in the queue, visible again, and reads each message once', async () => {
    // Prepare
    const queue = new FakeQueue();
    const executions = new FakeExecutions();
    executions.redriveAnswers.set(executionArn('gone'), new Error('ThrottlingException: Rate exceeded'));
    executions.histories.set(executionArn('gone'), timedOut());
    const garbage = queue.add('not json');
    const foreign = queue.add(JSON.stringify({ hello: 'world' }));
    const throttled = queue.add(dlqBody('gone'));
    for (let i = 0; i < 12; i += 1) queue.add(dlqBody(`doc-${i}`));

    // Act
    const reports = await run(queue, executions);

    // Assess
    expect(reports).toHaveLength(15);
    expect(reports.slice(0, 3).map((report) => [report.messageId, report.action.kind])).toEqual([
      [garbage, 'unreadable'],
      [foreign, 'unreadable'],
      [throttled, 'error'],
    ]);
    expect(reports[2]?.action).toMatchObject({ reason: 'Error: ThrottlingException: Rate exceeded' });
    expect(queue.messages.map((message) => message.messageId)).toEqual([garbage, foreign, throttled]);
    expect(queue.messages.every((message) => message.invisibleUntil === 0)).toBe(true);
    expect(executions.started).toHaveLength(12);
  });

  it('changes nothing in a dry run and gives every message back', async () => {
    // Prepare
    const queue = new FakeQueue();
    const executions = new FakeExecutions();
    queue.add(dlqBody('x'));
    queue.add(dlqBody('y'));

    // Act
    const reports = await run(queue, executions, true);

    // Assess
    expect(reports.map((report) => report.action.kind)).toEqual(['would-run-again', 'would-run-again']);
    expect(executions.started).toEqual([]);
    expect(executions.redriven).toEqual([]);
    expect(queue.deleted).toEqual([]);
    expect(queue.released.toSorted()).toEqual(['m-1', 'm-2']);
    expect(queue.messages.every((message) => message.invisibleUntil === 0)).toBe(true);
  });
});

describe('redriveFailedDocuments of chosen messages', () => {
  it('runs only the messages named, and leaves the others in the queue, visible and untouched', async () => {
    // Prepare
    const queue = new FakeQueue();
    const executions = new FakeExecutions();
    const ids = Array.from({ length: 13 }, (_, index) => queue.add(dlqBody(`doc-${index}`)));
    const chosen = ids[11] ?? '';

    // Act
    const reports = await redriveFailedDocuments({
      queue,
      executions,
      redriver: executions,
      dryRun: false,
      messageIds: new Set([chosen]),
    });

    // Assess
    expect(reports).toMatchObject([{ messageId: chosen, action: { kind: 'restarted', name: 'doc-11-r1' } }]);
    expect(executions.started.map((start) => start.name)).toEqual(['doc-11-r1']);
    expect(queue.deleted).toEqual([chosen]);
    expect(queue.messages.map((message) => message.messageId)).toEqual(ids.filter((id) => id !== chosen));
    expect(queue.messages.every((message) => message.invisibleUntil === 0)).toBe(true);
  });
});

describe('restartName', () => {
  it('appends -r<n>, counting on from an earlier restart', () => {
    // Act & Assess
    expect(restartName('memo-docx-abc', 1)).toBe('memo-docx-abc-r1');
    expect(restartName('memo-docx-abc-r3', 1)).toBe('memo-docx-abc-r4');
    expect(restartName('memo-docx-abc-r3', 2)).toBe('memo-docx-abc-r5');
  });

  it('stays within 80 characters and keeps the hash at the end of a long name', () => {
    // Prepare
    const long = executionName(
      'uploads',
      'incoming/quarterly-operations-report-final-version-2026-11.pdf',
      'v1',
    );
    const hash = long.slice(-32);

    // Act
    const names = [1, 9, 10, 123].map((attempt) => restartName(long, attempt));

    // Assess
    expect(long.length).toBeGreaterThan(EXECUTION_NAME_MAX_LENGTH - 3);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX_LENGTH);
      expect(name).toMatch(new RegExp(`^quarterly-.*${hash}-r\\d+$`));
    }
    expect(new Set(names).size).toBe(4);
  });
});

describe('message parsing', () => {
  it('reads SendToDlq’s message and splits the execution ARN', () => {
    // Act
    const parsed = parseFailedDocumentMessage(dlqBody());

    // Assess
    expect(parsed).toMatchObject({ message: { executionArn: executionArn(NAME), input } });
    expect(splitExecutionArn(executionArn(NAME))).toEqual({ stateMachineArn: MACHINE, name: NAME });
    expect(parseFailedDocumentMessage('{"executionArn":"nope"}')).toEqual({
      reason: 'the body is not a failed-document message (no executionArn)',
    });
  });
});
