import { createHash } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type Row, SqliteDatabase } from '../sqlite-database';

/** Terminal and running statuses of a Standard execution, as DescribeExecution reports them. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A history event as stored: the API's shape with the timestamp in epoch milliseconds. */
export type StoredHistoryEvent = Omit<HistoryEvent, 'timestamp' | 'id'> & {
  readonly id: number;
  readonly timestamp: number;
};

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly type: 'STANDARD';
  readonly tracingEnabled: boolean;
  readonly creationDate: number;
  readonly updateDate: number;
}

export interface ExecutionRecord {
  /** Insertion order; breaks ties between executions started in the same millisecond. */
  readonly seq: number;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  /** The definition this execution runs (a state machine update does not change it). */
  readonly definitionHash: string;
  readonly roleArn: string;
  readonly status: ExecutionStatus;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly traceHeader?: string;
  /** The X-Ray trace the execution writes its segments to; absent when it is not traced. */
  readonly traceId?: string;
  readonly startDate: number;
  readonly stopDate?: number;
  readonly redriveCount: number;
  readonly redriveDate?: number;
  /** Id of the newest history event (0 before the first). */
  readonly lastEventId: number;
}

/** The fields a terminal event sets on its execution. */
export interface ExecutionOutcome {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly stopDate: number;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** Position of the last execution of a ListExecutions page (newest first). */
export interface ExecutionCursor {
  readonly startDate: number;
  readonly seq: number;
}

/** 2 added `executions.trace_id` and `open_trace_documents`. */
const SCHEMA_VERSION = 2;
const DATABASE_FILE = 'stepfunctions.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS definitions (
  hash TEXT PRIMARY KEY,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_machines (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  tracing_enabled INTEGER NOT NULL,
  creation_date INTEGER NOT NULL,
  update_date INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS executions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  state_machine_name TEXT NOT NULL,
  name TEXT NOT NULL,
  definition_hash TEXT NOT NULL REFERENCES definitions (hash),
  role_arn TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  trace_header TEXT,
  trace_id TEXT,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  redrive_count INTEGER NOT NULL DEFAULT 0,
  redrive_date INTEGER,
  last_event_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS executions_by_start ON executions (state_machine_arn, start_date DESC, seq DESC);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
CREATE TABLE IF NOT EXISTS history_events (
  execution_seq INTEGER NOT NULL REFERENCES executions (seq),
  id INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (execution_seq, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS open_trace_documents (
  execution_seq INTEGER NOT NULL REFERENCES executions (seq),
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (execution_seq, id)
);
`;

const text = (row: Row, column: string): string => String(row[column]);
const optionalText = (row: Row, column: string): string | undefined =>
  row[column] === null || row[column] === undefined ? undefined : String(row[column]);
const int = (row: Row, column: string): number => Number(row[column]);
const optionalInt = (row: Row, column: string): number | undefined =>
  row[column] === null || row[column] === undefined ? undefined : Number(row[column]);

const toStateMachine = (row: Row): StateMachineRecord => ({
  arn: text(row, 'arn'),
  name: text(row, 'name'),
  definition: text(row, 'definition'),
  roleArn: text(row, 'role_arn'),
  type: 'STANDARD',
  tracingEnabled: int(row, 'tracing_enabled') === 1,
  creationDate: int(row, 'creation_date'),
  updateDate: int(row, 'update_date'),
});

const toExecution = (row: Row): ExecutionRecord => {
  const optional = {
    output: optionalText(row, 'output'),
    error: optionalText(row, 'error'),
    cause: optionalText(row, 'cause'),
    traceHeader: optionalText(row, 'trace_header'),
    traceId: optionalText(row, 'trace_id'),
    stopDate: optionalInt(row, 'stop_date'),
    redriveDate: optionalInt(row, 'redrive_date'),
  };
  return {
    seq: int(row, 'seq'),
    executionArn: text(row, 'arn'),
    stateMachineArn: text(row, 'state_machine_arn'),
    stateMachineName: text(row, 'state_machine_name'),
    name: text(row, 'name'),
    definitionHash: text(row, 'definition_hash'),
    roleArn: text(row, 'role_arn'),
    status: text(row, 'status') as ExecutionStatus,
    input: text(row, 'input'),
    startDate: int(row, 'start_date'),
    redriveCount: int(row, 'redrive_count'),
    lastEventId: int(row, 'last_event_id'),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
};

/** Content address of a definition: executions point at the exact text they run. */
export const definitionHash = (definition: string): string =>
  createHash('sha256').update(definition).digest('hex');

/**
 * Durable state of the local Step Functions: state machines, executions and their full histories, in
 * one SQLite database (`node:sqlite`, WAL). What the API answers or others are told is committed
 * before the call returns, so it survives a crash: a new execution, a redrive, a state machine, and a
 * terminal event with its execution's new status (one transaction). The history events of a running
 * execution and its open trace documents — most of the writes — share one transaction per turn of the
 * event loop, committed when the turn's callbacks are done (`setImmediate`) or with the next write
 * that must be durable; a crash may lose the last turn's events of a run that resumes on restart
 * anyway, from its last stored event (decisions 45).
 */
export class ExecutionStore {
  readonly #db: SqliteDatabase;

  /** Opens (or creates) the store in `dataDir`; without one it lives in memory. */
  constructor(dataDir?: string) {
    this.#db = new SqliteDatabase({
      dataDir,
      fileName: DATABASE_FILE,
      schema: SCHEMA,
      schemaVersion: SCHEMA_VERSION,
      what: 'the Step Functions data',
      migrate: (db) => {
        const columns = db.prepare('PRAGMA table_info(executions)').all() as Row[];
        if (!columns.some((column) => column.name === 'trace_id')) {
          db.exec('ALTER TABLE executions ADD COLUMN trace_id TEXT');
        }
      },
      scheduleCommit: (commit) => {
        const pending = setImmediate(commit);
        return () => clearImmediate(pending);
      },
    });
  }

  /** Commits what was deferred and closes the database. */
  close(): void {
    this.#db.close();
  }

  putStateMachine(machine: StateMachineRecord): void {
    this.#db.transaction(() =>
      this.#db.run(
        `INSERT INTO state_machines (arn, name, definition, role_arn, type, tracing_enabled, creation_date, update_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET definition = excluded.definition, role_arn = excluded.role_arn,
         tracing_enabled = excluded.tracing_enabled, update_date = excluded.update_date`,
        machine.arn,
        machine.name,
        machine.definition,
        machine.roleArn,
        machine.type,
        machine.tracingEnabled ? 1 : 0,
        machine.creationDate,
        machine.updateDate,
      ),
    );
  }

  getStateMachine(arn: string): StateMachineRecord | undefined {
    const row = this.#db.get('SELECT * FROM state_machines WHERE arn = ?', arn);
    return row && toStateMachine(row);
  }

  /** State machines by name, after `afterName` (exclusive). */
  listStateMachines(limit: number, afterName?: string): StateMachineRecord[] {
    return this.#db
      .all('SELECT * FROM state_machines WHERE name > ? ORDER BY name LIMIT ?', afterName ?? '', limit)
      .map(toStateMachine);
  }

  definition(hash: string): string | undefined {
    const row = this.#db.get('SELECT body FROM definitions WHERE hash = ?', hash);
    return row && text(row, 'body');
  }

  /** Records a new RUNNING execution, with the definition it runs. */
  insertExecution(
    execution: Omit<ExecutionRecord, 'seq' | 'lastEventId'>,
    definition: string,
  ): ExecutionRecord {
    return this.#db.transaction(() => {
      this.#db.run(
        'INSERT INTO definitions (hash, body) VALUES (?, ?) ON CONFLICT DO NOTHING',
        execution.definitionHash,
        definition,
      );
      this.#db.run(
        `INSERT INTO executions (arn, state_machine_arn, state_machine_name, name, definition_hash, role_arn,
           status, input, trace_header, trace_id, start_date, redrive_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        execution.executionArn,
        execution.stateMachineArn,
        execution.stateMachineName,
        execution.name,
        execution.definitionHash,
        execution.roleArn,
        execution.status,
        execution.input,
        execution.traceHeader ?? null,
        execution.traceId ?? null,
        execution.startDate,
        execution.redriveCount,
      );
      const stored = this.getExecution(execution.executionArn);
      if (!stored) throw new Error(`execution ${execution.executionArn} was not stored`);
      return stored;
    });
  }

  getExecution(arn: string): ExecutionRecord | undefined {
    const row = this.#db.get('SELECT * FROM executions WHERE arn = ?', arn);
    return row && toExecution(row);
  }

  /** Executions of a state machine, newest first, strictly after `cursor`. */
  listExecutions(
    stateMachineArn: string,
    options: { status?: ExecutionStatus; after?: ExecutionCursor; limit: number },
  ): ExecutionRecord[] {
    const after = options.after ?? { startDate: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };
    return this.#db
      .all(
        `SELECT * FROM executions
       WHERE state_machine_arn = ? AND (? IS NULL OR status = ?) AND (start_date, seq) < (?, ?)
       ORDER BY start_date DESC, seq DESC LIMIT ?`,
        stateMachineArn,
        options.status ?? null,
        options.status ?? null,
        after.startDate,
        after.seq,
        options.limit,
      )
      .map(toExecution);
  }

  /** Executions that were RUNNING when the process stopped, oldest first. */
  runningExecutions(): ExecutionRecord[] {
    return this.#db
      .all("SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY start_date, seq")
      .map(toExecution);
  }

  /**
   * Appends history events; with an outcome, also closes the execution, atomically, committed before
   * this returns.
   */
  append(
    execution: ExecutionRecord,
    events: readonly StoredHistoryEvent[],
    outcome?: ExecutionOutcome,
  ): void {
    const last = events.at(-1);
    if (!last && !outcome) return;
    const write = (): void => {
      for (const event of events) {
        this.#db.run(
          'INSERT INTO history_events (execution_seq, id, body) VALUES (?, ?, ?)',
          execution.seq,
          event.id,
          JSON.stringify(event),
        );
      }
      if (last) this.#db.run('UPDATE executions SET last_event_id = ? WHERE seq = ?', last.id, execution.seq);
      if (outcome) {
        this.#db.run(
          'UPDATE executions SET status = ?, stop_date = ?, output = ?, error = ?, cause = ? WHERE seq = ?',
          outcome.status,
          outcome.stopDate,
          outcome.output ?? null,
          outcome.error ?? null,
          outcome.cause ?? null,
          execution.seq,
        );
      }
    };
    // An outcome is announced (status change events, the API): it is committed before this returns.
    if (outcome) this.#db.transaction(write);
    else this.#db.deferred(write);
  }

  /** Puts a closed execution back to RUNNING for a redrive. */
  reopenForRedrive(execution: ExecutionRecord, redriveDate: number): ExecutionRecord {
    this.#db.transaction(() =>
      this.#db.run(
        `UPDATE executions SET status = 'RUNNING', stop_date = NULL, output = NULL, error = NULL, cause = NULL,
           redrive_count = redrive_count + 1, redrive_date = ? WHERE seq = ?`,
        redriveDate,
        execution.seq,
      ),
    );
    const reopened = this.getExecution(execution.executionArn);
    if (!reopened) throw new Error(`execution ${execution.executionArn} disappeared`);
    return reopened;
  }

  /**
   * Keeps the in-progress X-Ray documents (segment, subsegments) of an execution's current run, so the
   * run that resumes it after an interruption can close them.
   */
  putOpenTraceDocument(execution: ExecutionRecord, id: string, body: string): void {
    this.#db.deferred(() =>
      this.#db.run(
        `INSERT INTO open_trace_documents (execution_seq, id, body) VALUES (?, ?, ?)
       ON CONFLICT (execution_seq, id) DO UPDATE SET body = excluded.body`,
        execution.seq,
        id,
        body,
      ),
    );
  }

  /** Forgets an in-progress document once its complete version was sent. */
  deleteOpenTraceDocument(execution: ExecutionRecord, id: string): void {
    this.#db.deferred(() =>
      this.#db.run('DELETE FROM open_trace_documents WHERE execution_seq = ? AND id = ?', execution.seq, id),
    );
  }

  /** The in-progress documents a run left open, oldest first. */
  openTraceDocuments(execution: ExecutionRecord): string[] {
    return this.#db
      .all('SELECT body FROM open_trace_documents WHERE execution_seq = ? ORDER BY rowid', execution.seq)
      .map((row) => text(row, 'body'));
  }

  /** History events with ids after `afterId` (ascending) or before `beforeId` (descending). */
  events(
    execution: ExecutionRecord,
    options: { reverse: boolean; fromId?: number; limit: number },
  ): StoredHistoryEvent[] {
    const rows = options.reverse
      ? this.#db.all(
          'SELECT body FROM history_events WHERE execution_seq = ? AND id <= ? ORDER BY id DESC LIMIT ?',
          execution.seq,
          options.fromId ?? Number.MAX_SAFE_INTEGER,
          options.limit,
        )
      : this.#db.all(
          'SELECT body FROM history_events WHERE execution_seq = ? AND id >= ? ORDER BY id LIMIT ?',
          execution.seq,
          options.fromId ?? 0,
          options.limit,
        );
    return rows.map((row) => JSON.parse(text(row, 'body')) as StoredHistoryEvent);
  }
}
