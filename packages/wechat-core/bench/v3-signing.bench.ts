// WeChat Pay API v3's per-request crypto, µs of CPU per operation (this process, all threads), each next to the bare
// node:crypto call it is built on, in alternating rounds (medians):
//
// - sign: `signV3Request` (the Authorization header every v3 request carries: the message lines, a CSPRNG nonce,
//   SHA256withRSA with the merchant key, the header text) vs `crypto.sign('sha256', …)` of the same message with the
//   same pre-parsed KeyObject — and vs parsing the PEM on every call, which is what "keys parsed once" saves.
// - notify: a v3 notify's reading — `createWechatpayVerifier().verify` (headers, ±300 s, SHA256withRSA over the
//   raw bytes) + `decryptAeadAesGcm` of its resource — vs `crypto.verify` + a bare AES-256-GCM decipher.
//
// `pnpm --filter @wxh5/wechat-core bench:v3` (about 6 s); `--json` prints one JSON line instead (the api's bench
// reads it into its table).
import { createDecipheriv, createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  buildV3SignMessage,
  createWechatpayVerifier,
  decryptAeadAesGcm,
  encryptAeadAesGcm,
  signV3Request,
  signWechatpayMessage,
} from '../src/index';

const json = process.argv.includes('--json');
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const merchantPem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const wechatpay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiV3Key = 'BenchApiV3Key0123456789abcdefABC';
const publicKeyId = 'PUB_KEY_ID_0100000000000000000000000000000001';
const request = {
  method: 'POST',
  url: '/v3/pay/transactions/jsapi',
  body: JSON.stringify({
    appid: 'wxd678efh567hg6787',
    mchid: '1230000109',
    description: 'Image形象店-深圳腾大-QQ公仔',
    out_trade_no: '1217752501201407033233368018',
    notify_url: 'https://www.weixin.qq.com/wxpay/pay.php',
    amount: { total: 100, currency: 'CNY' },
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  }),
  mchId: '1230000109',
  serialNo: '3775B6A45ACD588826D15E583A95F5DD3D1E5F21',
};
const timestamp = Math.floor(Date.now() / 1000);
const message = buildV3SignMessage([
  'POST',
  request.url,
  String(timestamp),
  'NONCE0123456789ABCDEF',
  request.body,
]);

/** 32 distinct notifies, signed and encrypted as WeChat does. */
const notifies = Array.from({ length: 32 }, (_, i) => {
  const transaction = JSON.stringify({
    appid: 'wxd678efh567hg6787',
    mchid: '1230000109',
    out_trade_no: `BENCH${String(i).padStart(10, '0')}`,
    transaction_id: `42000000032026${String(i).padStart(10, '0')}`,
    trade_state: 'SUCCESS',
    amount: { total: 100 + i, payer_total: 100 + i, currency: 'CNY', payer_currency: 'CNY' },
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  });
  const resource = encryptAeadAesGcm(transaction, apiV3Key, { associatedData: 'transaction' });
  const body = JSON.stringify({ id: `n${i}`, event_type: 'TRANSACTION.SUCCESS', resource });
  const headers = signWechatpayMessage({
    privateKey: wechatpay.privateKey,
    serial: publicKeyId,
    body,
    timestamp,
  });
  return { body, resource, headers };
});
const verifier = createWechatpayVerifier({ publicKey: { id: publicKeyId, key: wechatpay.publicKey } });
const aesKey = Buffer.from(apiV3Key, 'utf8');

type Work = (index: number) => unknown;

/** µs of this process's CPU per operation, over `seconds` of wall time. */
function measure(work: Work, seconds: number): number {
  const cpu = process.cpuUsage();
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 32; i += 1) work(i);
    ops += 32;
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / ops;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Warm-up, then `rounds` rounds, the order of the sides rotating; the median µs of each side. */
function compare(sides: Work[], rounds = 5, seconds = 0.2): number[] {
  for (const work of sides) measure(work, seconds / 2);
  const results: number[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < sides.length; k += 1) {
      const index = (round + k) % sides.length;
      results[index]?.push(measure(sides[index] as Work, seconds));
    }
  }
  return results.map(median);
}

const started = performance.now();
const loadStart = loadavg()[0] ?? 0;
const [signV3, rawSign, parseEachTime] = compare([
  () => signV3Request({ ...request, privateKey: merchant.privateKey, timestamp }).authorization.length,
  () => sign('sha256', Buffer.from(message, 'utf8'), merchant.privateKey).length,
  () => sign('sha256', Buffer.from(message, 'utf8'), createPrivateKey(merchantPem)).length,
]) as [number, number, number];
const [readNotify, rawNotify] = compare([
  (i) => {
    const notify = notifies[i]!;
    verifier.verify({
      timestamp: notify.headers['Wechatpay-Timestamp'],
      nonce: notify.headers['Wechatpay-Nonce'],
      signature: notify.headers['Wechatpay-Signature'],
      serial: notify.headers['Wechatpay-Serial'],
      body: notify.body,
    });
    return JSON.parse(
      decryptAeadAesGcm((JSON.parse(notify.body) as { resource: typeof notify.resource }).resource, apiV3Key),
    ) as unknown;
  },
  (i) => {
    const notify = notifies[i]!;
    const signed = Buffer.from(
      `${notify.headers['Wechatpay-Timestamp']}\n${notify.headers['Wechatpay-Nonce']}\n${notify.body}\n`,
    );
    if (
      !verify(
        'sha256',
        signed,
        wechatpay.publicKey,
        Buffer.from(notify.headers['Wechatpay-Signature']!, 'base64'),
      )
    ) {
      throw new Error('raw verify failed');
    }
    const bytes = Buffer.from(notify.resource.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(notify.resource.nonce, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    decipher.setAAD(Buffer.from(notify.resource.associated_data, 'utf8'));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).length;
  },
]) as [number, number];
const load: [number, number] = [loadStart, loadavg()[0] ?? 0];
const result = { signV3, rawSign, parseEachTime, readNotify, rawNotify, load, node: process.version };

if (json) {
  console.log(JSON.stringify(result));
} else {
  const µs = (n: number) => `${n.toFixed(1).padStart(7)} µs`;
  console.log(
    `WeChat Pay v3 crypto per operation (CPU µs, medians of 5 rotating rounds), Node ${process.version}`,
  );
  console.log(`load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)}`);
  console.log(`  signV3Request (the Authorization header, key parsed once)  ${µs(signV3)}`);
  console.log(
    `  crypto.sign, same message, same KeyObject                  ${µs(rawSign)}   ratio ${(rawSign / signV3).toFixed(2)}`,
  );
  console.log(`  crypto.sign parsing the PEM every call                     ${µs(parseEachTime)}`);
  console.log(`  v3 notify: verify + AES-256-GCM decrypt + JSON parse       ${µs(readNotify)}`);
  console.log(
    `  crypto.verify + bare AES-256-GCM decipher                  ${µs(rawNotify)}   ratio ${(rawNotify / readNotify).toFixed(2)}`,
  );
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
}
