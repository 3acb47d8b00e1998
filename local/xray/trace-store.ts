import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { traceIdTime } from './ids';
import type { ReceivedDocument } from './segment-document';

/** Which time of a trace a GetTraceSummaries time range applies to (the API's `TimeRangeType`). */
export type TimeRangeType = 'TraceId' | 'Event' | 'Service';

/** What the store knows about a trace without reading its documents. Times are epoch seconds. */
export interface StoredTrace {
  readonly traceId: string;
  /** The request time the trace id carries. */
  readonly idTime: number;
  /** When the newest document of the trace arrived. */
  readonly updatedAt: number;
  /** The latest end (or start, while in progress) of any document. */
  readonly lastEventTime: number;
  readonly firstStartTime: number;
  /** How many documents were accepted for the trace, replacements included. */
  readonly revision: number;
}

/** Position of the last trace of a page: traces are listed newest trace id time first. */
export interface TraceCursor {
  readonly idTime: number;
  readonly traceId: string;
}

const SCHEMA_VERSION = 1;
const DATABASE_FILE = 'xray.sqlite';
/** How long the documents that arrive share a transaction before it is committed. */
export const COMMIT_WINDOW_MS = 100;
/** X-Ray keeps traces for 30 days. */
const RETENTION_SECONDS = 30 * 24 * 3600;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS traces (
  trace_id TEXT PRIMARY KEY,
  id_time INTEGER NOT NULL,
  updated_at REAL NOT NULL,
  last_event_time REAL NOT NULL,
  first_start_time REAL NOT NULL,
  revision INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_by_id_time ON traces (id_time DESC, trace_id DESC);
CREATE TABLE IF NOT EXISTS documents (
  trace_id TEXT NOT NULL REFERENCES traces (trace_id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  in_progress INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (trace_id, id)
) WITHOUT ROWID;
`;

const TIME_COLUMN: Readonly<Record<TimeRangeType, string>> = {
  TraceId: 'id_time',
  Event: 'updated_at',
  Service: 'last_event_time',
};

type Row = Record<string, unknown>;

const toTrace = (row: Row): StoredTrace => ({
  traceId: String(row.trace_id),
  idTime: Number(row.id_time),
  updatedAt: Number(row.updated_at),
  lastEventTime: Number(row.last_event_time),
  firstStartTime: Number(row.first_start_time),
  revision: Number(row.revision),
});

/**
 * The traces the local X-Ray has received, in one SQLite database (`node:sqlite`, WAL): one row per
 * segment document, keyed by trace and document id, so documents may arrive in any order, in any
 * number of datagrams or calls. A complete document replaces an in-progress one of the same id, never
 * the other way round. Traces older than X-Ray's 30-day retention are dropped when the store opens.
 *
 * Documents arrive by the thousand during a burst: those of one window of `COMMIT_WINDOW_MS` share one
 * transaction, since a commit per document was the store's whole cost (decisions 45). Reads see what
 * was put at once (same connection); a crash of the process may lose the documents of its last
 * window, as a daemon may lose a datagram.
 */
export class TraceStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** The commit of the transaction this window's documents are written in, while one is open. */
  #pendingCommit: NodeJS.Timeout | undefined;

  /** Opens (or creates) the store in `dataDir`; without one it lives in memory. */
  constructor(dataDir?: string, now: number = Date.now() / 1000) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    this.#db = new DatabaseSync(dataDir ? join(dataDir, DATABASE_FILE) : ':memory:');
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const version = Number((this.#db.prepare('PRAGMA user_version').get() as Row).user_version);
    if (version > SCHEMA_VERSION) {
      throw new Error(`the X-Ray data was written by a newer docflow (schema ${version})`);
    }
    this.#db.exec(SCHEMA);
    this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    this.#run('DELETE FROM traces WHERE updated_at < ?', now - RETENTION_SECONDS);
  }

  /** Commits what was put and closes the database. */
  close(): void {
    this.#commit();
    if (this.#db.isOpen) this.#db.close();
  }

  #commit(): void {
    if (this.#pendingCommit === undefined) return;
    clearTimeout(this.#pendingCommit);
    this.#pendingCommit = undefined;
    this.#db.exec('COMMIT');
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run(sql: string, ...values: SQLInputValue[]): number {
    return Number(this.#statement(sql).run(...values).changes);
  }

  #all(sql: string, ...values: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...values) as Row[];
  }

  /**
   * Stores a validated document received at `receivedAt` (epoch seconds). Returns false when it was
   * not stored because a complete document of that id is already there and this one is in progress.
   */
  put(document: ReceivedDocument, receivedAt: number): boolean {
    if (this.#pendingCommit === undefined) {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#pendingCommit = setTimeout(() => this.#commit(), COMMIT_WINDOW_MS).unref();
    }
    this.#db.exec('SAVEPOINT put');
    try {
      const eventTime = document.endTime ?? document.startTime;
      this.#run(
        `INSERT INTO traces (trace_id, id_time, updated_at, last_event_time, first_start_time, revision)
         VALUES (?, ?, ?, ?, ?, 0)
         ON CONFLICT (trace_id) DO NOTHING`,
        document.traceId,
        traceIdTime(document.traceId),
        receivedAt,
        eventTime,
        document.startTime,
      );
      const stored = this.#run(
        `INSERT INTO documents (trace_id, id, in_progress, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (trace_id, id) DO UPDATE SET in_progress = excluded.in_progress, body = excluded.body
         WHERE documents.in_progress = 1 OR excluded.in_progress = 0`,
        document.traceId,
        document.id,
        document.inProgress ? 1 : 0,
        document.body,
      );
      if (stored > 0) {
        this.#run(
          `UPDATE traces SET updated_at = max(updated_at, ?), last_event_time = max(last_event_time, ?),
             first_start_time = min(first_start_time, ?), revision = revision + 1
           WHERE trace_id = ?`,
          receivedAt,
          eventTime,
          document.startTime,
          document.traceId,
        );
      }
      this.#db.exec('RELEASE put');
      return stored > 0;
    } catch (error) {
      this.#db.exec('ROLLBACK TO put');
      this.#db.exec('RELEASE put');
      throw error;
    }
  }

  trace(traceId: string): StoredTrace | undefined {
    const row = this.#statement('SELECT * FROM traces WHERE trace_id = ?').get(traceId) as Row | undefined;
    return row && toTrace(row);
  }

  /** The JSON text of every document of a trace (none for an unknown trace). */
  documents(traceId: string): string[] {
    return this.#all('SELECT body FROM documents WHERE trace_id = ? ORDER BY id', traceId).map((row) =>
      String(row.body),
    );
  }

  /**
   * Traces whose `timeRangeType` time lies in [start, end], newest trace id time first, strictly after
   * `after`; at most `limit`.
   */
  traces(options: {
    readonly timeRangeType: TimeRangeType;
    readonly start: number;
    readonly end: number;
    readonly after?: TraceCursor;
    readonly limit: number;
  }): StoredTrace[] {
    const column = TIME_COLUMN[options.timeRangeType];
    const after = options.after ?? { idTime: Number.MAX_SAFE_INTEGER, traceId: '' };
    return this.#all(
      `SELECT * FROM traces
       WHERE ${column} BETWEEN ? AND ? AND (id_time < ? OR (id_time = ? AND trace_id < ?))
       ORDER BY id_time DESC, trace_id DESC LIMIT ?`,
      options.start,
      options.end,
      after.idTime,
      after.idTime,
      after.traceId === '' ? '\uffff' : after.traceId,
      options.limit,
    ).map(toTrace);
  }

  /** Traces with any activity in [start, end]: started before its end and last active after its start. */
  tracesActiveBetween(start: number, end: number): StoredTrace[] {
    return this.#all(
      `SELECT * FROM traces WHERE first_start_time <= ? AND last_event_time >= ?
       ORDER BY id_time DESC, trace_id DESC`,
      end,
      start,
    ).map(toTrace);
  }
}
