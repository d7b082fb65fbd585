// Runs the emulator on EMULATOR_PORT (default 4000) and EMULATOR_HOST (default 127.0.0.1). The only file that
// reads env. Ctrl-C closes it.
import { startWechatEmulator } from './index';

/* eslint-disable no-restricted-properties -- main.ts is this package's one config entry point */
const port = Number(process.env.EMULATOR_PORT ?? '4000');
const host = process.env.EMULATOR_HOST ?? '127.0.0.1';
const notifyTimeScale = Number(process.env.EMULATOR_NOTIFY_TIME_SCALE ?? '1');
/* eslint-enable no-restricted-properties */

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`EMULATOR_PORT must be a port number, got ${String(port)}`);
  process.exit(1);
}
if (!Number.isFinite(notifyTimeScale) || notifyTimeScale <= 0) {
  console.error('EMULATOR_NOTIFY_TIME_SCALE must be a positive number');
  process.exit(1);
}

const emulator = await startWechatEmulator({ port, host, notifyTimeScale });
console.log(`WeChat emulator listening on ${emulator.url}`);
console.log(`  bridge script: ${emulator.url}/jsbridge.js   control API: ${emulator.url}/__emulator/`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(() => process.exit(0));
  });
}
