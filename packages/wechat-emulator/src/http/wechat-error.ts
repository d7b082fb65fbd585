// WeChat's JSON error shape for /sns/* and /cgi-bin/*: always HTTP 200, errmsg carries a request id suffix
// (`invalid code, rid: 610bd4ad-0b8248fc-0a4d403b`) like the current servers do.
import { randomBytes } from 'node:crypto';

export interface WechatErrorBody {
  errcode: number;
  errmsg: string;
}

function createRid(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

function wechatError(errcode: number, errmsg: string): WechatErrorBody {
  return { errcode, errmsg: `${errmsg}, rid: ${createRid()}` };
}

/** The errmsg texts real WeChat uses for each code we emit. */
const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40030: 'invalid refresh_token',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip, not in whitelist',
  41001: 'access_token missing',
  41002: 'appid missing',
  41003: 'refresh_token missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  41009: 'missing openid',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  42003: 'code expired',
  45009: 'reach max api daily quota limit',
  48001: 'api unauthorized',
};

/** 40164 names the caller's address the way WeChat does: `invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist`. */
export function ipNotWhitelisted(ip: string): WechatErrorBody {
  const v4 = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  return wechatError(40164, `invalid ip ${v4} ipv6 ::ffff:${v4}, not in whitelist`);
}

export function wechatErrorFor(errcode: number): WechatErrorBody {
  return wechatError(errcode, ERRMSG[errcode] ?? 'system error');
}
