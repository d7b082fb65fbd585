import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The api's Prometheus metrics, in their own registry (no global default registry): built by `createDeps` (or a
 * test) and passed to `createApp` in `deps.metrics`, so two apps in one process never share counters. Label values
 * are bounded: routes are router patterns, never raw paths.
 */
export interface AppMetrics {
  registry: Registry;
  /** Every request: `route` is the router pattern (`/api/wechat/pay/orders/:outTradeNo`), `h5` or `unmatched`. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Every notify WeChat delivers: `kind` pay | refund, `verdict` as recorded in pay_notifications. */
  notifies: Counter<'kind' | 'verdict'>;
  /** Every call to WeChat (all its attempts): `outcome` ok | refused (a business error) | unavailable. */
  wechatCalls: Histogram<'endpoint' | 'outcome'>;
  /** Order status changes made by this instance: PENDING → PAID, CLOSED → PAID, PENDING → CLOSED. */
  orderTransitions: Counter<'from' | 'to'>;
  /**
   * Credentials fetched from WeChat by this instance (a cache hit is not a refresh): `kind` access_token |
   * jsapi_ticket | platform_certificates, `outcome` ok | failed.
   */
  credentialRefreshes: Counter<'kind' | 'outcome'>;
  /**
   * Refund outcomes that need a person (each also logged at error level): `kind` success_after_closed (WeChat
   * reports SUCCESS for a refund we had marked CLOSED/ABNORMAL), exceeds_paid (applying it would refund more than
   * was paid: not applied).
   */
  refundAnomalies: Counter<'kind'>;
  /** Refunds entering a status, by this instance: PROCESSING (started), SUCCESS, CLOSED, ABNORMAL. */
  refunds: Counter<'status'>;
  /** Background sweep passes: `outcome` ok | failed. */
  sweepRuns: Counter<'outcome'>;
  /** What the last sweep pass found to reconcile (capped by its batch of 100): `kind` orders | refunds. */
  sweepBacklog: Gauge<'kind'>;
}

export type CredentialKind = 'access_token' | 'jsapi_ticket' | 'platform_certificates';
export type ObserveCredentialRefresh = (kind: CredentialKind, outcome: 'ok' | 'failed') => void;

/** Count each credential refresh (the token manager's and the v3 certificates' `observeRefresh` option). */
export function observeCredentialRefreshes(metrics: AppMetrics): ObserveCredentialRefresh {
  return (kind, outcome) => metrics.credentialRefreshes.inc({ kind, outcome });
}

/** Record each WeChat call (the wechat clients' `observe` option) in `wxh5_wechat_call_duration_seconds`. */
export function observeWechatCalls(
  metrics: AppMetrics,
): (endpoint: string, outcome: string, seconds: number) => void {
  return (endpoint, outcome, seconds) => metrics.wechatCalls.observe({ endpoint, outcome }, seconds);
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(registry = new Registry()): AppMetrics {
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'wxh5_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    notifies: new Counter({
      name: 'wxh5_notifies_total',
      help: 'WeChat Pay notifies received, by kind and verdict',
      labelNames: ['kind', 'verdict'],
      registers,
    }),
    wechatCalls: new Histogram({
      name: 'wxh5_wechat_call_duration_seconds',
      help: 'Calls to WeChat (retries included) by endpoint and outcome',
      labelNames: ['endpoint', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    orderTransitions: new Counter({
      name: 'wxh5_order_transitions_total',
      help: 'Order status transitions made by this instance',
      labelNames: ['from', 'to'],
      registers,
    }),
    credentialRefreshes: new Counter({
      name: 'wxh5_credential_refreshes_total',
      help: 'access_token, jsapi_ticket and v3 platform-certificate fetches from WeChat, by outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    refunds: new Counter({
      name: 'wxh5_refunds_total',
      help: 'Refunds entering a status (PROCESSING when started; SUCCESS, CLOSED, ABNORMAL when settled)',
      labelNames: ['status'],
      registers,
    }),
    refundAnomalies: new Counter({
      name: 'wxh5_refund_anomalies_total',
      help: 'Refund outcomes that need a person: success_after_closed, exceeds_paid',
      labelNames: ['kind'],
      registers,
    }),
    sweepRuns: new Counter({
      name: 'wxh5_sweep_runs_total',
      help: 'Background reconciliation passes',
      labelNames: ['outcome'],
      registers,
    }),
    sweepBacklog: new Gauge({
      name: 'wxh5_sweep_backlog',
      help: 'Orders and refunds the last sweep pass found to reconcile (at most 100 each)',
      labelNames: ['kind'],
      registers,
    }),
  };
}
