import type { OrderStatus, RefundStatus, SignScheme } from '@wxh5/contracts';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The tables, as Kysely sees them. Timestamps are ISO-8601 UTC strings (`2026-01-02T03:04:05.678Z`), which sort
 * correctly as text on both SQLite and PostgreSQL. Money is integer fen.
 */
export interface UsersTable {
  id: Generated<number>;
  openid: string;
  unionid: string | null;
  nickname: string;
  avatar_url: string;
  /** The widest scope this user has granted: 'snsapi_base' | 'snsapi_userinfo'. */
  scope: string;
  /** Bumped by "log out everywhere": a session cookie carrying an older version is refused (008). */
  session_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface OrdersTable {
  id: Generated<number>;
  out_trade_no: string;
  openid: string;
  amount_fen: number;
  description: string;
  status: OrderStatus;
  /** The sign scheme the order was placed with: its notify must be signed with the same, its gateway speaks it. */
  sign_scheme: SignScheme;
  client_ip: string;
  prepay_id: string | null;
  prepay_expires_at: string | null;
  transaction_id: string | null;
  paid_at: string | null;
  refunded_fen: number;
  /** When the sweep last asked WeChat about it; '' = never (008). */
  checked_at: Generated<string>;
  /** What was bought, at which unit price, how many (009); null on orders placed before products existed. */
  product_id: string | null;
  unit_price_fen: number | null;
  quantity: number | null;
  created_at: string;
  updated_at: string;
}

/**
 * What can be bought (009). SQLite has no boolean type and better-sqlite3 binds no booleans: `allow_custom_amount`
 * and `active` are written as 1/0 (PostgreSQL reads '1'/'0' as booleans) and read back as 0/1 on SQLite, true/false
 * on PostgreSQL — read them through `Boolean()`.
 */
export interface ProductsTable {
  id: string;
  title: string;
  description: string;
  price_fen: number;
  allow_custom_amount: ColumnType<boolean | number, 0 | 1, 0 | 1>;
  active: ColumnType<boolean | number, 0 | 1, 0 | 1>;
  created_at: string;
  updated_at: string;
}

export interface PayNotificationsTable {
  id: Generated<number>;
  /** 'pay' | 'refund' */
  kind: string;
  raw_body: string;
  /** 'accepted' | 'duplicate' | a rejection reason such as 'bad_signature', 'amount_mismatch' … */
  verdict: string;
  out_trade_no: string | null;
  transaction_id: string | null;
  received_at: string;
  /**
   * The notify's headers as a JSON object, lower-cased names: the bounded selection of record-notification.ts
   * (`wechatpay-*`, `content-type`, request ids) — a v3 notify's signature headers stay with its row. NULL for
   * rows recorded before migration 006.
   */
  headers: string | null;
  /** Set on a notify refused before it was verified (008): who sent it, its full size and SHA-256 (hex). */
  source_ip: Generated<string | null>;
  body_bytes: Generated<number | null>;
  body_sha256: Generated<string | null>;
}

/** Per (kind, source, hour): unverified notify refusals counted, and how many got no row of their own (008). */
export interface NotifyRefusalsTable {
  kind: string;
  source_ip: string;
  window_start: string;
  count: number;
  suppressed: number;
  last_verdict: string;
  last_body_sha256: string;
  last_at: string;
}

/** Sessions ended by logout, kept until their cookie would have expired anyway (008). */
export interface RevokedSessionsTable {
  session_id: string;
  expires_at: string;
}

export interface RefundsTable {
  id: Generated<number>;
  out_refund_no: string;
  out_trade_no: string;
  amount_fen: number;
  reason: string | null;
  status: RefundStatus;
  refund_id: string | null;
  /** The admin's Idempotency-Key and the SHA-256 of the request it came with (008); null without a key. */
  idempotency_key: Generated<string | null>;
  request_digest: Generated<string | null>;
  /** While a submit to WeChat is in flight: until when no one else may submit it; '' = none (008). */
  submitting_until: Generated<string>;
  /** When the sweep last asked WeChat about it; '' = never (008). */
  checked_at: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  orders: OrdersTable;
  pay_notifications: PayNotificationsTable;
  refunds: RefundsTable;
  notify_refusals: NotifyRefusalsTable;
  revoked_sessions: RevokedSessionsTable;
  products: ProductsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type OrderRow = Selectable<OrdersTable>;
export type NewOrderRow = Insertable<OrdersTable>;
export type OrderUpdate = Updateable<OrdersTable>;
export type PayNotificationRow = Selectable<PayNotificationsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type ProductRow = Selectable<ProductsTable>;
