/**
 * Whether an error means "the database is not answering" (down, restarting, failing over, partitioned, our
 * connection terminated, a statement cut by `statement_timeout`) rather than "the query is wrong". Those are
 * answered 503 `database_unavailable` (XML FAIL on the notify URLs, which WeChat retries) instead of a 500: the
 * request may well succeed a few seconds later, and the pool reconnects by itself.
 */

/** SQLSTATE codes (PostgreSQL) and driver codes that mean the database, not the statement, failed. */
const UNAVAILABLE_CODES = new Set([
  // Class 08: connection exception.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '08P01',
  // Operator intervention: admin_shutdown (pg_terminate_backend, restart), crash_shutdown, cannot_connect_now.
  '57P01',
  '57P02',
  '57P03',
  // query_canceled: statement_timeout fired (a partition or a lock wait that outlived the bound).
  '57014',
  // too_many_connections.
  '53300',
  // Node socket errors while connecting or talking to the server.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // SQLite: another writer held the lock past busy_timeout.
  'SQLITE_BUSY',
]);

/** node-postgres reports these without a code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (
      UNAVAILABLE_MESSAGES.some((message) => current instanceof Error && current.message.includes(message))
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}
