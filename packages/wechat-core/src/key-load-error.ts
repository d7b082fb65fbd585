import { WechatCoreError } from './wechat-core-error';

/**
 * - `not_pem`: neither PEM text nor a DER key.
 * - `public_key_given`: a public key (often the WeChat Pay `pub_key.pem`) where the merchant private key belongs.
 * - `certificate_given`: a certificate (`apiclient_cert.pem` or a platform certificate) where a key belongs.
 * - `private_key_given`: a private key where a WeChat Pay public key belongs.
 * - `pkcs12_given`: a `.p12` bundle; OpenSSL 3 refuses its legacy RC2-40 encryption, so it cannot be read.
 * - `encrypted_key`: a passphrase-protected key; WeChat's `apiclient_key.pem` has none.
 * - `unsupported_key`: not an RSA key (WeChat Pay v3 signs with RSA 2048 only).
 * - `bad_key`: PEM armour around bytes OpenSSL cannot read.
 */
export type KeyLoadErrorReason =
  | 'not_pem'
  | 'public_key_given'
  | 'certificate_given'
  | 'private_key_given'
  | 'pkcs12_given'
  | 'encrypted_key'
  | 'unsupported_key'
  | 'bad_key';

export class KeyLoadError extends WechatCoreError {
  readonly reason: KeyLoadErrorReason;

  constructor(reason: KeyLoadErrorReason, message: string, options?: { cause?: unknown }) {
    super('KEY_LOAD_ERROR', message, options);
    this.name = 'KeyLoadError';
    this.reason = reason;
  }
}
