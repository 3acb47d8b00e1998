import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  definitionHash,
  type ExecutionRecord,
  ExecutionStore,
} from '../../../../local/stepfunctions/execution-store';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';
const DEFINITION = '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const insert = (store: ExecutionStore, name: string, startDate: number): ExecutionRecord =>
  store.insertExecution(
    {
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:m:${name}`,
      stateMachineArn: MACHINE,
      stateMachineName: 'm',
      name,
      definitionHash: definitionHash(DEFINITION),
      roleArn: 'arn:aws:iam::000000000000:role/r',
      status: 'RUNNING',
      input: '{}',
      startDate,
      redriveCount: 0,
    },
    DEFINITION,
  );

describe('ExecutionStore', () => {
  it('lists newest first, breaking same-millisecond ties by insertion, with a filter and a cursor', () => {
    // Prepare
    const store = new ExecutionStore();
    const a = insert(store, 'a', 1000);
    insert(store, 'b', 2000);
    const c = insert(store, 'c', 2000);
    store.append(c, [], { status: 'FAILED', stopDate: 3000, error: 'E' });

    // Act
    const first = store.listExecutions(MACHINE, { limit: 2 });
    const last = first.at(-1);
    const rest = store.listExecutions(MACHINE, {
      limit: 2,
      ...(last ? { after: { startDate: last.startDate, seq: last.seq } } : {}),
    });
    const failed = store.listExecutions(MACHINE, { status: 'FAILED', limit: 10 });

    // Assess
    expect(first.map((execution) => execution.name)).toEqual(['c', 'b']);
    expect(rest.map((execution) => execution.name)).toEqual(['a']);
    expect(failed).toEqual([
      expect.objectContaining({ name: 'c', status: 'FAILED', error: 'E', stopDate: 3000 }),
    ]);
    expect(store.runningExecutions().map((execution) => execution.name)).toEqual(['a', 'b']);
    expect(a.lastEventId).toBe(0);
    store.close();
  });

  it('keeps executions, histories and definitions across a reopen of its folder', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'docflow-store-'));
    dirs.push(dir);
    const first = new ExecutionStore(dir);
    const execution = insert(first, 'kept', 1000);
    first.append(execution, [
      { id: 1, previousEventId: 0, timestamp: 1000, type: 'ExecutionStarted' },
      { id: 2, previousEventId: 1, timestamp: 1001, type: 'PassStateEntered' },
    ]);
    first.append(execution, [{ id: 3, previousEventId: 2, timestamp: 1002, type: 'ExecutionSucceeded' }], {
      status: 'SUCCEEDED',
      stopDate: 1002,
      output: '{"done":true}',
    });
    first.close();

    // Act
    const second = new ExecutionStore(dir);
    const reopened = second.getExecution(execution.executionArn);
    const backwards = reopened && second.events(reopened, { reverse: true, limit: 2 });

    // Assess
    expect(reopened).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}', lastEventId: 3 });
    expect(backwards?.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'PassStateEntered']);
    expect(second.definition(definitionHash(DEFINITION))).toBe(DEFINITION);
    second.close();
  });

  it('commits a new execution and an outcome at once, and a running history at the end of the turn', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'docflow-store-'));
    dirs.push(dir);
    const store = new ExecutionStore(dir);
    const observer = new DatabaseSync(join(dir, 'stepfunctions.sqlite'));
    const committed = () => ({
      events: Number((observer.prepare('SELECT count(*) AS n FROM history_events').get() as { n: number }).n),
      status: (observer.prepare('SELECT status FROM executions').get() as { status: string } | undefined)
        ?.status,
    });

    // Act
    const execution = insert(store, 'turns', 1000);
    const afterStart = committed();
    store.append(execution, [{ id: 1, previousEventId: 0, timestamp: 1000, type: 'ExecutionStarted' }]);
    const afterRunningEvent = committed();
    await new Promise((resolve) => setImmediate(resolve));
    const afterTheTurn = committed();
    store.append(execution, [{ id: 2, previousEventId: 1, timestamp: 1001, type: 'PassStateEntered' }]);
    store.append(execution, [{ id: 3, previousEventId: 2, timestamp: 1002, type: 'ExecutionSucceeded' }], {
      status: 'SUCCEEDED',
      stopDate: 1002,
    });
    const afterOutcome = committed();

    // Assess
    expect(afterStart).toEqual({ events: 0, status: 'RUNNING' });
    expect(afterRunningEvent).toEqual({ events: 0, status: 'RUNNING' });
    expect(store.events(execution, { reverse: false, limit: 10 })).toHaveLength(3);
    expect(afterTheTurn).toEqual({ events: 1, status: 'RUNNING' });
    expect(afterOutcome).toEqual({ events: 3, status: 'SUCCEEDED' });
    observer.close();
    store.close();
  });

  it('adds the trace id column to a store written before tracing, keeping its executions', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'docflow-store-'));
    dirs.push(dir);
    const old = new DatabaseSync(join(dir, 'stepfunctions.sqlite'));
    old.exec(`
      CREATE TABLE definitions (hash TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, state_machine_arn TEXT NOT NULL,
        state_machine_name TEXT NOT NULL, name TEXT NOT NULL, definition_hash TEXT NOT NULL REFERENCES definitions (hash),
        role_arn TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT,
        trace_header TEXT, start_date INTEGER NOT NULL, stop_date INTEGER, redrive_count INTEGER NOT NULL DEFAULT 0,
        redrive_date INTEGER, last_event_id INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO definitions VALUES ('${definitionHash(DEFINITION)}', '${DEFINITION}');
      INSERT INTO executions (arn, state_machine_arn, state_machine_name, name, definition_hash, role_arn, status,
        input, start_date) VALUES ('arn:aws:states:us-east-1:000000000000:execution:m:old', '${MACHINE}', 'm', 'old',
        '${definitionHash(DEFINITION)}', 'arn:aws:iam::000000000000:role/r', 'SUCCEEDED', '{}', 1000);
      PRAGMA user_version = 1;
    `);
    old.close();

    // Act
    const store = new ExecutionStore(dir);
    const kept = store.getExecution('arn:aws:states:us-east-1:000000000000:execution:m:old');
    const traced = store.insertExecution(
      {
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:new',
        stateMachineArn: MACHINE,
        stateMachineName: 'm',
        name: 'new',
        definitionHash: definitionHash(DEFINITION),
        roleArn: 'arn:aws:iam::000000000000:role/r',
        status: 'RUNNING',
        input: '{}',
        traceId: '1-5759e988-bd862e3fe1be46a994272793',
        startDate: 2000,
        redriveCount: 0,
      },
      DEFINITION,
    );

    // Assess
    expect(kept).toMatchObject({ name: 'old', status: 'SUCCEEDED' });
    expect(kept?.traceId).toBeUndefined();
    expect(store.getExecution(traced.executionArn)?.traceId).toBe('1-5759e988-bd862e3fe1be46a994272793');
    store.close();
  });

  it('keeps the open trace documents of an execution until their complete version replaces them', () => {
    // Prepare
    const store = new ExecutionStore();
    const execution = insert(store, 'traced', 1000);
    const other = insert(store, 'other', 1000);

    // Act
    store.putOpenTraceDocument(execution, 'aaaaaaaaaaaaaaaa', '{"id":"aaaaaaaaaaaaaaaa"}');
    store.putOpenTraceDocument(execution, 'bbbbbbbbbbbbbbbb', '{"id":"bbbbbbbbbbbbbbbb"}');
    store.putOpenTraceDocument(execution, 'aaaaaaaaaaaaaaaa', '{"id":"aaaaaaaaaaaaaaaa","v":2}');
    store.putOpenTraceDocument(other, 'cccccccccccccccc', '{"id":"cccccccccccccccc"}');
    store.deleteOpenTraceDocument(execution, 'bbbbbbbbbbbbbbbb');

    // Assess
    expect(store.openTraceDocuments(execution)).toEqual(['{"id":"aaaaaaaaaaaaaaaa","v":2}']);
    expect(store.openTraceDocuments(other)).toEqual(['{"id":"cccccccccccccccc"}']);
    store.close();
  });
});
