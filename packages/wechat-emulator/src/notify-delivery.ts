// Delivers payment and refund notifies to the merchant's notify_url the way WeChat does: POST the XML (v2) or
// the signed JSON (v3), count anything but a `return_code` SUCCESS reply (v2) or a 2xx (v3) — or a timeout, or
// a network error — as a failure, and retry on
// WeChat's schedule (15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h: 16 deliveries in
// 24h4m) multiplied by `timeScale`. Duplicates are sent on purpose when asked, like WeChat's several
// servers do. Every delivery is logged.
import got from 'got';
import { parseXml } from '@wxh5/wechat-core';

export const NOTIFY_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

export type NotifyKind = 'pay' | 'refund';

/** The signed headers of one v3 delivery and the key (serial / public-key ID) that signed them. */
export interface SignedNotifyHeaders {
  headers: Record<string, string>;
  signedBy: string;
}

export interface NotifyJob {
  kind: NotifyKind;
  /** v2: XML, acknowledged by `return_code` SUCCESS. v3: JSON with Wechatpay-* headers, acknowledged by any 2xx. */
  api?: 'v2' | 'v3';
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  /** The body; the same bytes on every retry, as WeChat resends the same notify. */
  body: string;
  /** v3: signs each delivery afresh (a retry hours later needs a fresh timestamp); `probe` signs a SIGNTEST probe. */
  sign?: (probe: boolean) => SignedNotifyHeaders;
}

export interface NotifyLogEntry {
  kind: NotifyKind;
  api: 'v2' | 'v3';
  /** v3: the serial or public-key ID whose key signed this delivery. */
  signedBy?: string;
  /** A WECHATPAY/SIGNTEST/ probe: `ok` then means the merchant refused it (4xx/5xx), as it must. */
  probe: boolean;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  /** 1 for the first delivery, 2 for the first retry, … */
  attempt: number;
  /** Emulator-clock epoch milliseconds when the delivery was sent. */
  at: number;
  /** HTTP status of the reply, or null (dropped, timeout, connection error). */
  status: number | null;
  /** The reply body (first 2 KB) or the reason there was none. */
  reply: string;
  ok: boolean;
  /** A copy sent on purpose (notify-settings duplicates) or by the resend control route. */
  duplicate: boolean;
  resend: boolean;
  dropped: boolean;
  /** The XML that was sent (for tests that verify it). */
  body: string;
}

export interface NotifyDeliveryOptions {
  timeScale: number;
  now: () => number;
  requestTimeoutMs: number;
  /** Consumes one `drop` fault if one is set; a dropped delivery is never sent and counts as failed. */
  takeDrop: () => boolean;
  duplicates: () => number;
}

export interface NotifyDelivery {
  deliver(job: NotifyJob): void;
  /** One extra delivery now, outside the retry sequence. */
  resend(job: NotifyJob): Promise<NotifyLogEntry>;
  /** One v3 signature probe now (never retried); the entry says whether the merchant refused it. */
  probe(job: NotifyJob): Promise<NotifyLogEntry>;
  log(): NotifyLogEntry[];
  /** How many deliveries are scheduled or in flight right now (0 once a sequence has ended). */
  pending(): number;
  clearLog(): void;
  /** Cancels every pending retry (used by reset); later deliveries still work. */
  cancelPending(): void;
  /** Stops every pending retry and waits for deliveries in flight. */
  close(): Promise<void>;
}

/** Only a well-formed `<xml>` reply whose return_code is SUCCESS acknowledges a notify. */
export function isSuccessReply(reply: string): boolean {
  try {
    return parseXml(reply.trim()).return_code === 'SUCCESS';
  } catch {
    return false;
  }
}

export function createNotifyDelivery(options: NotifyDeliveryOptions): NotifyDelivery {
  const entries: NotifyLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  // Aborts deliveries still waiting for a reply when the emulator closes.
  const shutdown = new AbortController();
  let closed = false;

  async function send(
    job: NotifyJob,
    attempt: number,
    flags: { duplicate: boolean; resend: boolean; probe?: boolean },
  ): Promise<NotifyLogEntry> {
    const api = job.api ?? 'v2';
    const probe = flags.probe ?? false;
    const signed = job.sign?.(probe);
    const base = {
      kind: job.kind,
      api,
      ...(signed ? { signedBy: signed.signedBy } : {}),
      probe,
      outTradeNo: job.outTradeNo,
      ...(job.outRefundNo === undefined ? {} : { outRefundNo: job.outRefundNo }),
      url: job.url,
      attempt,
      at: options.now(),
      body: job.body,
      duplicate: flags.duplicate,
      resend: flags.resend,
    };
    let entry: NotifyLogEntry;
    if (options.takeDrop()) {
      entry = { ...base, status: null, reply: 'dropped by fault injection', ok: false, dropped: true };
    } else {
      try {
        const response = await got.post(job.url, {
          body: job.body,
          headers: {
            'content-type': api === 'v3' ? 'application/json' : 'text/xml; charset=utf-8',
            'user-agent': 'Mozilla/4.0',
            ...signed?.headers,
          },
          timeout: { request: options.requestTimeoutMs },
          retry: { limit: 0 },
          throwHttpErrors: false,
          followRedirect: false,
          signal: shutdown.signal,
        });
        entry = {
          ...base,
          status: response.statusCode,
          reply: response.body.slice(0, 2048),
          ok: probe
            ? response.statusCode >= 400
            : api === 'v3'
              ? response.statusCode >= 200 && response.statusCode < 300
              : response.statusCode === 200 && isSuccessReply(response.body),
          dropped: false,
        };
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        entry = { ...base, status: null, reply: reason, ok: false, dropped: false };
      }
    }
    entries.push(entry);
    return entry;
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
    return promise;
  }

  function runAttempt(job: NotifyJob, attempt: number): void {
    if (closed) return;
    const copies = attempt === 1 ? 1 + Math.max(0, options.duplicates()) : 1;
    const sends = Array.from({ length: copies }, (_, index) =>
      send(job, attempt, { duplicate: index > 0, resend: false }),
    );
    void track(
      Promise.all(sends).then((results) => {
        if (results.some((entry) => entry.ok)) return;
        const delaySeconds = NOTIFY_RETRY_SCHEDULE_SECONDS[attempt - 1];
        if (delaySeconds === undefined || closed) return;
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            runAttempt(job, attempt + 1);
          },
          Math.round(delaySeconds * 1000 * options.timeScale),
        );
        timers.add(timer);
      }),
    );
  }

  return {
    deliver(job) {
      runAttempt(job, 1);
    },
    resend(job) {
      return track(send(job, 0, { duplicate: false, resend: true }));
    },
    probe(job) {
      return track(send(job, 0, { duplicate: false, resend: false, probe: true }));
    },
    log() {
      return entries.map((entry) => ({ ...entry }));
    },
    pending() {
      return timers.size + inFlight.size;
    },
    clearLog() {
      entries.length = 0;
    },
    cancelPending() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      shutdown.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
