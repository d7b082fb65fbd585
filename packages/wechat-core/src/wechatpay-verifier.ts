import type { KeyObject } from 'node:crypto';
import { createNonce } from './create-nonce';
import { buildV3SignMessage, rsaSignBase64, rsaVerifyBase64 } from './sign-v3';
import { V3SignatureError } from './v3-signature-error';

/** WeChat's answers and notifies older or newer than this are refused (the official SDKs use 5 minutes). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** The prefix of the probe signatures WeChat sends on purpose to see that a merchant refuses them. */
export const SIGNATURE_PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

/**
 * What a merchant verifies WeChat with. Public-key mode: `publicKey` alone. Platform-certificate mode:
 * `certificates` alone. During the migration (or while unsure): both, and `Wechatpay-Serial` picks —
 * the public-key ID selects the public key, any other serial a certificate (the combined verifier of
 * the official Go and Java SDKs).
 */
export interface WechatpayKeySet {
  publicKey?: { id: string; key: KeyObject };
  certificates?: readonly { serialNo: string; publicKey: KeyObject }[];
}

/** The four `Wechatpay-*` headers and the raw body, as received. */
export interface WechatpaySignedMessage {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
  body: string | Buffer;
}

export type WechatpayKeyKind = 'publicKey' | 'platformCertificate';

export interface VerifiedWechatpayMessage {
  serial: string;
  via: WechatpayKeyKind;
}

export interface WechatpayVerifier {
  /** Throws V3SignatureError unless the message is WeChat's, fresh, and over exactly these bytes. */
  verify(message: WechatpaySignedMessage): VerifiedWechatpayMessage;
  /** Every serial / public-key ID this verifier accepts (what a request's `Wechatpay-Serial` may name). */
  serials(): string[];
}

export interface CreateWechatpayVerifierOptions {
  /** Milliseconds since the epoch; inject to test the 300 s window. */
  now?: () => number;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the `Wechatpay-*` headers from Node-style lower-cased headers. */
export function readWechatpayHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string | Buffer,
): WechatpaySignedMessage {
  return {
    timestamp: header(headers['wechatpay-timestamp']),
    nonce: header(headers['wechatpay-nonce']),
    signature: header(headers['wechatpay-signature']),
    serial: header(headers['wechatpay-serial']),
    body,
  };
}

export function createWechatpayVerifier(
  keys: WechatpayKeySet,
  options: CreateWechatpayVerifierOptions = {},
): WechatpayVerifier {
  const now = options.now ?? (() => Date.now());
  const byCertSerial = new Map(
    (keys.certificates ?? []).map((cert) => [cert.serialNo.toUpperCase(), cert.publicKey] as const),
  );
  if (!keys.publicKey && byCertSerial.size === 0) {
    throw new RangeError('a WeChat Pay verifier needs a public key, platform certificates, or both');
  }

  function keyFor(serial: string): { key: KeyObject; via: WechatpayKeyKind } | undefined {
    if (keys.publicKey && serial === keys.publicKey.id) return { key: keys.publicKey.key, via: 'publicKey' };
    const cert = byCertSerial.get(serial.toUpperCase());
    return cert ? { key: cert, via: 'platformCertificate' } : undefined;
  }

  return {
    verify(message) {
      const { timestamp, nonce, signature, serial } = message;
      for (const [name, value] of [
        ['Wechatpay-Timestamp', timestamp],
        ['Wechatpay-Nonce', nonce],
        ['Wechatpay-Signature', signature],
        ['Wechatpay-Serial', serial],
      ] as const) {
        if (value === undefined || value === '') {
          throw new V3SignatureError('missing_header', `${name} is missing: not a signed WeChat Pay message`);
        }
      }
      // Narrowed above; TypeScript cannot see it through the loop.
      const ts = timestamp as string;
      const sig = signature as string;
      const ser = serial as string;
      if (sig.startsWith(SIGNATURE_PROBE_PREFIX)) {
        throw new V3SignatureError(
          'signature_probe',
          'a WECHATPAY/SIGNTEST/ probe: WeChat checks that it is refused',
        );
      }
      if (!/^\d{1,12}$/.test(ts)) {
        throw new V3SignatureError('bad_timestamp', 'Wechatpay-Timestamp is not whole seconds');
      }
      const skewSeconds = Math.abs(now() / 1000 - Number(ts));
      if (skewSeconds > MAX_CLOCK_SKEW_SECONDS) {
        throw new V3SignatureError(
          'stale_timestamp',
          `Wechatpay-Timestamp is ${Math.round(skewSeconds)} s from now (limit ${MAX_CLOCK_SKEW_SECONDS} s): a replay, or check this server's clock`,
        );
      }
      const chosen = keyFor(ser);
      if (!chosen) {
        throw new V3SignatureError(
          'unknown_serial',
          `Wechatpay-Serial ${ser} names no configured key (public-key ID or platform certificate serial)`,
        );
      }
      // The raw body bytes, never a re-serialised JSON: `TIMESTAMP\nNONCE\nBODY\n`.
      const bytes = Buffer.concat([
        Buffer.from(`${ts}\n${nonce as string}\n`, 'utf8'),
        typeof message.body === 'string' ? Buffer.from(message.body, 'utf8') : message.body,
        Buffer.from('\n', 'utf8'),
      ]);
      if (!rsaVerifyBase64(bytes, sig, chosen.key)) {
        throw new V3SignatureError(
          'bad_signature',
          `the signature does not match the body with the key ${ser}: altered body, or the wrong key configured`,
        );
      }
      return { serial: ser, via: chosen.via };
    },
    serials() {
      return [...(keys.publicKey ? [keys.publicKey.id] : []), ...byCertSerial.keys()];
    },
  };
}

export interface SignWechatpayMessageInput {
  privateKey: KeyObject;
  /** The public-key ID or the platform certificate serial the signer's key is known by. */
  serial: string;
  body: string;
  /** Seconds; default now. */
  timestamp?: number | string;
  nonce?: string;
  /** A probe: the signature is `WECHATPAY/SIGNTEST/` + random text, which must be refused. */
  probe?: boolean;
}

/** WeChat's side (the emulator, and tests): the `Wechatpay-*` headers of a response or a notify. */
export function signWechatpayMessage(input: SignWechatpayMessageInput): Record<string, string> {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = input.nonce ?? createNonce();
  const signature = input.probe
    ? `${SIGNATURE_PROBE_PREFIX}${createNonce(64)}`
    : rsaSignBase64(buildV3SignMessage([timestamp, nonce, input.body]), input.privateKey);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': input.serial,
  };
}
