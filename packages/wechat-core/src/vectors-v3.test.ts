import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildJsapiPayParamsV3,
  createWechatpayVerifier,
  decryptAeadAesGcm,
  encryptAeadAesGcm,
  loadMerchantPrivateKey,
  loadPlatformCertificate,
  readWechatpayHeaders,
  signV3Request,
  verifyJsapiPaySignV3,
} from './index';

type Vectors = {
  pay_v3_request_signature: {
    method: string;
    url: string;
    timestamp: string;
    nonce: string;
    body: string;
    signature: string;
  };
  pay_v3_jsapi_pay_sign: { message: string; signature: string };
  aes_256_gcm: { key: string; nonce: string; associated_data: string; plaintext: string; ciphertext: string };
  v3_notify_wechatpay_go: {
    now: number;
    headers: Record<string, string>;
    certificate: string;
    body: string;
    api_v3_key: string;
    plaintext: string;
  };
};

const vectors = JSON.parse(
  readFileSync(new URL('../test/fixtures/vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const docKey = loadMerchantPrivateKey(
  readFileSync(new URL('../test/fixtures/v3-doc-test-private-key.pem', import.meta.url)),
);

describe('v3 known-answer vectors', () => {
  it('signs the official request sample (V5) into the documented Authorization signature', () => {
    const v = vectors.pay_v3_request_signature;
    const signed = signV3Request({
      method: v.method,
      url: v.url,
      body: v.body,
      mchId: '1900007291',
      serialNo: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
      privateKey: docKey,
      timestamp: v.timestamp,
      nonce: v.nonce,
    });
    expect(signed.signature).toBe(v.signature);
    expect(signed.authorization).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="${v.nonce}",timestamp="${v.timestamp}",` +
        `serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB",signature="${v.signature}"`,
    );
  });

  it('signs the JSAPI pay params (V6) over appId, timeStamp, nonceStr and package, each line ending in \\n', () => {
    const v = vectors.pay_v3_jsapi_pay_sign;
    const [appId = '', timeStamp = '', nonceStr = '', pkg = ''] = v.message.split('\n');
    const params = buildJsapiPayParamsV3({
      appId,
      timeStamp,
      nonceStr,
      prepayId: pkg.slice('prepay_id='.length),
      privateKey: docKey,
    });
    expect(params).toEqual({
      appId,
      timeStamp,
      nonceStr,
      package: pkg,
      signType: 'RSA',
      paySign: v.signature,
    });
    expect(verifyJsapiPaySignV3(params, docKey)).toBe(true);
  });

  it('decrypts the self-made AES-256-GCM resource and encrypts it back to the same bytes', () => {
    const v = vectors.aes_256_gcm;
    const resource = { ciphertext: v.ciphertext, nonce: v.nonce, associated_data: v.associated_data };
    expect(decryptAeadAesGcm(resource, v.key)).toBe(v.plaintext);
    expect(
      encryptAeadAesGcm(v.plaintext, v.key, { nonce: v.nonce, associatedData: v.associated_data }),
    ).toEqual({
      algorithm: 'AEAD_AES_256_GCM',
      ...resource,
    });
  });

  it("verifies and decrypts the official Go SDK's notify (V7) with its certificate, at its time", () => {
    const v = vectors.v3_notify_wechatpay_go;
    const cert = loadPlatformCertificate(v.certificate);
    expect(cert.serialNo).toBe('D7CE59D1F522D701');
    const verifier = createWechatpayVerifier({ certificates: [cert] }, { now: () => v.now * 1000 });
    const lower = Object.fromEntries(
      Object.entries(v.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(verifier.verify(readWechatpayHeaders(lower, v.body))).toEqual({
      serial: 'D7CE59D1F522D701',
      via: 'platformCertificate',
    });
    const { resource } = JSON.parse(v.body) as {
      resource: { ciphertext: string; nonce: string; associated_data: string };
    };
    expect(decryptAeadAesGcm(resource, v.api_v3_key)).toBe(v.plaintext);
  });

  it('refuses V7 ten minutes later', () => {
    const v = vectors.v3_notify_wechatpay_go;
    const verifier = createWechatpayVerifier(
      { certificates: [loadPlatformCertificate(v.certificate)] },
      { now: () => (v.now + 600) * 1000 },
    );
    const lower = Object.fromEntries(
      Object.entries(v.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(() => verifier.verify(readWechatpayHeaders(lower, v.body))).toThrow(/300 s/);
  });
});
