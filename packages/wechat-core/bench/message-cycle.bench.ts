// A full WeChat Pay v2 message cycle — sign, write XML, parse XML, verify — per second, ours
// against the `tenpay` package in the same process, then each stage alone on the same inputs.
// Run with `pnpm bench` (about 16 s).
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
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
  parseXML(xml: string): Promise<Params>;
}

const require = createRequire(import.meta.url);
const Tenpay = require('tenpay') as TenpayModule;
const tenpayUtil = require('tenpay/lib/util.js') as TenpayUtil;
const tenpayVersion = (require('tenpay/package.json') as { version: string }).version;

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

/** The same checks as tenpay's `_parse` for unifiedorder: return/result codes, appid, mch_id, sign. */
function ourCycle(message: Params, signType: SignType): void {
  const xml = buildXml({ ...message, sign: signV2(message, key, signType) });
  const reply = parseXml(xml);
  if (
    reply['return_code'] !== 'SUCCESS' ||
    reply['result_code'] !== 'SUCCESS' ||
    reply['appid'] !== appid ||
    reply['mch_id'] !== mchId ||
    !verifyV2(reply, key)
  ) {
    throw new Error('our cycle failed to verify');
  }
}

async function tenpayCycle(message: Params, signType: SignType): Promise<void> {
  const xml = tenpayUtil.buildXML({ ...message, sign: tenpay._getSign(message, signType) });
  // _parse is tenpay's own response path: xml2js, return/result codes, appid, mch_id, sign.
  await tenpay._parse(xml, 'unifiedorder', signType);
}

/** One unit of work on message `index` (0–63); tenpay's return a promise. */
type Work = (index: number) => unknown;

interface Rate {
  /** Operations per second of elapsed time. */
  wall: number;
  /**
   * Operations per second of this process's CPU time (all its threads, GC included). Time spent
   * waiting for a core that other processes hold is not counted: steadier on a loaded machine.
   */
  cpu: number;
}

/** Runs `work` over all messages until `seconds` have passed. */
async function measure(work: Work, seconds: number): Promise<Rate> {
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let ops = 0;
  while (performance.now() < deadline) {
    for (let index = 0; index < 64; index += 1) {
      const pending = work(index);
      // Await only tenpay's promises: an await on our sync result would add a needless tick.
      if (pending instanceof Promise) await pending;
    }
    ops += 64;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    wall: ops / ((performance.now() - started) / 1000),
    cpu: ops / ((cpu.user + cpu.system) / 1e6),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Comparison {
  ours: Rate[];
  theirs: Rate[];
}

/**
 * Warm-up, then `rounds` alternating rounds (the side that goes first alternates too), so both
 * see the same background load and neither always runs first.
 */
async function compare(ours: Work, theirs: Work, rounds: number, seconds: number): Promise<Comparison> {
  await measure(ours, seconds / 2);
  await measure(theirs, seconds / 2);
  const result: Comparison = { ours: [], theirs: [] };
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      result.ours.push(await measure(ours, seconds));
      result.theirs.push(await measure(theirs, seconds));
    } else {
      result.theirs.push(await measure(theirs, seconds));
      result.ours.push(await measure(ours, seconds));
    }
  }
  return result;
}

/** ours / theirs in each round: the two runs of a round are adjacent, so they share its load. */
function ratios(result: Comparison, clock: keyof Rate): number[] {
  return result.ours.map((rate, round) => rate[clock] / result.theirs[round]![clock]);
}

function format(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString('en-US').padStart(7);
}

function micros(opsPerSecond: number): string {
  return `${(1e6 / opsPerSecond).toFixed(1).padStart(6)} µs`;
}

