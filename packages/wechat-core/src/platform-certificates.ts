import { decryptAeadAesGcm } from './aead-aes-gcm';
import type { AeadResource } from './aead-aes-gcm';
import { KeyLoadError } from './key-load-error';
import { loadPlatformCertificate } from './load-keys';
import type { PlatformCertificate } from './load-keys';

/**
 * Reads a `GET /v3/certificates` answer: decrypts each `encrypt_certificate` with the APIv3 key and checks
 * that the certificate inside carries the serial the entry claims. The answer itself must already have
 * been verified (its signature) by the caller — on first download, with the certificate it contains.
 */
export function readPlatformCertificates(answer: unknown, apiV3Key: string): PlatformCertificate[] {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new KeyLoadError('not_pem', 'a /v3/certificates answer has a data array');
  return data.map((entry: unknown) => {
    const { serial_no: serialNo, encrypt_certificate: resource } = (entry ?? {}) as {
      serial_no?: unknown;
      encrypt_certificate?: AeadResource;
    };
    if (typeof serialNo !== 'string' || resource === undefined) {
      throw new KeyLoadError('not_pem', 'a /v3/certificates entry lacks serial_no or encrypt_certificate');
    }
    const certificate = loadPlatformCertificate(decryptAeadAesGcm(resource, apiV3Key));
    if (certificate.serialNo !== serialNo.toUpperCase()) {
      throw new KeyLoadError(
        'bad_key',
        `the certificate decrypted for serial ${serialNo} has serial ${certificate.serialNo}`,
      );
    }
    return certificate;
  });
}
