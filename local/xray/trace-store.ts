import { type Row, SqliteDatabase } from '../sqlite-database';
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
  readonly #db: SqliteDatabase;

  /** Opens (or creates) the store in `dataDir`; without one it lives in memory. */
  constructor(dataDir?: string, now: number = Date.now() / 1000) {
    this.#db = new SqliteDatabase({
      dataDir,
      fileName: DATABASE_FILE,
      schema: SCHEMA,
      schemaVersion: SCHEMA_VERSION,
      what: 'the X-Ray data',
      scheduleCommit: (commit) => {
        const pending = setTimeout(commit, COMMIT_WINDOW_MS).unref();
        return () => clearTimeout(pending);
      },
    });
    this.#db.run('DELETE FROM traces WHERE updated_at < ?', now - RETENTION_SECONDS);
  }

  /** Commits what was put and closes the database. */
  close(): void {
    this.#db.close();
  }

  /**
   * Stores a validated document received at `receivedAt` (epoch seconds). Returns false when it was
   * not stored because a complete document of that id is already there and this one is in progress.
   */
  put(document: ReceivedDocument, receivedAt: number): boolean {
    return this.#db.deferred(() => {
      const eventTime = document.endTime ?? document.startTime;
      this.#db.run(
        `INSERT INTO traces (trace_id, id_time, updated_at, last_event_time, first_start_time, revision)
         VALUES (?, ?, ?, ?, ?, 0)
         ON CONFLICT (trace_id) DO NOTHING`,
        document.traceId,
        traceIdTime(document.traceId),
        receivedAt,
        eventTime,
        document.startTime,
      );
      const stored = this.#db.run(
        `INSERT INTO documents (trace_id, id, in_progress, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (trace_id, id) DO UPDATE SET in_progress = excluded.in_progress, body = excluded.body
         WHERE documents.in_progress = 1 OR excluded.in_progress = 0`,
        document.traceId,
        document.id,
        document.inProgress ? 1 : 0,
        document.body,
      );
      if (stored > 0) {
        this.#db.run(
          `UPDATE traces SET updated_at = max(updated_at, ?), last_event_time = max(last_event_time, ?),
             first_start_time = min(first_start_time, ?), revision = revision + 1
           WHERE trace_id = ?`,
          receivedAt,
          eventTime,
          document.startTime,
          document.traceId,
        );
      }
      return stored > 0;
    });
  }

  trace(traceId: string): StoredTrace | undefined {
    const row = this.#db.get('SELECT * FROM traces WHERE trace_id = ?', traceId);
    return row && toTrace(row);
  }

  /** The JSON text of every document of a trace (none for an unknown trace). */
  documents(traceId: string): string[] {
    return this.#db
      .all('SELECT body FROM documents WHERE trace_id = ? ORDER BY id', traceId)
      .map((row) => String(row.body));
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
    return this.#db
      .all(
        `SELECT * FROM traces
       WHERE ${column} BETWEEN ? AND ? AND (id_time < ? OR (id_time = ? AND trace_id < ?))
       ORDER BY id_time DESC, trace_id DESC LIMIT ?`,
        options.start,
        options.end,
        after.idTime,
        after.idTime,
        after.traceId === '' ? '\uffff' : after.traceId,
        options.limit,
      )
      .map(toTrace);
  }

  /** Traces with any activity in [start, end]: started before its end and last active after its start. */
  tracesActiveBetween(start: number, end: number): StoredTrace[] {
    return this.#db
      .all(
        `SELECT * FROM traces WHERE first_start_time <= ? AND last_event_time >= ?
       ORDER BY id_time DESC, trace_id DESC`,
        end,
        start,
      )
      .map(toTrace);
  }
}
