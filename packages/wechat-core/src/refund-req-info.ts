import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { buildXml } from './build-xml';
import type { XmlParams } from './build-xml';
import { parseXmlWithRoot } from './parse-xml';
import { RefundDecryptError } from './refund-decrypt-error';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** AES-256 key: the 32 ASCII bytes of lowercase hex md5(API key) — the hex text, not its bytes. */
function refundAesKey(apiKey: string): Buffer {
  return Buffer.from(createHash('md5').update(apiKey, 'utf8').digest('hex'), 'ascii');
}

/**
 * Decrypts the refund notify's `req_info` (base64 of AES-256-ECB, PKCS#7) and parses its
 * `<root>` plaintext into `{ out_refund_no, refund_status, … }`. The outer refund notify has no
 * `sign`: a successful decryption with the API key is what authenticates it.
 */
export function decryptRefundReqInfo(reqInfo: string, apiKey: string): Record<string, string> {
  const compact = typeof reqInfo === 'string' ? reqInfo.replace(/[\r\n]/g, '') : '';
  if (compact === '' || !BASE64.test(compact)) {
    throw new RefundDecryptError('bad_base64', 'req_info is not base64');
  }
  const ciphertext = Buffer.from(compact, 'base64');
  if (ciphertext.length % 16 !== 0) {
    throw new RefundDecryptError('bad_base64', 'req_info is not a whole number of AES blocks');
  }
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-ecb', refundAesKey(apiKey), null);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw new RefundDecryptError('bad_padding', 'req_info does not decrypt: wrong API key?', {
      cause: error,
    });
  }
  try {
    const xml = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    return parseXmlWithRoot(xml, 'root');
  } catch (error) {
    throw new RefundDecryptError('bad_xml', 'req_info plaintext is not a flat <root> document', {
      cause: error,
    });
  }
}

/** The inverse of `decryptRefundReqInfo`, for the emulator's refund notifies. */
export function encryptRefundReqInfo(fields: XmlParams, apiKey: string): string {
  const cipher = createCipheriv('aes-256-ecb', refundAesKey(apiKey), null);
  const xml = buildXml(fields, { root: 'root' });
  return Buffer.concat([cipher.update(xml, 'utf8'), cipher.final()]).toString('base64');
}
