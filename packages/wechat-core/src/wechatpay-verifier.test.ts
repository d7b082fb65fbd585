import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestKeyPair } from '../test/v3-keys';
import { V3SignatureError } from './v3-signature-error';
import { createWechatpayVerifier, readWechatpayHeaders, signWechatpayMessage } from './wechatpay-verifier';
import type { WechatpayKeySet, WechatpayVerifier } from './wechatpay-verifier';

const NOW_S = 1_800_000_000;
const now = (): number => NOW_S * 1000;
const wechatPublic = createTestKeyPair();
const platform = createTestKeyPair();
const otherPlatform = createTestKeyPair();
const stranger = createTestKeyPair();
const PUB_KEY_ID = 'PUB_KEY_ID_0119000001092025120200000000000001';
const CERT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const OTHER_SERIAL = '3A1C0D7E5B9F2468ACE013579BDF02468ACE0135';
const body = '{"id":"EV-1","resource":{"ciphertext":"x"}}';

function signed(
  privateKey: typeof wechatPublic.privateKey,
  serial: string,
  over = body,
): Record<string, string> {
  const headers = signWechatpayMessage({ privateKey, serial, body: over, timestamp: NOW_S, nonce: 'n0nce' });
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** `publicKey` / `platformCertificate` when accepted, else the refusal's reason. */
function outcome(
  verifier: WechatpayVerifier,
  headers: Record<string, string>,
  over: string | Buffer = body,
): string {
  try {
    return verifier.verify(readWechatpayHeaders(headers, over)).via;
  } catch (error) {
    if (error instanceof V3SignatureError) return error.reason;
    throw error;
  }
}

const publicKeyOnly: WechatpayKeySet = { publicKey: { id: PUB_KEY_ID, key: wechatPublic.publicKey } };
const certificatesOnly: WechatpayKeySet = {
  certificates: [
    { serialNo: CERT_SERIAL, publicKey: platform.publicKey },
    { serialNo: OTHER_SERIAL, publicKey: otherPlatform.publicKey },
  ],
};
const combined: WechatpayKeySet = { ...publicKeyOnly, ...certificatesOnly };

describe('createWechatpayVerifier: the combined-verifier table', () => {
  // [key set, signed by, Wechatpay-Serial sent, expected]
  const table = [
    ['public key only', publicKeyOnly, wechatPublic, PUB_KEY_ID, 'publicKey'],
    ['public key only', publicKeyOnly, platform, CERT_SERIAL, 'unknown_serial'],
    ['public key only', publicKeyOnly, stranger, PUB_KEY_ID, 'bad_signature'],
    ['certificates only', certificatesOnly, platform, CERT_SERIAL, 'platformCertificate'],
    ['certificates only', certificatesOnly, otherPlatform, OTHER_SERIAL, 'platformCertificate'],
    ['certificates only', certificatesOnly, wechatPublic, PUB_KEY_ID, 'unknown_serial'],
    ['certificates only', certificatesOnly, platform, OTHER_SERIAL, 'bad_signature'],
    ['combined', combined, wechatPublic, PUB_KEY_ID, 'publicKey'],
    ['combined', combined, platform, CERT_SERIAL, 'platformCertificate'],
    ['combined', combined, platform, CERT_SERIAL.toLowerCase(), 'platformCertificate'],
    ['combined', combined, platform, PUB_KEY_ID, 'bad_signature'],
    ['combined', combined, wechatPublic, CERT_SERIAL, 'bad_signature'],
    ['combined', combined, stranger, 'FFFF', 'unknown_serial'],
  ] as const;

  it.each(table)('%s, row %#: gives the expected verdict', (_, keys, signer, serial, expected) => {
    const verifier = createWechatpayVerifier(keys, { now });
    expect(outcome(verifier, signed(signer.privateKey, serial))).toBe(expected);
  });

  it('lists the serials a request may name', () => {
    expect(createWechatpayVerifier(combined, { now }).serials()).toEqual([
      PUB_KEY_ID,
      CERT_SERIAL,
      OTHER_SERIAL,
    ]);
  });

  it('refuses to build a verifier with no key at all', () => {
    expect(() => createWechatpayVerifier({}, { now })).toThrow(RangeError);
  });
});

describe('createWechatpayVerifier: refusals', () => {
  const verifier = createWechatpayVerifier(combined, { now });
  const good = signed(wechatPublic.privateKey, PUB_KEY_ID);

  it('accepts the body as a Buffer of the same bytes', () => {
    expect(outcome(verifier, good, Buffer.from(body, 'utf8'))).toBe('publicKey');
  });

  it.each(['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'])(
    'refuses a message without %s',
    (name) => {
      const { [name]: _dropped, ...rest } = good;
      expect(outcome(verifier, rest)).toBe('missing_header');
      expect(outcome(verifier, { ...good, [name]: '' })).toBe('missing_header');
    },
  );

  it('refuses a WECHATPAY/SIGNTEST/ probe even when everything else is right', () => {
    const probe = signWechatpayMessage({
      privateKey: wechatPublic.privateKey,
      serial: PUB_KEY_ID,
      body,
      timestamp: NOW_S,
      probe: true,
    });
    expect(probe['Wechatpay-Signature']).toMatch(/^WECHATPAY\/SIGNTEST\//);
    const lower = Object.fromEntries(
      Object.entries(probe).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(outcome(verifier, lower)).toBe('signature_probe');
  });

  it.each([
    [NOW_S - 301, 'stale_timestamp'],
    [NOW_S + 301, 'stale_timestamp'],
    [NOW_S - 300, 'publicKey'],
    [NOW_S + 300, 'publicKey'],
  ])('judges a message stamped %i against now = 1800000000 as %s', (timestamp, expected) => {
    const headers = signWechatpayMessage({
      privateKey: wechatPublic.privateKey,
      serial: PUB_KEY_ID,
      body,
      timestamp,
    });
    const lower = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(outcome(verifier, lower)).toBe(expected);
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(outcome(verifier, { ...good, 'wechatpay-timestamp': '1.8e9' })).toBe('bad_timestamp');
  });

  it('refuses the same headers over other bytes (a re-serialised body is other bytes)', () => {
    const reformatted = JSON.stringify(JSON.parse(body), null, 1);
    expect(outcome(verifier, good, reformatted)).toBe('bad_signature');
    expect(outcome(verifier, good, `${body} `)).toBe('bad_signature');
  });

  it('refuses a signature that is not base64', () => {
    expect(outcome(verifier, { ...good, 'wechatpay-signature': 'not base64!' })).toBe('bad_signature');
  });
});

describe('createWechatpayVerifier: properties', () => {
  const verifier = createWechatpayVerifier(combined, { now });
  const good = signed(platform.privateKey, CERT_SERIAL);

  it('refuses any change to one byte of the body', () => {
    fc.assert(
      fc.property(fc.nat(body.length - 1), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const bytes = Buffer.from(body, 'utf8');
        bytes[index] = ((bytes[index] ?? 0) + delta) % 256;
        return outcome(verifier, good, bytes) === 'bad_signature';
      }),
      { numRuns: 50 },
    );
  });

  it('refuses any other timestamp within the window, any other nonce and any other serial', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -300, max: 300 }).filter((delta) => delta !== 0),
        fc.string({ minLength: 1, maxLength: 32 }).filter((nonce) => nonce !== 'n0nce'),
        fc.constantFrom(OTHER_SERIAL, PUB_KEY_ID),
        (delta, nonce, serial) =>
          outcome(verifier, { ...good, 'wechatpay-timestamp': String(NOW_S + delta) }) === 'bad_signature' &&
          outcome(verifier, { ...good, 'wechatpay-nonce': nonce }) === 'bad_signature' &&
          outcome(verifier, { ...good, 'wechatpay-serial': serial }) === 'bad_signature',
      ),
      { numRuns: 50 },
    );
  });
});
