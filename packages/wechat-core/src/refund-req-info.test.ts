import { createCipheriv, createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonEmptyParams, runs } from '../test/arbitraries';
import { RefundDecryptError } from './refund-decrypt-error';
import type { RefundDecryptErrorReason } from './refund-decrypt-error';
import { decryptRefundReqInfo, encryptRefundReqInfo } from './refund-req-info';

const apiKey = 'OF4Ne3znh8KqL0V4NqmALQa0uXMYKcEk';

function reasonOf(run: () => unknown): RefundDecryptErrorReason | 'no error' | 'other error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    return error instanceof RefundDecryptError ? error.reason : 'other error';
  }
}

/** Encrypts arbitrary plaintext the way WeChat does, independently of the code under test. */
function encryptRaw(plaintext: Buffer, key: string): string {
  const aesKey = Buffer.from(createHash('md5').update(key).digest('hex'), 'ascii');
  const cipher = createCipheriv('aes-256-ecb', aesKey, null);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

describe('refund req_info', () => {
  it('decrypts what encryptRefundReqInfo encrypted, for random fields', () => {
    fc.assert(
      fc.property(nonEmptyParams, (fields) => {
        const expected = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
        expect(decryptRefundReqInfo(encryptRefundReqInfo(fields, apiKey), apiKey)).toEqual(expected);
      }),
      runs,
    );
  });

  it('decrypts a <root> plaintext made with a separate implementation', () => {
    const xml =
      '<root>\n<out_refund_no><![CDATA[R1]]></out_refund_no>\n<refund_fee>100</refund_fee>\n</root>';
    expect(decryptRefundReqInfo(encryptRaw(Buffer.from(xml), apiKey), apiKey)).toEqual({
      out_refund_no: 'R1',
      refund_fee: '100',
    });
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64', 'not base64!'],
    ['a length that is not a multiple of four', 'QUJD' + 'QQ'],
    ['base64 that is not a whole number of AES blocks', Buffer.from('short').toString('base64')],
  ])('rejects %s as bad_base64', (_name, input) => {
    expect(reasonOf(() => decryptRefundReqInfo(input, apiKey))).toBe('bad_base64');
  });

  it('rejects bad PKCS#7 padding as bad_padding', () => {
    const aesKey = Buffer.from(createHash('md5').update(apiKey).digest('hex'), 'ascii');
    const cipher = createCipheriv('aes-256-ecb', aesKey, null).setAutoPadding(false);
    const block = Buffer.alloc(16, 0x00);
    const input = Buffer.concat([cipher.update(block), cipher.final()]).toString('base64');
    expect(reasonOf(() => decryptRefundReqInfo(input, apiKey))).toBe('bad_padding');
  });

  it('fails to decrypt with the wrong API key', () => {
    const input = encryptRefundReqInfo({ out_refund_no: 'R1', refund_status: 'SUCCESS' }, apiKey);
    // A wrong key leaves valid-looking padding about 1 time in 256; the XML check catches that.
    expect(['bad_padding', 'bad_xml']).toContain(reasonOf(() => decryptRefundReqInfo(input, `${apiKey}x`)));
  });

  it.each([
    ['not XML', Buffer.from('out_refund_no=R1')],
    ['the <xml> root instead of <root>', Buffer.from('<xml><a>1</a></xml>')],
    ['invalid UTF-8', Buffer.from([0x3c, 0x72, 0x6f, 0x6f, 0x74, 0x3e, 0xff, 0xfe])],
    ['a DOCTYPE', Buffer.from('<!DOCTYPE root><root/>')],
  ])('rejects a plaintext that is %s as bad_xml', (_name, plaintext) => {
    expect(reasonOf(() => decryptRefundReqInfo(encryptRaw(plaintext, apiKey), apiKey))).toBe('bad_xml');
  });
});
