/**
 * A dependency (PostgreSQL, Redis) that could not be reached or used at start-up, in words an operator can act
 * on: which one, where (host:port, never a password), what went wrong (the error code and message — codes such as
 * ECONNREFUSED or 28P01 are not secrets) and how long it was tried.
 */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  constructor(
    /** e.g. `PostgreSQL at 127.0.0.1:5432/wxh5`. */
    readonly target: string,
    readonly errorCode: string | undefined,
    readonly detail: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${target} failed${errorCode ? ` with ${errorCode}` : ''}: ${detail} ` +
        `(${attempts} attempt${attempts === 1 ? '' : 's'} over ${Math.round(elapsedMs / 1000)} s)`,
      options,
    );
  }
}

/** The error code of `err` or of the first error it wraps (an AggregateError from a dual-stack connect). */
export function errorCodeOf(err: unknown): string | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (current instanceof AggregateError) {
      const inner = errorCodeOf(current.errors[0]);
      if (inner) return inner;
    }
    current = current.cause;
  }
  return undefined;
}

/** The first line of the innermost useful message (Kysely's "migration failed" says nothing of the cause). */
export function errorDetailOf(err: unknown): string {
  const messages: string[] = [];
  for (let current = err, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current.message) messages.push(current.message.split('\n')[0] ?? '');
    if (current instanceof AggregateError && current.errors[0] instanceof Error) {
      messages.push(current.errors[0].message);
    }
    current = current.cause;
  }
  return messages.filter(Boolean).join(': ') || String(err);
}

/** `host:port/database` of a database or Redis URL, without user or password. */
export function describeUrl(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}
