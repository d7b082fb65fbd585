import pino, { type Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log line: secrets, tokens and cookies never reach the logs. */
export const REDACTED_PATHS = [
  'config.wechat.appSecret',
  'config.wechat.payKey',
  'config.cookieKeys',
  'config.adminToken',
  '*.appSecret',
  '*.payKey',
  '*.apiV3Key',
  '*.secret',
  '*.access_token',
  '*.accessToken',
  '*.refresh_token',
  '*.refreshToken',
  '*.ticket',
  '*.code',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
