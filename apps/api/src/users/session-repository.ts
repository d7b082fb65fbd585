import type { Kysely } from 'kysely';
import type { Database } from '../store/schema';

/** A session as its cookie names it (structurally http/'s SessionClaims; users/ does not import http/). */
export interface SessionRef {
  openId: string;
  /** Unix seconds. */
  expiresAt: number;
  sessionId: string;
  version: number;
}

export type SessionVerdict = 'revoked' | 'outdated' | 'unknown_user' | undefined;

/**
 * Server-side session revocation (issue 12, tables from migration 008). A session counts while its id is not in
 * `revoked_sessions` and its version equals `users.session_version`. Nothing is cached: every instance reads the
 * same rows, so a revocation made on one is refused by all of them on the next request.
 */
export interface SessionRepository {
  /** One indexed lookup (users by openid, revoked_sessions by primary key): undefined while the session counts. */
  check: (session: SessionRef) => Promise<SessionVerdict>;
  /** Logout: this session id stops counting; the row lives until the cookie would have expired anyway. */
  revoke: (session: SessionRef) => Promise<void>;
  /** Log out everywhere: bumps the user's session version. The new version, or undefined for an unknown user. */
  revokeAll: (openId: string, nowIso: string) => Promise<number | undefined>;
}

/**
 * The one lookup of every authenticated request: the user's session version and whether this session id was
 * revoked, by the users.openid unique index and the revoked_sessions primary key (test/query-plans.test.ts).
 */
export function sessionCheckQuery(db: Kysely<Database>, openId: string, sessionId: string) {
  return db
    .selectFrom('users')
    .select('session_version')
    .select((eb) =>
      eb
        .exists(eb.selectFrom('revoked_sessions').select('session_id').where('session_id', '=', sessionId))
        .as('revoked'),
    )
    .where('openid', '=', openId);
}

export function createSessionRepository(db: Kysely<Database>): SessionRepository {
  return {
    async check(session) {
      const row = await sessionCheckQuery(db, session.openId, session.sessionId).executeTakeFirst();
      if (!row) return 'unknown_user';
      // PostgreSQL answers a boolean, SQLite 0/1.
      if (row.revoked === true || Number(row.revoked) === 1) return 'revoked';
      if (Number(row.session_version) !== session.version) return 'outdated';
      return undefined;
    },

    async revoke(session) {
      await db
        .insertInto('revoked_sessions')
        .values({
          session_id: session.sessionId,
          expires_at: new Date(session.expiresAt * 1000).toISOString(),
        })
        .onConflict((conflict) => conflict.column('session_id').doNothing())
        .execute();
    },

    async revokeAll(openId, nowIso) {
      const row = await db
        .updateTable('users')
        .set((eb) => ({ session_version: eb('session_version', '+', 1), updated_at: nowIso }))
        .where('openid', '=', openId)
        .returning('session_version')
        .executeTakeFirst();
      return row ? Number(row.session_version) : undefined;
    },
  };
}
