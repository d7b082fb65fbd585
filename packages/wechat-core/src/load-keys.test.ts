import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestKeyPair } from '../test/v3-keys';
import { KeyLoadError } from './key-load-error';
import { loadMerchantPrivateKey, loadPlatformCertificate, loadWechatpayPublicKey } from './load-keys';

const pair = createTestKeyPair();
const pkcs1 = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const pkcs1Public = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const der = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
const vectors = JSON.parse(
  readFileSync(new URL('../test/fixtures/vectors.json', import.meta.url), 'utf8'),
) as {
  v3_notify_wechatpay_go: { certificate: string };
};
const certificate = vectors.v3_notify_wechatpay_go.certificate;
const p12 = readFileSync(new URL('../test/fixtures/apiclient_cert.p12', import.meta.url));

function reasonOf(run: () => unknown): string {
  try {
    run();
    return 'loaded';
  } catch (error) {
    if (error instanceof KeyLoadError) return error.reason;
    throw error;
  }
}

describe('loadMerchantPrivateKey', () => {
  it.each([
    ['PKCS#8 PEM', pair.privatePem],
    ['PKCS#1 PEM', pkcs1],
    ['PKCS#8 PEM with CRLF line ends', pair.privatePem.replace(/\n/g, '\r\n')],
    ['PKCS#8 DER', der],
  ])('loads a %s', (_, material) => {
    expect(loadMerchantPrivateKey(material).asymmetricKeyType).toBe('rsa');
  });

  it.each([
    ['the WeChat Pay public key', pair.publicPem, 'public_key_given', /pub_key\.pem/],
    ['a PKCS#1 public key', pkcs1Public, 'public_key_given', /public key/],
    ['apiclient_cert.pem', certificate, 'certificate_given', /apiclient_key\.pem/],
    ['apiclient_cert.p12', p12, 'pkcs12_given', /OpenSSL 3/],
    ['plain text', 'hello', 'not_pem', /not PEM/],
    [
      'a passphrase-protected key',
      pair.privateKey
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
        .toString(),
      'encrypted_key',
      /passphrase/,
    ],
    [
      'an EC key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      'unsupported_key',
      /RSA/,
    ],
    [
      'a truncated PEM',
      pair.privatePem.slice(0, 200) + '\n-----END PRIVATE KEY-----\n',
      'bad_key',
      /does not parse/,
    ],
  ])('names the trap when given %s', (_, material, reason, message) => {
    expect(reasonOf(() => loadMerchantPrivateKey(material))).toBe(reason);
    expect(() => loadMerchantPrivateKey(material)).toThrow(message);
  });
});

describe('loadWechatpayPublicKey', () => {
  it('loads SPKI and PKCS#1 public keys', () => {
    expect(loadWechatpayPublicKey(pair.publicPem).type).toBe('public');
    expect(loadWechatpayPublicKey(pkcs1Public).type).toBe('public');
  });

  it.each([
    ['a private key', pair.privatePem, 'private_key_given'],
    ['a certificate', certificate, 'certificate_given'],
    ['plain text', 'PUB_KEY_ID_0114232134912410000000000000', 'not_pem'],
  ])('refuses %s', (_, material, reason) => {
    expect(reasonOf(() => loadWechatpayPublicKey(material))).toBe(reason);
  });
});

describe('loadPlatformCertificate', () => {
  it('reads the serial in upper-case hex and the validity', () => {
    const cert = loadPlatformCertificate(certificate);
    expect(cert.serialNo).toBe('D7CE59D1F522D701');
    expect(cert.validTo.getUTCFullYear()).toBe(2031);
    expect(cert.publicKey.type).toBe('public');
  });

  it('refuses a key given as a certificate', () => {
    expect(reasonOf(() => loadPlatformCertificate(pair.privatePem))).toBe('private_key_given');
    expect(reasonOf(() => loadPlatformCertificate(pair.publicPem))).toBe('not_pem');
  });
});
