import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface PruneOptions {
  /** ISO-8601 UTC: refusal evidence received before this goes. */
  before: string;
  /** Count only, delete nothing. */
  dryRun?: boolean;
  /** Rows per DELETE, so a large backlog never holds a long lock; default 5000. */
  batchSize?: number;
}

export interface PruneReport {
  /** pay_notifications rows of notifies refused before verification (body_sha256 set). */
  refusedNotifications: number;
  /** notify_refusals counters of hours that ended before `before`. */
  refusalCounters: number;
  /** revoked_sessions whose cookie has expired anyway (any age: they protect nothing any more). */
  revokedSessions: number;
}

/**
 * One batch of the refusal evidence received before `before`: the partial index `pay_notifications_refused`
 * (received_at) WHERE body_sha256 IS NOT NULL (008) reads only those rows, never the audit trail of verified
 * notifies (test/query-plans.test.ts pins it).
 */
export function refusedNotificationsQuery(db: Kysely<Database>, before: string, limit: number) {
  return db
    .selectFrom('pay_notifications')
    .select('id')
    .where('body_sha256', 'is not', null)
    .where('received_at', '<', before)
    .limit(limit);
}

/**
 * The retention policy of issue 12: the evidence of notifies refused BEFORE verification (their sampled audit rows
 * and hourly counters) is kept for a period and then deleted; verified notifies and reconciled changes are the
 * payment audit trail and are never touched here. Revocations of sessions whose cookie has expired go too. Deletes
 * in batches (the partial index pay_notifications_refused finds the rows by age).
 */
export async function pruneNotifications(db: Kysely<Database>, options: PruneOptions): Promise<PruneReport> {
  const batchSize = options.batchSize ?? 5000;
  const now = new Date().toISOString();
  if (options.dryRun) {
    const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
      Number((await query)?.n ?? 0);
    return {
      refusedNotifications: await count(
        db
          .selectFrom('pay_notifications')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('body_sha256', 'is not', null)
          .where('received_at', '<', options.before)
          .executeTakeFirst(),
      ),
      refusalCounters: await count(
        db
          .selectFrom('notify_refusals')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('window_start', '<', options.before)
          .executeTakeFirst(),
      ),
      revokedSessions: await count(
        db
          .selectFrom('revoked_sessions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('expires_at', '<', now)
          .executeTakeFirst(),
      ),
    };
  }
  const report: PruneReport = { refusedNotifications: 0, refusalCounters: 0, revokedSessions: 0 };
  for (;;) {
    const deleted = await db
      .deleteFrom('pay_notifications')
      .where('id', 'in', refusedNotificationsQuery(db, options.before, batchSize))
      .executeTakeFirst();
    const n = Number(deleted.numDeletedRows);
    report.refusedNotifications += n;
    if (n < batchSize) break;
  }
  const counters = await db
    .deleteFrom('notify_refusals')
    .where('window_start', '<', options.before)
    .executeTakeFirst();
  report.refusalCounters = Number(counters.numDeletedRows);
  const sessions = await db.deleteFrom('revoked_sessions').where('expires_at', '<', now).executeTakeFirst();
  report.revokedSessions = Number(sessions.numDeletedRows);
  return report;
}

/** `90d`, `36h`, `1d` → milliseconds; undefined for anything else. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d{1,5})([dh])$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  const n = Number(match[1]);
  return match[2] === 'd' ? n * 86_400_000 : n * 3_600_000;
}
