import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AeadDecryptError } from './aead-decrypt-error';
import { encryptAeadAesGcm } from './aead-aes-gcm';
import { KeyLoadError } from './key-load-error';
import { readPlatformCertificates } from './platform-certificates';

const { certificate } = (
  JSON.parse(readFileSync(new URL('../test/fixtures/vectors.json', import.meta.url), 'utf8')) as {
    v3_notify_wechatpay_go: { certificate: string };
  }
).v3_notify_wechatpay_go;
const key = '0123456789abcdef0123456789abcdef';

function answer(serialNo: string, apiV3Key = key): unknown {
  return {
    data: [
      {
        serial_no: serialNo,
        effective_time: '2021-04-27T16:55:23+08:00',
        expire_time: '2031-04-25T16:55:23+08:00',
        encrypt_certificate: encryptAeadAesGcm(certificate, apiV3Key, { associatedData: 'certificate' }),
      },
    ],
  };
}

describe('readPlatformCertificates', () => {
  it('decrypts each certificate with the APIv3 key and keeps its serial', () => {
    const [cert] = readPlatformCertificates(answer('D7CE59D1F522D701'), key);
    expect(cert?.serialNo).toBe('D7CE59D1F522D701');
  });

  it('refuses an entry whose certificate has another serial than it claims', () => {
    expect(() => readPlatformCertificates(answer('ABCDEF'), key)).toThrow(KeyLoadError);
  });

  it('refuses an answer encrypted with another APIv3 key, and one without data', () => {
    expect(() => readPlatformCertificates(answer('D7CE59D1F522D701', 'X'.repeat(32)), key)).toThrow(
      AeadDecryptError,
    );
    expect(() => readPlatformCertificates({ code: 'RESOURCE_NOT_EXISTS' }, key)).toThrow(/data array/);
  });
});
