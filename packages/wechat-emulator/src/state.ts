// The emulator's whole world, in memory: apps, merchants, users, OAuth codes and tokens, global tokens,
// tickets, orders, refunds, counters, injected faults and the clock. Routes read and change it; the
// control API resets it. Nothing here does I/O.
import { createHash, randomBytes } from 'node:crypto';
import type { SignType } from '@wxh5/wechat-core';
import { DEMO_API_V3_KEY, DEMO_MCH_CERT_SERIAL, loadDemoMerchantV3 } from './v3/wechatpay-keys';
import type { MerchantV3 } from './v3/wechatpay-keys';

export const DEMO_APP_ID = 'wx8a4c5b1d2e3f6a70';
export const DEMO_APP_SECRET = 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a';
export const DEMO_MCH_ID = '1900000109';
export const DEMO_PAY_KEY = 'DemoPayKey0123456789abcdefABCDEF';
export { DEMO_API_V3_KEY, DEMO_MCH_CERT_SERIAL };

export interface EmulatorApp {
  appId: string;
  appSecret: string;
  name: string;
  /** Hosts allowed in OAuth `redirect_uri` (exact match; a bare hostname allows any port). */
  oauthDomains: string[];
  /** JS接口安全域名: hosts (and their subdomains) whose pages may pass wx.config. */
  jsDomains: string[];
  /**
   * The API IP whitelist (基本配置 → IP白名单): callers of /cgi-bin/token and /cgi-bin/stable_token must come from one
   * of these addresses, else 40164. Undefined: no whitelist (the demo app); WeChat turns one on for new secrets.
   */
  ipWhitelist?: string[];
}

export interface EmulatorMerchant {
  mchId: string;
  /** The API v2 key; '' when the merchant only uses API v3. */
  key: string;
  /** API v3 material and the verification mode; absent for a v2-only merchant. */
  v3?: MerchantV3;
  name: string;
  appIds: string[];
  /** 支付授权目录: URL prefixes such as `http://localhost/` (a prefix without a port allows any port). */
  payDirectories: string[];
}

export interface EmulatorUser {
  userId: string;
  nickname: string;
  avatarUrl: string;
}

export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

export interface OAuthCode {
  code: string;
  appId: string;
  userId: string;
  scope: OAuthScope;
  expiresAt: number;
  used: boolean;
}

export interface PendingConsent {
  id: string;
  appId: string;
  redirectUri: string;
  scope: OAuthScope;
  state: string;
  createdAt: number;
}

export interface SnsToken {
  accessToken: string;
  appId: string;
  userId: string;
  openid: string;
  scope: OAuthScope;
  expiresAt: number;
}

export interface SnsRefreshToken {
  refreshToken: string;
  appId: string;
  userId: string;
  openid: string;
  scope: OAuthScope;
  expiresAt: number;
}

export type GlobalTokenKind = 'token' | 'stable';

export interface GlobalToken {
  accessToken: string;
  appId: string;
  kind: GlobalTokenKind;
  issuedAt: number;
  expiresAt: number;
  /** When a later fetch superseded this token: it answers 40001 from this instant on. */
  invalidAt?: number;
}

export interface JsapiTicket {
  ticket: string;
  appId: string;
  issuedAt: number;
  expiresAt: number;
}

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

/** How an order was signed for: a v2 sign type, or RSA for an order placed through API v3. */
export type OrderSignScheme = SignType | 'RSA';

export type RefundStatus = 'SUCCESS' | 'ABNORMAL' | 'CLOSED';

export interface EmulatorOrder {
  mchId: string;
  appId: string;
  outTradeNo: string;
  /** The parameters that define the order; a re-submission must repeat them (else OUT_TRADE_NO_USED). */
  fingerprint: string;
  body: string;
  attach: string;
  detail: string;
  deviceInfo: string;
  totalFee: number;
  feeType: string;
  tradeType: string;
  openid: string;
  notifyUrl: string;
  signType: OrderSignScheme;
  /** v3: the RFC 3339 time_expire given on the first order (it cannot change later). */
  timeExpire?: string;
  prepayId: string;
  prepayExpiresAt: number;
  tradeState: TradeState;
  createdAt: number;
  transactionId?: string;
  paidAt?: number;
  refundedFee: number;
}

export interface EmulatorRefund {
  mchId: string;
  appId: string;
  outTradeNo: string;
  transactionId: string;
  outRefundNo: string;
  refundId: string;
  totalFee: number;
  refundFee: number;
  refundDesc: string;
  notifyUrl: string;
  status: RefundStatus;
  /**
   * Who placed it, which decides the notify format: absent = API v2 (XML), `v3` = API v3 (JSON), `console` =
   * the merchant platform, which notifies in v2 XML when the merchant has a v2 key (as WeChat does), else v3.
   */
  source?: 'v3' | 'console';
  createdAt: number;
  successAt: number;
}

export type FaultKind =
  'http500' | 'timeout' | 'busy' | 'token_invalid' | 'systemerror' | 'frequency_limited' | 'drop';

export interface Fault {
  endpoint: string;
  kind: FaultKind;
  remaining: number;
}

export interface AppCounters {
  token: number;
  stableToken: number;
  ticket: number;
}

export interface ShareRecord {
  kind: 'appMessage' | 'timeline';
  title: string;
  desc?: string;
  link: string;
  imgUrl: string;
  pageUrl: string;
  at: number;
}

