import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { KeyLoadError } from './key-load-error';

/** A platform certificate as the verifier needs it: WeChat names it by its serial in `Wechatpay-Serial`. */
export interface PlatformCertificate {
  /** Uppercase hex, as WeChat writes it (`5157F09EFDC096DE15EBE81A47057A7232F1B8E1`). */
  serialNo: string;
  publicKey: KeyObject;
  validFrom: Date;
  validTo: Date;
  pem: string;
}

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/g;

function pemLabels(text: string): string[] {
  return [...text.matchAll(PEM_LABEL)].map((match) => match[1] ?? '');
}

function asText(material: string | Buffer): string | null {
  const text = typeof material === 'string' ? material : material.toString('latin1');
  return text.includes('-----BEGIN ') ? text : null;
}

const P12_HINT =
  'this looks like apiclient_cert.p12: OpenSSL 3 refuses its legacy RC2 encryption; use apiclient_key.pem ' +
  'from the same download (or `openssl pkcs12 -legacy -in apiclient_cert.p12 -nocerts -nodes`)';

function requireRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyLoadError(
      'unsupported_key',
      `${what} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; WeChat Pay v3 uses RSA (2048 bits)`,
    );
  }
  return key;
}

/**
 * Loads the merchant's API private key (`apiclient_key.pem`: PKCS#8 `PRIVATE KEY`, or PKCS#1
 * `RSA PRIVATE KEY`; DER PKCS#8 too). Names the usual mistakes instead of OpenSSL's "unsupported".
 */
export function loadMerchantPrivateKey(material: string | Buffer): KeyObject {
  const text = asText(material);
  if (text === null) {
    const der = typeof material === 'string' ? Buffer.from(material, 'latin1') : material;
    try {
      return requireRsa(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), 'the private key');
    } catch (error) {
      if (error instanceof KeyLoadError) throw error;
      if (der[0] === 0x30) throw new KeyLoadError('pkcs12_given', P12_HINT, { cause: error });
      throw new KeyLoadError(
        'not_pem',
        'the merchant private key is not PEM text (-----BEGIN PRIVATE KEY-----)',
      );
    }
  }
  const labels = pemLabels(text);
  if (labels.includes('ENCRYPTED PRIVATE KEY')) {
    throw new KeyLoadError(
      'encrypted_key',
      'the merchant private key is passphrase-protected; decrypt it first',
    );
  }
  if (!labels.includes('PRIVATE KEY') && !labels.includes('RSA PRIVATE KEY')) {
    if (labels.includes('CERTIFICATE')) {
      throw new KeyLoadError(
        'certificate_given',
        'a certificate was given where the merchant private key belongs: use apiclient_key.pem, not apiclient_cert.pem',
      );
    }
    if (labels.includes('PUBLIC KEY') || labels.includes('RSA PUBLIC KEY')) {
      throw new KeyLoadError(
        'public_key_given',
        'a public key was given where the merchant private key belongs (is this the WeChat Pay pub_key.pem?)',
      );
    }
    throw new KeyLoadError('not_pem', `the PEM holds ${labels.join(', ') || 'nothing'}, not a private key`);
  }
  try {
    return requireRsa(createPrivateKey({ key: text, format: 'pem' }), 'the merchant private key');
  } catch (error) {
    if (error instanceof KeyLoadError) throw error;
    throw new KeyLoadError('bad_key', 'the merchant private key PEM does not parse', { cause: error });
  }
}

/** Loads the WeChat Pay public key (`pub_key.pem`, SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`). */
export function loadWechatpayPublicKey(material: string | Buffer): KeyObject {
  const text = asText(material);
  if (text === null) throw new KeyLoadError('not_pem', 'the WeChat Pay public key is not PEM text');
  const labels = pemLabels(text);
  if (labels.some((label) => label.endsWith('PRIVATE KEY'))) {
    throw new KeyLoadError(
      'private_key_given',
      'a private key was given where the WeChat Pay public key belongs (pub_key.pem from 账户中心 → API安全)',
    );
  }
  if (!labels.includes('PUBLIC KEY') && !labels.includes('RSA PUBLIC KEY')) {
    if (labels.includes('CERTIFICATE')) {
      throw new KeyLoadError(
        'certificate_given',
        'a certificate was given where the WeChat Pay public key belongs: configure it as a platform certificate',
      );
    }
    throw new KeyLoadError('not_pem', `the PEM holds ${labels.join(', ') || 'nothing'}, not a public key`);
  }
  try {
    return requireRsa(createPublicKey({ key: text, format: 'pem' }), 'the WeChat Pay public key');
  } catch (error) {
    if (error instanceof KeyLoadError) throw error;
    throw new KeyLoadError('bad_key', 'the WeChat Pay public key PEM does not parse', { cause: error });
  }
}

/** Loads a WeChat Pay platform certificate (PEM) with its serial and validity. */
export function loadPlatformCertificate(material: string | Buffer): PlatformCertificate {
  const text = asText(material);
  if (text === null) throw new KeyLoadError('not_pem', 'the platform certificate is not PEM text');
  const labels = pemLabels(text);
  if (!labels.includes('CERTIFICATE')) {
    const reason = labels.some((label) => label.endsWith('PRIVATE KEY')) ? 'private_key_given' : 'not_pem';
    throw new KeyLoadError(reason, `the PEM holds ${labels.join(', ') || 'nothing'}, not a certificate`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(text);
  } catch (error) {
    throw new KeyLoadError('bad_key', 'the platform certificate PEM does not parse', { cause: error });
  }
  return {
    serialNo: cert.serialNumber.toUpperCase(),
    publicKey: requireRsa(cert.publicKey, 'the platform certificate key'),
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
    pem: cert.toString(),
  };
}
