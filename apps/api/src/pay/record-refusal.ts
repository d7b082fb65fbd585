import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema';

/** At most this much of a refused body is kept (UTF-8 bytes); its full size and SHA-256 are kept beside it. */
export const REFUSED_BODY_PREFIX_BYTES = 4096;

export interface Refusal {
  kind: 'pay' | 'refund';
  /** The client address the notify came from (behind a proxy: TRUST_PROXY_HOPS from the right). */
  sourceIp: string;
  verdict: string;
  /** What was received: the body, or the prefix read before it was refused unread. */
  body: string;
  outTradeNo: string | null;
  transactionId: string | null;
  receivedAt: string;
  /** The audited selection of its headers (record-notification.ts `auditHeaders`), as JSON. */
  headers: string;
}

/** The hour a refusal is counted in: `2026-01-02T03:00:00.000Z`. */
function hourOf(iso: string): string {
  return `${iso.slice(0, 13)}:00:00.000Z`;
}

/** The first `maxBytes` of `text` as UTF-8, never cutting a character in two. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end), 'utf8') > maxBytes) end -= 1;
  // Do not end on the first half of a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/**
 * A notify refused before it was verified (garbage, a forgery, a body too large): anybody can send those, so what
 * they may write is bounded. Every one is counted in notify_refusals, one row per (kind, source, hour); the first
 * `samplesPerHour` of a source in an hour also get an audit row in pay_notifications — the body cut to
 * REFUSED_BODY_PREFIX_BYTES with its full size and SHA-256 — and the rest only raise the count (`suppressed`).
 * A flood from one source therefore writes one growing counter, not a row per request. The prune command removes
 * both kinds of evidence after the retention period (see README, Operations).
 */
export async function recordRefusal(
  db: Kysely<Database>,
  refusal: Refusal,
  policy: { samplesPerHour: number; logger: Logger },
): Promise<'sampled' | 'counted'> {
  const bytes = Buffer.from(refusal.body.replaceAll('\u0000', '\uFFFD'), 'utf8');
  const digest = createHash('sha256').update(bytes).digest('hex');
  const sourceIp = refusal.sourceIp.slice(0, 64);
  const verdict = refusal.verdict.slice(0, 64);
  const windowStart = hourOf(refusal.receivedAt);
  const { count } = await db
    .insertInto('notify_refusals')
    .values({
      kind: refusal.kind,
      source_ip: sourceIp,
      window_start: windowStart,
      count: 1,
      suppressed: policy.samplesPerHour >= 1 ? 0 : 1,
      last_verdict: verdict,
      last_body_sha256: digest,
      last_at: refusal.receivedAt,
    })
    .onConflict((conflict) =>
      conflict.columns(['kind', 'source_ip', 'window_start']).doUpdateSet({
        count: sql<number>`notify_refusals.count + 1`,
        suppressed: sql<number>`notify_refusals.suppressed + case when notify_refusals.count + 1 > ${policy.samplesPerHour} then 1 else 0 end`,
        last_verdict: verdict,
        last_body_sha256: digest,
        last_at: refusal.receivedAt,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  if (count > policy.samplesPerHour) {
    if (count === policy.samplesPerHour + 1) {
      policy.logger.warn(
        { kind: refusal.kind, sourceIp, windowStart, samplesPerHour: policy.samplesPerHour },
        'unverified notifies from this source exceed their hourly samples: counted in notify_refusals, bodies not stored',
      );
    }
    return 'counted';
  }
  await db
    .insertInto('pay_notifications')
    .values({
      kind: refusal.kind,
      raw_body: utf8Prefix(bytes.toString('utf8'), REFUSED_BODY_PREFIX_BYTES),
      verdict,
      out_trade_no: refusal.outTradeNo?.slice(0, 64) ?? null,
      transaction_id: refusal.transactionId?.slice(0, 64) ?? null,
      received_at: refusal.receivedAt,
      headers: refusal.headers,
      source_ip: sourceIp,
      body_bytes: bytes.length,
      body_sha256: digest,
    })
    .execute();
  return 'sampled';
}
