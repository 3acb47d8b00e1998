import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

/** One row as node:sqlite returns it. */
export type Row = Record<string, unknown>;

export interface SqliteDatabaseOptions {
  /** Where the file goes (created if needed); the database lives in memory without one. */
  readonly dataDir?: string;
  readonly fileName: string;
  /** `CREATE … IF NOT EXISTS` statements, run at every open. */
  readonly schema: string;
  /** Stored as `user_version`: a file of a higher one was written by a newer docflow and is refused. */
  readonly schemaVersion: number;
  /** What the data is, for that refusal (`the X-Ray data`). */
  readonly what: string;
  /** Brings an older file up to `schema` (after it ran, before the version is stored). */
  readonly migrate?: (db: DatabaseSync) => void;
  /**
   * Calls `commit` when the transaction of deferred writes should end, at the latest; returns what
   * cancels that (an earlier commit took it).
   */
  readonly scheduleCommit: (commit: () => void) => () => void;
}

/**
 * A local service's SQLite database (`node:sqlite`, WAL): opened at a schema version, with its
 * statements prepared once, and the group commit the local services' stores share. Writes that may wait
 * go into one transaction that `scheduleCommit` ends (a commit per write was the stores' whole cost,
 * decisions 45); a write that must be durable before the call returns commits it at once, with whatever
 * was deferred before it.
 */
export class SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #scheduleCommit: (commit: () => void) => () => void;
  /** Cancels the scheduled commit of the open transaction, while one is open. */
  #cancelCommit: (() => void) | undefined;

  constructor(options: SqliteDatabaseOptions) {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    this.#db = new DatabaseSync(options.dataDir ? join(options.dataDir, options.fileName) : ':memory:');
    this.#scheduleCommit = options.scheduleCommit;
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const version = Number(this.get('PRAGMA user_version')?.user_version);
    if (version > options.schemaVersion) {
      throw new Error(`${options.what} was written by a newer docflow (schema ${version})`);
    }
    this.#db.exec(options.schema);
    options.migrate?.(this.#db);
    this.#db.exec(`PRAGMA user_version = ${options.schemaVersion}`);
  }

  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, ...values: SQLInputValue[]): number {
    return Number(this.#statement(sql).run(...values).changes);
  }

  get(sql: string, ...values: SQLInputValue[]): Row | undefined {
    return this.#statement(sql).get(...values) as Row | undefined;
  }

  all(sql: string, ...values: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...values) as Row[];
  }

  /** Runs `work` atomically and commits it, with whatever was deferred before it, before returning. */
  transaction<T>(work: () => T): T {
    const result = this.deferred(work);
    this.commit();
    return result;
  }

  /** Runs `work` atomically in the open transaction (opened if none is), committed when scheduled. */
  deferred<T>(work: () => T): T {
    if (this.#cancelCommit === undefined) {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#cancelCommit = this.#scheduleCommit(() => this.commit());
    }
    this.#db.exec('SAVEPOINT write');
    try {
      const result = work();
      this.#db.exec('RELEASE write');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK TO write');
      this.#db.exec('RELEASE write');
      throw error;
    }
  }

  /** Commits the open transaction now, if one is open. */
  commit(): void {
    if (this.#cancelCommit === undefined) return;
    this.#cancelCommit();
    this.#cancelCommit = undefined;
    this.#db.exec('COMMIT');
  }

  /** Commits what was deferred and closes the database. */
  close(): void {
    this.commit();
    if (this.#db.isOpen) this.#db.close();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
