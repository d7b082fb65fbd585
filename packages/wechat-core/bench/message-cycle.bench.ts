// A full WeChat Pay v2 message cycle — sign, write XML, parse XML, verify — per second, ours
// against the `tenpay` package in the same process. Run with `pnpm bench`.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { buildXml, createNonce, parseXml, signV2, verifyV2 } from '../src/index';
import type { SignType } from '../src/index';

type Params = Record<string, string>;

interface TenpayPayment {
  _getSign(params: Params, type: SignType): string;
  _parse(xml: string, type: string, signType: SignType): Promise<Params>;
}

interface TenpayModule {
  init(config: { appid: string; mchid: string; partnerKey: string }): TenpayPayment;
}

interface TenpayUtil {
  buildXML(params: Params): string;
}

const require = createRequire(import.meta.url);
const Tenpay = require('tenpay') as TenpayModule;
const tenpayUtil = require('tenpay/lib/util.js') as TenpayUtil;

const key = '192006250b4c09247ec02edce69f6a2d';
const appid = 'wx2421b1c4370ec43b';
const mchId = '10000100';
const tenpay = Tenpay.init({ appid, mchid: mchId, partnerKey: key });

/** Unifiedorder responses as WeChat sends them, with a different nonce per message. */
function createMessages(signType: SignType): Params[] {
  return Array.from({ length: 64 }, () => ({
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid,
    mch_id: mchId,
    device_info: 'WEB',
    nonce_str: createNonce(16),
    sign_type: signType,
    result_code: 'SUCCESS',
    prepay_id: 'wx201411101639507cbf6ffd8b0779950874',
    trade_type: 'JSAPI',
    attach: '腾讯充值中心-QQ会员充值',
  }));
}

function ourCycle(message: Params, signType: SignType): void {
  const xml = buildXml({ ...message, sign: signV2(message, key, signType) });
  if (!verifyV2(parseXml(xml), key)) throw new Error('our cycle failed to verify');
}

async function tenpayCycle(message: Params, signType: SignType): Promise<void> {
  const xml = tenpayUtil.buildXML({ ...message, sign: tenpay._getSign(message, signType) });
  // _parse is tenpay's own response path: xml2js, return/result codes, appid, mch_id, sign.
  await tenpay._parse(xml, 'unifiedorder', signType);
}

type Cycle = (message: Params, signType: SignType) => unknown;

async function measure(
  cycle: Cycle,
  messages: Params[],
  signType: SignType,
  seconds: number,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let ops = 0;
  while (performance.now() < deadline) {
    for (const message of messages) {
      const pending = cycle(message, signType);
      // Await only tenpay's promise: an await on our sync result would add a needless tick.
      if (pending instanceof Promise) await pending;
    }
    ops += messages.length;
  }
  return ops / ((performance.now() - started) / 1000);
}

function format(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString('en-US').padStart(9);
}

const rounds = 3;
const secondsPerRound = 1;
console.log(`v2 message cycle (sign → build XML → parse XML → verify), Node ${process.version}`);
for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
  const messages = createMessages(signType);
  // Both sides must agree before their speed means anything.
  if (signV2(messages[0]!, key, signType) !== tenpay._getSign(messages[0]!, signType)) {
    throw new Error(`ours and tenpay disagree on the ${signType} signature`);
  }
  await measure(ourCycle, messages, signType, 0.5);
  await measure(tenpayCycle, messages, signType, 0.5);
  const ours: number[] = [];
  const theirs: number[] = [];
  // Alternate so both see the same background load; report the best round of each, the one
  // least disturbed by other processes.
  for (let round = 0; round < rounds; round += 1) {
    ours.push(await measure(ourCycle, messages, signType, secondsPerRound));
    theirs.push(await measure(tenpayCycle, messages, signType, secondsPerRound));
  }
  const bestOurs = Math.max(...ours);
  const bestTheirs = Math.max(...theirs);
  console.log(`${signType}`);
  console.log(`  @wxh5/wechat-core ${format(bestOurs)} ops/s  (rounds: ${ours.map(format).join(',')})`);
  console.log(`  tenpay 2.1.18     ${format(bestTheirs)} ops/s  (rounds: ${theirs.map(format).join(',')})`);
  console.log(`  ratio             ${(bestOurs / bestTheirs).toFixed(2)}x`);
}
