import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  type Compilable,
  type CompiledQuery,
  type QueryResult,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type Migration,
  type SqliteDatabase,
  type MigrationProvider,
  SqliteAdapter,
  sql,
  type DatabaseIntrospector,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { usersMigration } from './migrations/001-users';
import { paymentsMigration } from './migrations/002-payments';
import { indexesMigration } from './migrations/005-indexes';
import { signSchemeMigration } from './migrations/006-sign-scheme';
import { reliabilityMigration } from './migrations/008-reliability';
import { productsMigration } from './migrations/009-products';
import { ordersListMigration } from './migrations/010-orders-list';
import { sweepIndexesMigration } from './migrations/012-sweep-indexes';
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
  /**
   * PostgreSQL only: a pooled connection failed while idle or between queries (server restart, failover,
   * `pg_terminate_backend`, an idle timeout). The pool drops that connection and opens a new one at the next query;
   * this only reports it. Without a listener node-postgres re-throws it as an unhandled `'error'` and the process
   * exits.
   */
  onConnectionError?: (err: Error) => void;
  /** PostgreSQL only: the server cancels a statement running longer than this (`statement_timeout`). */
  statementTimeoutMs?: number;
  /** PostgreSQL only: give up opening a connection after this long (a partition must not hang every request). */
  connectTimeoutMs?: number;
}

/** Defaults when the caller gives none: long enough for a loaded box, short enough that a hang becomes a 503. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Shown in pg_stat_activity; an `application_name` in the URL wins (tests use a unique one to find their own). */
const DEFAULT_APPLICATION_NAME = 'wxh5-api';

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

/** The pg pool under a PostgreSQL Kysely instance (for the one statement that runs as a named prepared statement). */
const postgresPools = new WeakMap<Kysely<Database>, pg.Pool>();

/**
 * The pool of a database opened on PostgreSQL, or undefined. Kysely sends every query unnamed (parsed and planned
 * at each execution); a hot statement of constant text can go through the pool named instead, so each connection
 * parses it once and PostgreSQL reuses its plan.
 */
export function postgresPoolOf(db: Kysely<Database>): pg.Pool | undefined {
  return postgresPools.get(db);
}

/** How many distinct SQL texts keep a prepared statement (bounded: IN lists and bulk inserts vary in length). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 for Kysely, with its prepared statements reused: Kysely's SQLite driver prepares every query
 * afresh (SQL → bytecode each time), which on the notify path costs about as much as running the statement. The
 * connection is one and Kysely serialises its use, so a cached statement is never run twice at once; one still
 * being iterated (`busy`, a streamed query) is not handed out again — a fresh one is prepared instead.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached !== undefined && !cached.busy) return cached;
      const statement = sqlite.prepare(sql);
      if (cached === undefined) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    // Every COMMIT is on disk before it returns (the WAL is fsynced at each commit): a notify is answered SUCCESS
    // only after its commit, so NORMAL (fsync at checkpoints only; a power cut may lose the last commits) would let
    // an acknowledged payment vanish. SQLite's default is FULL already; this says so.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    // Up to 64 MiB of pages kept in the process (SQLite's default is 2 MiB). A long-standing customer's orders are
    // spread through the table: the first page of their list touches ~20 table pages where a new customer's touches
    // one or two. With 2 MiB those pages were read from the OS each time (the 100k-order user got 0.75 of the
    // 100-order user's rate at 100k orders); held here, the two are level. Grows only as pages are read.
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const onConnectionError = options.onConnectionError ?? (() => undefined);
  const pool = new pg.Pool({
    connectionString: url,
    application_name: DEFAULT_APPLICATION_NAME,
    max: 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // Server side: a statement (or a transaction left idle) is cancelled after the bound. Client side: a server
    // that stops answering altogether (a partition: no RST, no cancel reaching it) fails the query a little later.
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 2_000,
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle pooled connection that fails is reported on the pool...
  pool.on('error', (err) => onConnectionError(err));
  // ...but one checked out (Kysely holds it through a transaction) reports on the client, where pg-pool has no
  // listener while it is lent out: listen on every client for its whole life. pg-pool discards a failed client
  // when it is released, so the next query gets a fresh connection.
  pool.on('connect', (client) => {
    client.on('error', (err) => onConnectionError(err));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (options.schema) migrationSchemas.set(db, options.schema);
  postgresPools.set(db, pool);
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

const MIGRATIONS = {
  '001-users': usersMigration,
  '002-payments': paymentsMigration,
  '005-indexes': indexesMigration,
  '006-sign-scheme': signSchemeMigration,
  '008-reliability': reliabilityMigration,
  '009-products': productsMigration,
  '010-orders-list': ordersListMigration,
  '012-sweep-indexes': sweepIndexesMigration,
} satisfies Record<string, Migration>;

/** Every migration of this build (the doctor compares them with what the database has applied). */
export const migrationProvider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** The registered migrations, by name, in the order they apply. */
export type MigrationName = keyof typeof MIGRATIONS;

