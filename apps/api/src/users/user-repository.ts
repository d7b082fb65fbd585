import type { OAuthScope } from '@wxh5/contracts';
import { sql, type Kysely } from 'kysely';
import type { Database, UserRow } from '../store/schema';

export interface UserProfileInput {
  openId: string;
  unionId: string | undefined;
  /** The scope of this login; a base login never erases a profile granted earlier. */
  scope: OAuthScope;
  /** Only meaningful for snsapi_userinfo logins. */
  nickname: string;
  avatarUrl: string;
}

export interface User {
  openId: string;
  unionId: string | undefined;
  nickname: string;
  avatarUrl: string;
  /** The widest scope the user has granted. */
  scope: OAuthScope;
  /** Bumped by "log out everywhere"; a new session cookie carries the current one. */
  sessionVersion: number;
  createdAt: string;
  updatedAt: string;
}

function toUser(row: UserRow): User {
  return {
    openId: row.openid,
    unionId: row.unionid ?? undefined,
    nickname: row.nickname,
    avatarUrl: row.avatar_url,
    scope: row.scope === 'snsapi_userinfo' ? 'snsapi_userinfo' : 'snsapi_base',
    sessionVersion: Number(row.session_version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface UserRepository {
  /** Insert or update by openid in one statement (`ON CONFLICT`, on SQLite and PostgreSQL alike). */
  upsert(input: UserProfileInput, nowIso: string): Promise<User>;
  findByOpenId(openId: string): Promise<User | undefined>;
}

export function createUserRepository(db: Kysely<Database>): UserRepository {
  return {
    async upsert(input, nowIso) {
      const userinfo = input.scope === 'snsapi_userinfo';
      const row = await db
        .insertInto('users')
        .values({
          openid: input.openId,
          unionid: input.unionId ?? null,
          nickname: userinfo ? input.nickname : '',
          avatar_url: userinfo ? input.avatarUrl : '',
          scope: input.scope,
          created_at: nowIso,
          updated_at: nowIso,
        })
        .onConflict((conflict) =>
          conflict.column('openid').doUpdateSet({
            updated_at: nowIso,
            unionid: sql<string | null>`coalesce(excluded.unionid, users.unionid)`,
            // A userinfo login refreshes the profile; a base login keeps whatever was granted before.
            nickname: userinfo ? input.nickname : sql<string>`users.nickname`,
            avatar_url: userinfo ? input.avatarUrl : sql<string>`users.avatar_url`,
            scope: userinfo ? 'snsapi_userinfo' : sql<string>`users.scope`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    },

    async findByOpenId(openId) {
      const row = await db.selectFrom('users').selectAll().where('openid', '=', openId).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
  };
}