function times(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

const cycleRounds = 7;
const cycleSeconds = 0.4;
const stageRounds = 3;
const stageSeconds = 0.12;
const benchStarted = performance.now();
const sides = ['@wxh5/wechat-core', `tenpay ${tenpayVersion}`] as const;

console.log(`v2 message cycle (sign → build XML → parse XML → verify), Node ${process.version}`);
// A forced GC between rounds was tried and dropped: it slowed the next round several times over.
console.log(`load average ${load()} at start`);
console.log(
  `${cycleRounds} alternating rounds of ${cycleSeconds} s per side after a warm-up; medians over the rounds, ` +
    'per CPU second (this process) and per elapsed second',
);
for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
  const messages = createMessages(signType);
  // Both sides must agree before their speed means anything.
  if (signV2(messages[0]!, key, signType) !== tenpay._getSign(messages[0]!, signType)) {
    throw new Error(`ours and tenpay disagree on the ${signType} signature`);
  }
  const result = await compare(
    (index) => ourCycle(messages[index]!, signType),
    (index) => tenpayCycle(messages[index]!, signType),
    cycleRounds,
    cycleSeconds,
  );
  console.log(`${signType}${' '.repeat(30 - signType.length)}CPU ops/s   CPU/cycle  wall ops/s`);
  for (const [side, rates] of [
    [sides[0], result.ours],
    [sides[1], result.theirs],
  ] as const) {
    const cpu = median(rates.map((rate) => rate.cpu));
    const wall = median(rates.map((rate) => rate.wall));
    console.log(`  ${side.padEnd(20)} ${format(cpu)}   ${micros(cpu)}  ${format(wall)}`);
  }
  const cpuRatios = ratios(result, 'cpu');
  const wallRatios = ratios(result, 'wall');
  console.log(
    `  ratio (per round)    CPU ${times(median(cpuRatios))} median, ${times(Math.min(...cpuRatios))}–` +
      `${times(Math.max(...cpuRatios))}; wall ${times(median(wallRatios))} median, ` +
      `${times(Math.min(...wallRatios))}–${times(Math.max(...wallRatios))}`,
  );
}

// Each stage alone, both sides on identical inputs. Parsing reads the same document on both
// sides: the message as WeChat writes it (strings in CDATA), which is what buildXml writes.
const messages = createMessages('MD5');
const signed = messages.map((message) => ({ ...message, sign: signV2(message, key, 'MD5') }));
const documents = signed.map((message) => buildXml(message));
const replies = documents.map((document) => parseXml(document));
const tenpayReplies = await Promise.all(documents.map((document) => tenpayUtil.parseXML(document)));
if (JSON.stringify(replies[0]) !== JSON.stringify(tenpayReplies[0])) {
  throw new Error('ours and tenpay read the same document differently');
}
const stages: [string, Work, Work][] = [
  ['sign', (i) => signV2(messages[i]!, key, 'MD5'), (i) => tenpay._getSign(messages[i]!, 'MD5')],
  ['build XML', (i) => buildXml(signed[i]!), (i) => tenpayUtil.buildXML(signed[i]!)],
  ['parse XML', (i) => parseXml(documents[i]!), (i) => tenpayUtil.parseXML(documents[i]!)],
  [
    'verify',
    (i) => verifyV2(replies[i]!, key),
    (i) => tenpayReplies[i]!['sign'] === tenpay._getSign(tenpayReplies[i]!, 'MD5'),
  ],
];
console.log(`stages alone (MD5), ${stageRounds} alternating rounds: median CPU µs per operation`);
console.log(`  ${'stage'.padEnd(10)} ${'ours'.padStart(9)} ${'tenpay'.padStart(9)}  ratio`);
for (const [name, ours, theirs] of stages) {
  const result = await compare(ours, theirs, stageRounds, stageSeconds);
  console.log(
    `  ${name.padEnd(10)} ${micros(median(result.ours.map((rate) => rate.cpu)))} ` +
      `${micros(median(result.theirs.map((rate) => rate.cpu)))}  ${times(median(ratios(result, 'cpu')))}`,
  );
}
console.log(`load average ${load()} at end; ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
