import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import pg from 'pg';
import { usersMigration } from './migrations/001-users';
import { paymentsMigration } from './migrations/002-payments';
import type { Database } from './schema';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: put every table in this schema (tests use one schema per run). */
  schema?: string;
}

/**
 * Open `sqlite:<file>` (embedded default; `sqlite::memory:` for a throw-away database) or `postgres://…`.
 * SQLite runs in WAL mode with a busy timeout so a notify and a status query do not trip over each other.
 */
/**
 * The schema a PostgreSQL database was opened on. Kysely's Migrator looks for its own tables in EVERY schema unless
 * told which one, so with several schemas in one database (one per test run, or per tenant) it would see another
 * schema's `kysely_migration` and skip creating its own.
 */
const migrationSchemas = new WeakMap<Kysely<Database>, string>();

export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (options.schema) migrationSchemas.set(db, options.schema);
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

const MIGRATIONS: Record<string, Migration> = {
  '001-users': usersMigration,
  '002-payments': paymentsMigration,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Apply pending migrations (at start-up). Kysely takes a lock, so several instances may start at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const schema = migrationSchemas.get(db);
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}`, {
      cause: error,
    });
  }
}