export interface EmulatorState {
  now(): number;
  /** Milliseconds added to the base clock by `POST /__emulator/clock`. */
  clockOffsetMs: number;
  seedDemo: boolean;
  apps: Map<string, EmulatorApp>;
  merchants: Map<string, EmulatorMerchant>;
  users: Map<string, EmulatorUser>;
  /** Users in creation order (the consent page lists them so). */
  defaultUserId: string;
  autoDecision: 'allow' | 'deny' | null;
  codes: Map<string, OAuthCode>;
  consents: Map<string, PendingConsent>;
  snsTokens: Map<string, SnsToken>;
  snsRefreshTokens: Map<string, SnsRefreshToken>;
  globalTokens: Map<string, GlobalToken>;
  stableForceRefreshes: Map<string, number[]>;
  tickets: Map<string, JsapiTicket>;
  /** key `${mchId}:${outTradeNo}` */
  orders: Map<string, EmulatorOrder>;
  /** key `${mchId}:${outRefundNo}` */
  refunds: Map<string, EmulatorRefund>;
  faults: Fault[];
  notifyDuplicates: number;
  /** How the next refunds end (control API `refund-outcome`); SUCCESS unless a test asks otherwise. */
  refundOutcome: RefundStatus;
  appCounters: Map<string, AppCounters>;
  endpointCounters: Map<string, number>;
  shares: ShareRecord[];
  /** Verified jsApiList per wx.config: key `${appId} ${signature}`. */
  verifiedApis: Map<string, Set<string>>;
  sequence: number;
}

export interface CreateEmulatorStateOptions {
  seedDemo?: boolean;
  now?: () => number;
}

export function createEmulatorState(options: CreateEmulatorStateOptions = {}): EmulatorState {
  const baseNow = options.now ?? (() => Date.now());
  const state: EmulatorState = {
    now: () => baseNow() + state.clockOffsetMs,
    clockOffsetMs: 0,
    seedDemo: options.seedDemo ?? true,
    apps: new Map(),
    merchants: new Map(),
    users: new Map(),
    defaultUserId: 'alice',
    autoDecision: null,
    codes: new Map(),
    consents: new Map(),
    snsTokens: new Map(),
    snsRefreshTokens: new Map(),
    globalTokens: new Map(),
    stableForceRefreshes: new Map(),
    tickets: new Map(),
    orders: new Map(),
    refunds: new Map(),
    faults: [],
    notifyDuplicates: 0,
    refundOutcome: 'SUCCESS',
    appCounters: new Map(),
    endpointCounters: new Map(),
    shares: [],
    verifiedApis: new Map(),
    sequence: 0,
  };
  resetEmulatorState(state);
  return state;
}

/** Back to the seeded state. The clock offset is kept: time does not run backwards. */
export function resetEmulatorState(state: EmulatorState): void {
  state.apps.clear();
  state.merchants.clear();
  state.users.clear();
  state.codes.clear();
  state.consents.clear();
  state.snsTokens.clear();
  state.snsRefreshTokens.clear();
  state.globalTokens.clear();
  state.stableForceRefreshes.clear();
  state.tickets.clear();
  state.orders.clear();
  state.refunds.clear();
  state.faults = [];
  state.notifyDuplicates = 0;
  state.refundOutcome = 'SUCCESS';
  state.appCounters.clear();
  state.endpointCounters.clear();
  state.shares = [];
  state.verifiedApis.clear();
  state.defaultUserId = 'alice';
  state.autoDecision = null;
  if (state.seedDemo) seedDemoData(state);
}

function seedDemoData(state: EmulatorState): void {
  state.apps.set(DEMO_APP_ID, {
    appId: DEMO_APP_ID,
    appSecret: DEMO_APP_SECRET,
    name: 'wxh5 演示公众号',
    oauthDomains: ['localhost', '127.0.0.1'],
    jsDomains: ['localhost', '127.0.0.1'],
  });
  state.merchants.set(DEMO_MCH_ID, {
    mchId: DEMO_MCH_ID,
    key: DEMO_PAY_KEY,
    v3: loadDemoMerchantV3(),
    name: 'wxh5 演示商户',
    appIds: [DEMO_APP_ID],
    payDirectories: ['http://localhost/', 'http://127.0.0.1/', 'https://localhost/', 'https://127.0.0.1/'],
  });
  for (const user of [
    { userId: 'alice', nickname: 'Alice 王' },
    { userId: 'bob', nickname: 'Bob 李' },
    { userId: 'carol', nickname: 'Carol 张' },
  ]) {
    state.users.set(user.userId, { ...user, avatarUrl: '' });
  }
}

/** A user's openid under an app: `o` + 27 url-safe chars, stable for (appId, userId). */
export function openidFor(appId: string, userId: string): string {
  const digest = createHash('sha256').update(`${appId}\u0000${userId}`).digest('base64url');
  return `o${digest.slice(0, 27)}`;
}

export function findUserByOpenid(
  state: EmulatorState,
  appId: string,
  openid: string,
): EmulatorUser | undefined {
  for (const user of state.users.values()) {
    if (openidFor(appId, user.userId) === openid) return user;
  }
  return undefined;
}

/** Random url-safe token of `length` characters. */
export function randomToken(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 3)
    .toString('base64url')
    .slice(0, length);
}

export function randomDigits(length: number): string {
  let out = '';
  const bytes = randomBytes(length);
  for (const byte of bytes) out += String(byte % 10);
  return out;
}

export function countersFor(state: EmulatorState, appId: string): AppCounters {
  let counters = state.appCounters.get(appId);
  if (!counters) {
    counters = { token: 0, stableToken: 0, ticket: 0 };
    state.appCounters.set(appId, counters);
  }
  return counters;
}

export function orderKey(mchId: string, outTradeNo: string): string {
  return `${mchId}:${outTradeNo}`;
}