/**
 * PostgreSQL: Kysely's Migrator asks whether its own tables exist by introspecting EVERY table of EVERY schema, with
 * `pg_get_serial_sequence` on each column. Another session creating or dropping tables meanwhile (another tenant's
 * schema, a test run's) makes that fail ("column … does not exist", seen in CI). The Migrator only needs the names
 * of the tables in its own schema, so it gets a `db` whose introspection lists just those, from the catalog.
 */
function withScopedTableCheck(db: Kysely<Database>, schema: string | undefined): Kysely<Database> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return db;
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string; schema: string }>`
      select table_name as name, table_schema as schema from information_schema.tables
      where table_schema = coalesce(${schema ?? null}::text, current_schema())`.execute(db);
    return rows.map((row) => ({ name: row.name, schema: row.schema, isView: false, columns: [] }));
  };
  const introspection: DatabaseIntrospector = {
    getTables,
    getSchemas: () => db.introspection.getSchemas(),
    getMetadata: async () => ({ tables: await getTables() }),
  };
  // Kysely keeps its state in private fields: every other member is the real instance's, bound to it.
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Apply pending migrations (at start-up). Kysely takes a lock, so several instances may start at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  await migrateUpTo(db, 'latest');
}

/**
 * Apply pending migrations up to and including `target` ('latest': all of them). Tests use a named target to build
 * a database as an older release left it, fill it, and then migrate it the rest of the way.
 */
export async function migrateUpTo(db: Kysely<Database>, target: MigrationName | 'latest'): Promise<void> {
  const schema = migrationSchemas.get(db);
  const migrator = new Migrator({
    db: withScopedTableCheck(db, schema),
    provider: migrationProvider,
    // Numbers are handed out per issue (006 … 009) while a later one may land first (010 did): a database that
    // already has 010 takes 006 when it arrives instead of refusing to start. Pending ones still apply in name
    // order, and each touches only its own columns and indexes.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await (target === 'latest'
    ? migrator.migrateToLatest()
    : migrator.migrateTo(target));
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}`, {
      cause: error,
    });
  }
}

/** A query built and compiled once per dialect; each call only binds its values (see `precompile`). */
export type Precompiled<P extends string> = (
  executor: Kysely<Database>,
  values: Readonly<Record<P, unknown>>,
) => Promise<QueryResult<unknown>>;

/**
 * Build and compile a hot query once instead of on every call (Kysely's builder and compiler cost about as much as
 * running a simple statement on SQLite). `build` gets a placeholder for each of `names`; Kysely binds every value
 * as a parameter, so the SQL text is fixed and a call only fills the parameter list — same statement, same
 * semantics, on either dialect (compiled once per dialect, with the executor's own compiler). `executor` may be
 * the database or a transaction.
 */
export function precompile<P extends string>(
  names: readonly P[],
  build: (db: Kysely<Database>, p: Readonly<Record<P, never>>) => Compilable,
): Precompiled<P> {
  const marker = (name: string) => `\u0000precompiled:${name}\u0000`;
  const byDialect = new WeakMap<
    object,
    { compiled: CompiledQuery; slots: ({ name: P } | { value: unknown })[] }
  >();
  return (executor, values) => {
    const dialectKey = executor.getExecutor().adapter.constructor;
    let entry = byDialect.get(dialectKey);
    if (entry === undefined) {
      const placeholders = Object.fromEntries(names.map((name) => [name, marker(name)])) as unknown as Record<
        P,
        never
      >;
      const compiled = build(executor, placeholders).compile();
      const slots = compiled.parameters.map((value) => {
        const name = names.find((n) => value === marker(n));
        return name === undefined ? { value } : { name };
      });
      for (const name of names) {
        if (!slots.some((slot) => 'name' in slot && slot.name === name)) {
          throw new Error(`precompile: ${name} is not a parameter of ${compiled.sql}`);
        }
      }
      entry = { compiled, slots };
      byDialect.set(dialectKey, entry);
    }
    const parameters = entry.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));
    return executor.executeQuery({ ...entry.compiled, parameters });
  };
}
